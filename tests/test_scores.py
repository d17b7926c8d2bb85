"""月度评分 (seed 004): import, the score bulletin's tables and sentence, 加减分 and 单项否决."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from domain.adjustments import record_adjustment, record_veto
from domain.errors import UserError
from domain.periods import Month
from domain.rules import Rules
from domain.score_bulletin import build_score_bulletin
from reports.score_bulletin import score_bulletin_docx, score_bulletin_text, score_bulletin_xlsx
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import AuditEntry, ScoreSheet

# Seed 004's 附件1 and 附件2 as printed: 单位名称, four dimensions, 12月分数, 全年总分.
SEED_004 = {
    "市直单位": """
公安局 4 2 13 30 49 287.5
教育体育局 4 2 13 28.5 47.5 144.5
自然资源和规划局 4 2 13 9 28 141
生态环境局 4 2 13 8 27 135.7
科学技术局 4 2 13 8 27 96.5
卫生健康委员会 4 2 13 0.5 19.5 96.5
财政局 4 2 13 9 28 91
民政局 4 3 13 8 28 89
农业农村局 4 2 13 13 32 82
市场监督管理局 4 3 13 6 26 80
住房和城乡建设局 4 4 13 7 28 78
司法局 4 2 13 5 24 60
商务局 4 2 13 10 29 55.5
交通运输局 4 3 13 6 26 41
文物局 4 2 13 2 21 34
文化广电和旅游局 4 2 13 1.5 20.5 32
退役军人事务管理局 4 2 13 1 20 32
医疗保障局 4 2 13 0.5 19.5 32
水利局 4 2 13 3 22 30.5
行政服务中心 4 2 13 4 23 29
城市管理局 4 3 13 2 22 29
发展和改革委员会 4 2 13 6 25 28.5
工业和信息化局 4 3 13 4 24 26.5
人力资源社会保障局 4 4 13 2 23 26.5
信访局 4 2 13 3 22 22.5
林业局 4 2 13 6 25 20
应急管理局 4 2 13 0 19 19.5
金融工作局 4 2 13 1 20 13
审计局 4 2 13 0 19 11.5
社保中心 4 2 13 0 19 10
统计局 4 2 13 1 20 7.5
""",
    "镇街": """
伊洛街道 4 6 13 25 48 328
首阳山街道 4 2 13 12 31 204.5
槐新街道 4 2 13 10 29 159.5
岳滩镇 4 2 13 3 22 95.5
大口镇 4 2 13 2.5 21.5 79.5
邙岭镇 4 2 13 0 19 77
商城街道 4 2 13 2 21 63.5
缙氏镇 4 2 13 5 24 58
翟店镇 4 2 13 36 55 58
顾县镇 4 2 13 2.5 21.5 44.5
府店镇 4 2 13 3.5 22.5 43
山化镇 4 2 13 1 20 42
高龙镇 4 2 13 1 20 27
""",
}
SEED_SENTENCE = (
    "全年表现较好的单位有：市公安局、教育体育局和伊洛街道、首阳山街道。"
    "表现较差的有：市社保中心、统计局和山化镇、高龙镇。"
)
DECEMBER = Month(2020, 12)
ISSUED = dt.date(2021, 1, 13)


def seed_rows(category: str) -> list[list[str]]:
    return [line.split() for line in SEED_004[category].strip().splitlines()]


def test_seed_004_tables_come_out_row_for_row(yanshi: Database, yanshi_rules: Rules) -> None:
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    assert [t.category for t in bulletin.tables] == ["市直单位", "镇街"]
    assert bulletin.headers == [
        "单位名称",
        "公共服务得分",
        "交流互动得分",
        "网站建设及安全得分",
        "政务信息公开得分",
        "12月分数",
        "全年总分",
    ]
    for table in bulletin.tables:
        printed = [
            [
                line.unit,
                *(f"{line.scores[d].normalize():f}" for d in bulletin.dimensions),  # type: ignore[index]
                f"{line.month_total.normalize():f}",  # type: ignore[union-attr]
                f"{line.year_total.normalize():f}",
            ]
            for line in table.lines
        ]
        assert printed == seed_rows(table.category)
    assert bulletin.tables[1].title == "2020年12月及全年各镇（街道）网站管理和政务信息公开情况"


def test_seed_004_sentence_names_the_best_and_worst_two(
    yanshi: Database, yanshi_rules: Rules
) -> None:
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    assert bulletin.summary == SEED_SENTENCE
    assert bulletin.title == "2020年12月及全年政府网站管理和政务信息公开工作情况通报"


def test_score_bulletin_files_carry_the_same_tables(yanshi: Database, yanshi_rules: Rules) -> None:
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    document = Document(io.BytesIO(score_bulletin_docx(bulletin)))
    assert any(p.text == SEED_SENTENCE for p in document.paragraphs)
    first, second = document.tables
    assert [c.text for c in first.rows[1].cells] == seed_rows("市直单位")[0]
    assert [[c.text for c in row.cells] for row in second.rows[1:]] == seed_rows("镇街")
    book = load_workbook(io.BytesIO(score_bulletin_xlsx(bulletin)))
    assert book.sheetnames == ["附件1", "附件2"]
    rows = list(book["附件1"].iter_rows(values_only=True))
    assert rows[0][0] == "2020年12月及全年市直单位网站管理和政务信息公开情况"
    assert rows[3] == ("教育体育局", 4, 2, 13, 28.5, 47.5, 144.5)
    text = score_bulletin_text(bulletin)
    assert SEED_SENTENCE in text and "135.7" in text


def test_scores_command_line_prints_json(
    yanshi: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["scores", "--month", "2020-12", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == SEED_SENTENCE
    town = data["categories"][1]["rows"][8]
    assert town == {
        "rank": 9,
        "unit": "翟店镇",
        "scores": {"公共服务": 4, "交流互动": 2, "网站建设及安全": 13, "政务信息公开": 36},
        "month_total": 55,
        "year_total": 58,
        "adjustments": 0,
        "vetoed": False,
    }


def test_a_veto_zeroes_the_year_and_says_so(yanshi: Database, yanshi_rules: Rules) -> None:
    record_veto(yanshi, "公安局", "网页长期不更新", 1000, dt.date(2020, 12, 20), CHAT_WORDING)
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    city = bulletin.tables[0]
    assert city.lines[-1].unit == "公安局" and city.lines[-1].vetoed
    assert city.lines[-1].year_total == 0
    assert bulletin.summary.startswith("全年表现较好的单位有：市教育体育局、自然资源和规划局和")
    assert "表现较差的有：市统计局、公安局和" in bulletin.summary
    text = score_bulletin_text(bulletin)
    assert "0（单项否决）" in text
    assert "公安局：单项否决（12月，网页长期不更新），全年按零分计算。" in text
    with pytest.raises(UserError, match="2020 年已被单项否决"):
        record_veto(yanshi, "公安局", "再次否决", 1000, dt.date(2020, 12, 21), CHAT_WORDING)


def test_a_bonus_or_penalty_moves_the_year_total(yanshi: Database, yanshi_rules: Rules) -> None:
    record_adjustment(
        yanshi, "统计局", Decimal(5), "材料报送及时", 1000, dt.date(2020, 12, 3), CHAT_WORDING
    )
    record_adjustment(
        yanshi, "社保中心", Decimal(-1), "报送材料不及时", 1000, dt.date(2020, 12, 4), CHAT_WORDING
    )
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    last_three = [(line.unit, line.year_total) for line in bulletin.tables[0].lines[-3:]]
    assert last_three == [
        ("统计局", Decimal("12.5")),
        ("审计局", Decimal("11.5")),
        ("社保中心", Decimal("9")),
    ]
    with yanshi.session() as session:
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("adjustment.%")))
        )
    assert actions == ["adjustment.bonus", "adjustment.penalty"]


def test_score_file_with_bad_rows_reports_each_and_imports_nothing(
    db: Database, yanshi_rules: Rules, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import YANSHI

    assert main(["import", "units", str(YANSHI / "units.csv")]) == 0
    path = tmp_path / "scores.csv"
    path.write_text(
        "单位名称,月份,公共服务得分,交流互动得分,网站建设及安全得分,政务信息公开得分,月度分数\n"
        "公安局,2020-11,4,2,13,30,49\n"
        "公安厅,2020-11,4,2,13,30,49\n"
        "教育体育局,2020-13,4,2,13,30,49\n"
        "财政局,2020-11,6,2,13,30,51\n"
        "民政局,2020-11,4,-2,13,30,45\n"
        "司法局,2020-11,4,2,13,3.125,\n"
        "商务局,2020-11,4,2,13,30,50\n"
        "公安局,2020-11,4,2,13,30,49\n",
        encoding="utf-8",
    )
    assert main(["import", "scores", str(path)]) == 1
    err = capsys.readouterr().err
    assert "第 3 行：未知单位“公安厅”（是否指：公安局" in err
    assert "第 4 行：月份“2020-13”格式错误" in err
    assert "第 5 行：公共服务得分 6 超过满分 5" in err
    assert "第 6 行：交流互动得分不能为负数（-2）" in err
    assert "第 7 行：政务信息公开得分“3.125”最多保留两位小数" in err
    assert "第 8 行：月度分数 50 不等于各项得分之和 49" in err
    assert "第 9 行：公安局 2020-11 与第 2 行重复" in err
    assert "第 2 行" not in err.replace("与第 2 行", "")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ScoreSheet)) == 0


def test_reimporting_a_sheet_replaces_it_and_is_audited(
    yanshi: Database, yanshi_rules: Rules, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fix.csv"
    path.write_text(
        "unit,month,公共服务,交流互动,网站建设及安全,政务信息公开\n高龙镇,2020-12,4,2,13,2\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["import", "scores", str(path)]) == 0
    assert "更新 1 条" in capsys.readouterr().out
    bulletin = build_score_bulletin(yanshi, yanshi_rules, DECEMBER, ISSUED)
    assert bulletin.tables[1].lines[-1].year_total == Decimal(28)
    with yanshi.session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "score.update")
            )
            == 1
        )


def test_a_month_without_sheets_is_a_clear_error(yanshi: Database, yanshi_rules: Rules) -> None:
    with pytest.raises(UserError, match="2020年11月尚无月度评分数据"):
        build_score_bulletin(yanshi, yanshi_rules, Month(2020, 11), ISSUED)
