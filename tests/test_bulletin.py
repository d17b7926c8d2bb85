"""一月一通报 for 高新区 at July 2020: seed 002's figures, in every format."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import load_workbook

from bot.cli import main
from domain.articles import import_articles
from domain.bulletin import build_bulletin
from domain.periods import Month
from domain.rules import Rules
from domain.units import import_units
from reports.bulletin import bulletin_chart, bulletin_docx, bulletin_message, bulletin_xlsx
from reports.official import characters
from storage.db import Database
from tests.test_rank_seed_002 import ANNEX_1

JULY = Month(2020, 7)
# 附件2 of seed 002, in its order: 看山东, then 经验做法, then 未采用, each as published.
SEED_ANNEX_2 = [
    "济宁高新区四项新举措 推进基层政务公开标准化规范化建设",
    "济宁高新区公安分局聚力“三个坚持”推进基层警务公开工作规范化建设",
    "济宁高新区探索“互联网+”模式 助力行政执法领域信息公开规范化建设",
    "济宁高新区黄屯街道依托政务公开全方位关爱",
    "济宁高新区四项新举措 举办首次新闻发布会",
    "济宁高新区强化疫情信息公开助力打赢疫情防控攻坚战",
    "济宁高新区以政务公开为抓手 “三个强化”助力企业复工复产",
    "济宁高新区强化宣传全面公开 促进危险废物规范化管理",
    "济宁高新区洸河街道开展“世界家庭医生日”活动",
    "济宁高新区推进消防救援信息公开筑牢防灾减灾救灾防线",
    "济宁高新区“跑小青”助推惠民惠企政策再公开",
    "济宁高新区打造“四即”新模式服务企业全周期",
    "济宁高新区以“和为贵”助力基层民生诉求响应体系规范化标准化建设",
    "济宁高新区开展系列安全活动全力做好安全生产领域信息公开",
    "济宁高新区开展“食安护佳节”专项行动助推食品安全领域信息公开",
    "济宁高新区接庄街道全方位公开助力精准扶贫政策落地",
    "济宁高新区多措并举开展信访条例宣传工作",
]
ISSUED = dt.date(2020, 8, 5)
SEED_BASIC = (
    "1—7月份，各街道办事处、区直各部门单位、各驻区单位报送政务公开工作信息17篇，"
    "省政府办公厅《政务公开看山东》采用3篇，市政府办公室《政务公开经验做法》采用12篇，未采用2篇。"
    "其中，各街道办事处报送信息3篇；区直各部门单位报送信息14篇。"
)


def test_basic_situation_carries_the_seed_figures(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    assert bulletin.title == "关于1—7月份政务公开信息采用情况的通报"
    assert bulletin.basic == SEED_BASIC
    assert [(r.unit, r.score) for r in bulletin.ranking.rows] == [(a[0], a[-1]) for a in ANNEX_1]
    assert bulletin.article_count == 17


def test_problems_are_computed_from_the_data_and_a_single_one_is_not_numbered(
    gaoxin: Database, rules: Rules
) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    assert bulletin.problems == [
        "信息报送数量少。截至目前，全区总量17条，平均到每个部门单位0.7条，"
        "12个部门单位（占48%）报送信息数量为0。"
    ]


def test_a_low_publication_rate_is_named(db: Database, rules: Rules) -> None:
    import_units(db, "u.csv", "name,category\n甲局,区直部门\n".encode(), "t")
    rows = "".join(f"甲局,稿{n},2021-03-0{n},yes,{'city' if n == 1 else ''}\n" for n in range(1, 5))
    import_articles(
        db,
        "a.csv",
        ("unit,title,submitted_on,forwarded,published_in\n" + rows).encode(),
        rules,
        "t",
    )
    bulletin = build_bulletin(db, rules, Month(2021, 3), dt.date(2021, 4, 6))
    assert bulletin.problems == [
        "信息报送质量不高。报送的4篇信息仅被采用1篇，采用率25%，部分信息不符合上级平台的刊发要求。"
    ]


def test_requirements_name_the_units_under_supervision_and_circular(
    gaoxin: Database, rules: Rules
) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    assert bulletin.supervised == ["公安分局", "消防救援大队", "洸河街道"]
    assert bulletin.circulated[:3] == ["经济发展局", "党工委宣传部", "黄屯街道"]
    assert "柳行街道" in bulletin.circulated
    assert "党政办公室" not in bulletin.supervised + bulletin.circulated
    assert "本期下发督办单的单位（连续两个月无持续进展）：公安分局、消防救援大队、洸河街道。" in (
        bulletin.requirements
    )


def test_a_city_names_its_whole_area_as_its_rules_say(gaoxin: Database, rules: Rules) -> None:
    style = rules.bulletin.model_copy(update={"scope": "全市"})
    city = rules.model_copy(update={"bulletin": style})
    bulletin = build_bulletin(gaoxin, city, JULY, ISSUED)
    assert bulletin.annex_titles[0] == "2020年1—7月全市政务公开工作信息得分情况"
    assert "截至目前，全市总量17条" in bulletin.problems[0]
    assert any(p.startswith("本期予以全市通报的单位：经济发展局") for p in bulletin.requirements)
    assert "全区" not in bulletin_message(bulletin)


def test_annex_2_lists_every_article_highest_level_first(gaoxin: Database, rules: Rules) -> None:
    articles = list(build_bulletin(gaoxin, rules, JULY, ISSUED).articles())
    assert [a.outcome for a in articles] == ["政务公开看山东"] * 3 + ["政务公开经验做法"] * 12 + [
        "未采用"
    ] * 2
    assert articles[-1].title == "济宁高新区多措并举开展信访条例宣传工作"


def test_docx_is_laid_out_as_an_official_document(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    document = Document(io.BytesIO(bulletin_docx(bulletin, rules)))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    # Two title lines in one size, a blank line, 主送, then the office's 导语.
    assert texts[:4] == [
        "济宁高新区管委会办公室",
        "关于1—7月份政务公开信息采用情况的通报",
        "",
        "各街道办事处，区直各部门单位，各驻区单位：",
    ]
    assert {r.font.size.pt for p in paragraphs[:2] for r in p.runs} == {22}
    assert texts[4].startswith("为落实国家、省关于全面推进政务公开工作的系列部署")
    assert texts[4].endswith("现将1—7月份全区政务公开信息报送情况通报如下：")
    headings = [t for t in texts if t[:2] in ("一、", "二、", "三、")]
    assert headings == ["一、基本情况", "二、存在问题", "三、工作要求"]
    # 附件说明: the names after the first start in the column of the first name.
    note = texts.index("附件：1．2020年1—7月全区政务公开工作信息得分情况")
    first, second = paragraphs[note].paragraph_format, paragraphs[note + 1].paragraph_format
    assert texts[note + 1] == "2．1—7月份济宁高新区信息报送清单"
    assert first.left_indent == second.left_indent
    assert first.left_indent + first.first_line_indent == Pt(32)  # 左空二字
    # 署名 and 成文日期 right, the date's first character two to the right of the name's.
    name, date = paragraphs[note + 4], paragraphs[note + 5]
    assert (name.text, date.text) == ("济宁高新区管委会办公室", "2020年8月5日")
    assert name.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    name_start = name.paragraph_format.right_indent.pt + 16 * characters(name.text)
    date_start = date.paragraph_format.right_indent.pt + 16 * characters(date.text)
    assert name_start - date_start == 32
    # Each 附件 starts a page, labelled at the top left.
    for label in ("附件1", "附件2", "附件3"):
        at = texts.index(label)
        assert 'w:type="page"' in paragraphs[at]._p.xml
        assert (
            paragraphs[at].alignment is None
            and not paragraphs[at].paragraph_format.first_line_indent
        )
    assert texts[texts.index("附件2") + 2] == "1—7月份济宁高新区信息报送清单"
    assert texts[texts.index("附件3") + 2] == "高新区政务公开信息报送计分办法"
    # Page numbers: "— N —", right on odd pages, left on even ones.
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        number = footer.paragraphs[0]
        assert number.alignment == align
        assert "PAGE" in number._p.xml and number.text.startswith("— ")
    assert document.tables[0].rows[0].cells[1].text == "项目\n单位"
    assert SEED_BASIC in texts
    assert "2020年8月5日" in texts
    table = document.tables[0]
    assert len(table.rows) == 26
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "党政办公室",
        "1",
        "1",
        "",
        "",
        "2",
        "2",
        "30",
    ]
    assert [c.text for c in table.rows[13].cells][1:] == ["接庄街道", "", "", "", "", "1", "0", "2"]
    assert "17. 济宁高新区多措并举开展信访条例宣传工作（未采用）" in texts
    listed = texts[texts.index("附件2") : texts.index("附件3")]
    annex2 = [t.split(". ", 1)[1] for t in listed if t.split(". ", 1)[0].isdigit()]
    assert [t.rsplit("（", 1)[0] for t in annex2] == SEED_ANNEX_2
    assert any(
        t.startswith("国务院办公厅门户网站《政务公开工作交流》专栏或其他国家级报刊") for t in texts
    )


def test_xlsx_has_the_three_attachments(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    book = load_workbook(io.BytesIO(bulletin_xlsx(bulletin, rules)))
    assert book.sheetnames == ["附件1 得分情况", "附件2 报送清单", "附件3 计分办法"]
    annex1 = list(book["附件1 得分情况"].iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[-1]) for r in annex1] == [(a[0], a[-1]) for a in ANNEX_1]
    annex2 = list(book["附件2 报送清单"].iter_rows(min_row=3, values_only=True))
    assert len(annex2) == 17 and annex2[0][3] == "政务公开看山东"


def test_chart_and_chat_message(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, JULY, ISSUED)
    png = bulletin_chart(bulletin)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    message = bulletin_message(bulletin)
    assert len(message) < 4096
    assert "下发督办单：公安分局、消防救援大队、洸河街道" in message
    lines = message.splitlines()
    assert lines[3] == "各街道办事处，区直各部门单位，各驻区单位："
    for heading in ("<b>一、基本情况</b>", "<b>二、存在问题</b>", "<b>三、工作要求</b>"):
        after = lines[lines.index(heading) + 1]
        assert after and not after.startswith("<b>")
    assert "<b>二、存在问题</b>\n信息报送数量少。" in message
    assert lines[-2:] == ["济宁高新区管委会办公室", "2020年8月5日"]
    assert "3. 高新区政务公开信息报送计分办法" in lines


def test_cli_writes_the_bulletin(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["bulletin", "--month", "2020-07"]) == 0
    assert SEED_BASIC in capsys.readouterr().out
    target = tmp_path / "通报.docx"
    assert main(["bulletin", "--month", "2020-07", "--format", "docx", "-o", str(target)]) == 0
    assert Document(str(target)).paragraphs[1].text == "关于1—7月份政务公开信息采用情况的通报"
    assert main(["bulletin", "--month", "2020-7x"]) == 1
