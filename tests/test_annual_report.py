"""The statutory annual report (seed 003): template, checks with precise errors, the .docx."""

from __future__ import annotations

import io

import pytest
from docx import Document

from bot.cli import main
from domain.annual_report import (
    TEXT_SHEET,
    ReportRejected,
    application_cell,
    read_report,
    text_cell,
)
from reports.annual_report import PARTS, report_docx
from tests.annual_report_seed import filled_template
from tests.conftest import JINING_2020


def rows_of(table: object) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]  # type: ignore[attr-defined]


def test_seed_003_figures_pass_and_land_in_the_right_cells() -> None:
    report = read_report("年报.xlsx", filled_template())
    document = Document(io.BytesIO(report_docx(report)))
    headings = [p.text for p in document.paragraphs if p.text in PARTS]
    assert headings == list(PARTS)
    assert document.paragraphs[1].text == "2020年政府信息公开工作年度报告"
    tables = [rows_of(t) for t in document.tables]
    # 主动公开: five sections, then the application table, then review and litigation.
    regulations, *_ = tables
    assert regulations[0][0] == "第二十条第（一）项"
    assert regulations[3] == ["规范性文件", "10", "10", "56"]
    assert tables[4][2] == ["政府集中采购", "30", "2220.68"]
    applications = {row[0]: row[1:] for row in tables[5]}
    assert applications["一、本年新收政府信息公开申请数量"] == ["52", "1", "0", "0", "0", "0", "53"]
    assert applications["（一）予以公开"] == ["10", "1", "0", "0", "0", "0", "11"]
    assert applications["8.属于行政查询事项"][0] == "1"
    assert applications["1.本机关不掌握相关政府信息"][-1] == "27"
    assert applications["（七）总计"] == ["52", "1", "0", "0", "0", "0", "53"]
    assert applications["四、结转下年度继续办理"][-1] == "0"
    reviews = tables[6]
    assert reviews[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert reviews[2] == ["1", "0", "0", "0", "1", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"]


def test_breaking_the_cross_check_names_the_column_and_both_sides() -> None:
    # One more new application from a natural person, its row total kept in step: the row
    # adds up, the handling does not.
    broken = filled_template(**{"依申请公开!B4": 53, "依申请公开!H4": 54})
    with pytest.raises(ReportRejected) as caught:
        read_report("年报.xlsx", broken)
    assert caught.value.problems == [
        "工作表“依申请公开” B4、B5、B29、B30：自然人列：第一项 + 第二项 = 53 + 0 = 53，"
        "第三项 + 第四项 = 52 + 0 = 52，两者应相等",
        "工作表“依申请公开” H4、H5、H29、H30：总计列：第一项 + 第二项 = 54 + 0 = 54，"
        "第三项 + 第四项 = 53 + 0 = 53，两者应相等",
    ]
    assert application_cell("new", "自然人") == "B4"


def test_every_kind_of_bad_figure_is_reported_with_its_cell() -> None:
    bad = filled_template(
        **{
            "依申请公开!C8": -1,
            "依申请公开!D8": 1.5,
            "依申请公开!E8": "若干",
            "主动公开!C10": -2,  # 本年增/减 may be negative
            "主动公开!B5": -1,
            "复议诉讼!E4": 2,
            "文字部分!B4": "二〇二〇",
        }
    )
    with pytest.raises(ReportRejected) as caught:
        read_report("年报.xlsx", bad)
    assert caught.value.problems == [
        "工作表“文字部分” B4：报告年度“二〇二〇”应为四位数字，例如 2020",
        "工作表“主动公开” B5：-1 是负数，应为非负整数",
        "工作表“依申请公开” C8：-1 是负数，应为非负整数",
        "工作表“依申请公开” D8：1.5 不是整数",
        "工作表“依申请公开” E8：“若干”不是数字",
        "工作表“复议诉讼” E4：行政复议的总计 = 2，结果维持、结果纠正、其他结果、尚未审结之和 = 1",
    ]


def test_a_row_total_and_the_grand_total_are_checked() -> None:
    bad = filled_template(**{"依申请公开!H7": 12, "依申请公开!B29": 51, "依申请公开!H29": 52})
    with pytest.raises(ReportRejected) as caught:
        read_report("年报.xlsx", bad)
    problems = caught.value.problems
    assert (
        "工作表“依申请公开” H7：“（一）予以公开”的总计 = 12，各类申请人之和 = 11（B7:G7）"
        in problems
    )
    assert "工作表“依申请公开” B29：自然人列“（七）总计” = 51，（一）至（六）之和 = 52" in problems


def test_a_workbook_that_is_not_the_template_is_refused() -> None:
    with pytest.raises(Exception, match="缺少工作表"):
        from openpyxl import Workbook

        out = io.BytesIO()
        Workbook().save(out)
        read_report("别的表.xlsx", out.getvalue())


def test_command_line_checks_and_renders_the_example(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(JINING_2020 / "annual-report.xlsx")
    assert main(["annual-report", "check", example]) == 0
    assert "检查通过：济宁市人民政府办公室2020年" in capsys.readouterr().out
    assert main(["annual-report", "render", example, "-o", "年报.docx"]) == 0
    assert Document("年报.docx").paragraphs[0].text == "济宁市人民政府办公室"
    assert main(["annual-report", "template", "-o", "模板.xlsx"]) == 0
    assert main(["annual-report", "check", "模板.xlsx"]) == 1
    assert "“单位名称”未填写" in capsys.readouterr().err


def test_invisible_characters_and_other_digits_in_the_texts_are_handled() -> None:
    other, year = f"{TEXT_SHEET}!{text_cell('other')}", f"{TEXT_SHEET}!{text_cell('year')}"
    report = read_report("r.xlsx", filled_template(**{other: "无\u200b\u202e", year: "２０２０"}))
    assert report.texts["other"] == "无" and report.year == 2020
    Document(io.BytesIO(report_docx(report)))
    with pytest.raises(ReportRejected, match="报告年度“²⁰²⁰”应为四位数字"):
        read_report("r.xlsx", filled_template(**{year: "²⁰²⁰"}))
