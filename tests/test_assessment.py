"""年度考核 (seed 000): 40% basic work + 60% third party, graded per category; the notice's
attachment reproduced from data, its summary counted from the same grades."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from docx import Document

from bot.cli import main
from domain.adjustments import record_veto
from domain.assessment import assess
from domain.errors import UserError
from domain.rules import Rules
from domain.units import import_units
from reports.assessment import annex_lines
from reports.wording import CHAT_WORDING
from storage.db import Database

ISSUED = dt.date(2021, 6, 4)

# Seed 000's 附件, its lists one name a line.
SEED_000 = """
一、县（市、区）考核结果
（一）优秀等次（9个，按考核成绩排序）
任城区政府 兖州区政府 曲阜市政府 鱼台县政府 梁山县政府 嘉祥县政府 汶上县政府 微山县政府 邹城市政府
（二）良好等次（2个，按考核成绩排序）
泗水县政府 金乡县政府
二、功能区考核结果
（一）优秀等次（1个，按考核成绩排序）
济宁高新区管委会
（二）良好等次（2个，按考核成绩排序）
济宁经济技术开发区管委会 太白湖新区管委会
三、市政府部门考核结果
（一）优秀等次（10个，按考核成绩排序）
市发展改革委 市市场监管局 市民政局 市自然资源和规划局 市人力资源社会保障局
市公安局 市住房城乡建设局 市医保局 市行政审批服务局 市审计局
（二）良好等次（14个，按考核成绩排序）
市文化和旅游局 市退役军人局 市生态环境局 市科技局 市农业农村局 市体育局 市工业和信息化局
市地方金融监管局 市财政局 市统计局 市司法局 市教育局 市投资促进局 市商务局
（三）合格等次（10个，按考核成绩排序）
市交通运输局 市城市管理局 市卫生健康委 市应急局 市能源局
市国资委 市外办 市城乡水务局 市人防办 市信访局
四、市政府事业单位考核结果
（一）优秀等次（3个，按考核成绩排序）
市供销社 市住房公积金管理中心 市港航事业发展中心
（二）良好等次（4个，按考核成绩排序）
市畜牧兽医事业发展中心 市政府投融资服务中心 市公路事业发展中心 市地震监测中心
（三）合格等次（3个，按考核成绩排序）
市知识产权事业发展中心 市公共资源交易服务中心 市民航事业发展中心
"""


def structure(lines: list[str]) -> list[str | list[str]]:
    """Headings, and under each the names in order (numbering and line breaks dropped)."""
    out: list[str | list[str]] = []
    for line in lines:
        if line.startswith(("一", "二", "三", "四", "（")):
            out.append(line)
            continue
        names = [item.split(".", 1)[-1] for item in line.split()]
        if isinstance(out[-1], list):
            out[-1] += names
        else:
            out.append(names)
    return out


def test_seed_000_attachment_comes_out_from_the_data(
    jining_2020: Database, jining_2020_rules: Rules
) -> None:
    result = assess(jining_2020, jining_2020_rules, 2020, ISSUED)
    assert structure(annex_lines(result)) == structure(SEED_000.strip().splitlines())
    assert annex_lines(result)[2] == "1.任城区政府    2.兖州区政府    3.曲阜市政府"
    assert result.title == "关于2020年全市政务公开工作考核情况的通报"


def test_summary_counts_come_from_the_same_grades(
    jining_2020: Database, jining_2020_rules: Rules
) -> None:
    result = assess(jining_2020, jining_2020_rules, 2020, ISSUED)
    assert result.intro == (
        "济宁市人民政府办公室对14个县（市、区）政府（管委会）和44个市政府部门、单位"
        "2020年政务公开工作进行了考核。"
    )
    # The seed's text names 市交通运输局 among the 良好 while its list has it 合格; here the
    # sentence is counted from the lists, so it cannot disagree with them.
    assert result.summary == (
        "从考核结果看，任城区等10个县（市、区）政府（管委会）和市发展改革委等13个市政府部门、单位"
        "达到优秀等次；泗水县等4个县（市、区）政府（管委会）和市文化和旅游局等18个市政府部门、单位"
        "达到良好等次；市交通运输局等13个市政府部门、单位达到合格等次。"
    )
    assert "基础性工作考核分数占总成绩的40%，社会客观效果评估分数占总成绩的60%" in result.method


def test_annual_score_is_forty_percent_basic_and_sixty_third_party(
    jining_2020: Database, jining_2020_rules: Rules
) -> None:
    result = assess(jining_2020, jining_2020_rules, 2020, ISSUED)
    second = result.categories[0].grades[0][1][1]
    assert (second.unit, second.basic, second.third_party) == (
        "兖州区政府",
        Decimal("99.11"),
        Decimal("94.59"),
    )
    assert second.score == (
        Decimal("0.4") * second.basic + Decimal("0.6") * second.third_party
    ).quantize(Decimal("0.01"))


def test_a_vetoed_unit_scores_zero_and_fails(
    jining_2020: Database, jining_2020_rules: Rules
) -> None:
    record_veto(
        jining_2020, "任城区政府", "被上级通报批评", 1000, dt.date(2020, 11, 3), CHAT_WORDING
    )
    result = assess(jining_2020, jining_2020_rules, 2020, ISSUED)
    counties = dict(result.categories[0].grades)
    assert [u.unit for u in counties["不合格"]] == ["任城区政府"]
    assert counties["不合格"][0].score == 0 and counties["不合格"][0].vetoed
    assert len(counties["优秀"]) == 8
    assert "兖州区等9个县（市、区）政府（管委会）" in result.summary
    assert "任城区为不合格等次" in result.summary


def test_grading_by_quotas_and_ties_keep_the_units_order(db: Database, rules: Rules) -> None:
    units = "name,category\n" + "".join(f"单位{n},部门\n" for n in range(1, 11))
    import_units(db, "units.csv", units.encode(), "t")
    scores = [95, 93, 93, 90, 85, 84, 80, 70, 65, 50]
    text = "unit,year,evaluation\n" + "".join(
        f"单位{n},2020,{s}\n" for n, s in enumerate(scores, start=1)
    )
    from domain.evaluations import import_evaluations

    import_evaluations(db, "e.csv", text.encode(), "t")
    # The third party's score alone, graded by quotas.
    config = {"grading": "quotas", "basic_weight": 0.0, "third_party_weight": 1.0}
    quotas = rules.model_copy(update={"assessment": rules.assessment.model_copy(update=config)})
    result = assess(db, quotas, 2020, ISSUED)
    grades = {g: [u.unit for u in us] for g, us in result.categories[0].grades}
    # 30% 优秀 = 3, 40% 良好 = 4, the rest 合格, but below 60 (单位10's 50) 不合格.
    assert grades == {
        "优秀": ["单位1", "单位2", "单位3"],
        "良好": ["单位4", "单位5", "单位6", "单位7"],
        "合格": ["单位8", "单位9"],
        "不合格": ["单位10"],
    }
    # 单位2 and 单位3 tie: the units file's order decides.
    assert result.categories[0].grades[0][1][1].score == result.categories[0].grades[0][1][2].score


def test_a_unit_without_a_third_party_score_is_named(db: Database, rules: Rules) -> None:
    import_units(db, "units.csv", "name,category\n甲局,部门\n乙局,部门\n".encode(), "t")
    with pytest.raises(UserError, match="2020 年缺少第三方评估成绩的单位：甲局、乙局"):
        assess(db, rules, 2020, ISSUED)


def test_assessment_command_line_writes_json_and_docx(
    jining_2020: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["assessment", "--year", "2020", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["units"][0]
    assert (first["unit"], first["grade"], first["rank"], first["score"]) == (
        "任城区政府",
        "优秀",
        1,
        97,
    )
    assert main(["assessment", "--year", "2020", "--format", "docx", "-o", "考核.docx"]) == 0
    document = Document("考核.docx")
    texts = [p.text for p in document.paragraphs]
    assert "（三）合格等次（10个，按考核成绩排序）" in texts
    assert "1.市交通运输局    2.市城市管理局    3.市卫生健康委" in texts
    assert any(t.startswith("济宁市人民政府办公室对14个县") for t in texts)
