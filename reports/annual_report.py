"""The annual report: the template to fill (.xlsx) and the report itself (.docx, six parts)."""

from __future__ import annotations

import io
from decimal import Decimal

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.annual_report import (
    ACTIVE_SECTIONS,
    ACTIVE_SHEET,
    APPLICANTS,
    APPLICATION_COLUMNS,
    APPLICATION_FIRST_COLUMN,
    APPLICATION_FIRST_ROW,
    APPLICATION_ROWS,
    APPLICATION_SHEET,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_ROW,
    REVIEW_SHEET,
    TEXT_FIELDS,
    TEXT_FIRST_ROW,
    TEXT_SHEET,
    AnnualReport,
    active_layout,
    active_rows,
    application_cell,
    review_cell,
)
from reports.official import heading, official_document, paragraph, saved, table_row, title

PARTS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_BOLD = Font(bold=True)


def template_xlsx() -> bytes:
    """The template: instructions, the three statutory tables and the text fields; the cells
    to fill are shaded."""
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = "填报说明"
    for line in (
        "政府信息公开工作年度报告填报模板（依据国办公开办函〔2019〕60号）",
        "1. 只填写黄色单元格；空白按 0 计。数量填非负整数，“本年增/减”可为负数，"
        "采购总金额单位为万元。",
        "2. 每个“总计”应等于其各项之和；依申请公开表中每一列：第一项 + 第二项 = 第三项 + 第四项。",
        "3. 在“文字部分”填写单位名称、报告年度和总体情况、存在的主要问题及改进情况、"
        "其他需要报告的事项。",
        "4. 填好后发送给机器人（或 gongkai annual-report check 文件名）即可检查；"
        "通过后可生成年度报告 .docx。",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 100

    for add_sheet in (_active_sheet, _applications_sheet, _reviews_sheet, _text_sheet):
        add_sheet(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _active_sheet(book: Workbook) -> None:
    """二、主动公开: the statutory table with its input cells."""
    active = book.create_sheet(ACTIVE_SHEET)
    active["A1"] = "二、主动公开政府信息情况"
    active["A1"].font = Font(bold=True, size=13)
    for row, values in active_rows():
        for offset, value in enumerate(values):
            cell = active.cell(row=row, column=1 + offset, value=value)
            cell.font = _BOLD
    labels = {}
    for _, label, _, cell in active_layout():
        row = int("".join(ch for ch in cell if ch.isdigit()))
        labels[row] = label
        active[cell].fill = _INPUT
    for row, label in labels.items():
        active.cell(row=row, column=1, value=label)
    active.column_dimensions["A"].width = 24
    for column in "BCD":
        active.column_dimensions[column].width = 16


def _applications_sheet(book: Workbook) -> None:
    """三、依申请公开: one column per kind of applicant, one row per item."""
    applications = book.create_sheet(APPLICATION_SHEET)
    applications["A1"] = (
        "三、收到和处理政府信息公开申请情况（每列：第一项 + 第二项 = 第三项 + 第四项）"
    )
    applications["A1"].font = Font(bold=True, size=13)
    applications.cell(row=2, column=APPLICATION_FIRST_COLUMN, value="申请人情况").font = _BOLD
    applications.cell(
        row=2, column=APPLICATION_FIRST_COLUMN + 1, value="法人或其他组织"
    ).font = _BOLD
    for offset, column in enumerate(APPLICATION_COLUMNS):
        header = applications.cell(row=3, column=APPLICATION_FIRST_COLUMN + offset, value=column)
        header.font = _BOLD
        header.alignment = Alignment(horizontal="center", wrap_text=True)
    for index, (key, label) in enumerate(APPLICATION_ROWS):
        applications.cell(row=APPLICATION_FIRST_ROW + index, column=1, value=label)
        if key is not None:
            for column in APPLICATION_COLUMNS:
                applications[application_cell(key, column)].fill = _INPUT
    applications.column_dimensions["A"].width = 52


def _reviews_sheet(book: Workbook) -> None:
    """四、行政复议、行政诉讼: a group of columns per kind of case."""
    reviews = book.create_sheet(REVIEW_SHEET)
    reviews["A1"] = "四、政府信息公开行政复议、行政诉讼情况"
    reviews["A1"].font = Font(bold=True, size=13)
    for g, group in enumerate(REVIEW_GROUPS):
        first = 1 + g * len(REVIEW_COLUMNS)
        reviews.cell(row=REVIEW_ROW - 2, column=first, value=group).font = _BOLD
        reviews.merge_cells(
            start_row=REVIEW_ROW - 2,
            start_column=first,
            end_row=REVIEW_ROW - 2,
            end_column=first + len(REVIEW_COLUMNS) - 1,
        )
        for c, column in enumerate(REVIEW_COLUMNS):
            reviews.cell(row=REVIEW_ROW - 1, column=first + c, value=column).font = _BOLD
            reviews[review_cell(group, column)].fill = _INPUT
            reviews.column_dimensions[get_column_letter(first + c)].width = 10


def _text_sheet(book: Workbook) -> None:
    """The text parts (一、五、六) and the unit, one field a row."""
    texts = book.create_sheet(TEXT_SHEET)
    texts["A1"] = "文字部分（一、五、六部分及单位信息）"
    texts["A1"].font = Font(bold=True, size=13)
    for index, (_, label) in enumerate(TEXT_FIELDS):
        texts.cell(row=TEXT_FIRST_ROW + index, column=1, value=label).font = _BOLD
        cell = texts.cell(row=TEXT_FIRST_ROW + index, column=2)
        cell.fill = _INPUT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    texts.column_dimensions["A"].width = 26
    texts.column_dimensions["B"].width = 90


def _figure(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def report_docx(report: AnnualReport) -> bytes:
    """The annual report in the statutory six parts, its tables included."""
    document = official_document()
    title(document, report.unit, f"{report.year}年政府信息公开工作年度报告")
    heading(document, PARTS[0])
    for text in report.texts["overview"].splitlines():
        paragraph(document, text)
    heading(document, PARTS[1])
    for section, columns, labels in ACTIVE_SECTIONS:
        rows = [[section], ["信息内容", *columns]]
        rows += [[label, *(_figure(report.active[label, c]) for c in columns)] for label in labels]
        _table(document, rows, len(columns) + 1)
    heading(document, PARTS[2])
    header = ["", "自然人", *APPLICANTS[1:], "总计"]
    rows = [header]
    for key, label in APPLICATION_ROWS:
        values = (
            [str(report.applications[key, c]) for c in APPLICATION_COLUMNS] if key else [""] * 7
        )
        rows.append([label, *values])
    _table(document, rows, len(APPLICATION_COLUMNS) + 1, first_width=5.0)
    heading(document, PARTS[3])
    rows = [
        [g for group in REVIEW_GROUPS for g in [group] + [""] * (len(REVIEW_COLUMNS) - 1)],
        [c for _ in REVIEW_GROUPS for c in REVIEW_COLUMNS],
        [str(report.reviews[g, c]) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS],
    ]
    _table(document, rows, len(REVIEW_GROUPS) * len(REVIEW_COLUMNS), first_width=1.04)
    heading(document, PARTS[4])
    for text in report.texts["problems"].splitlines():
        paragraph(document, text)
    heading(document, PARTS[5])
    for text in report.texts["other"].splitlines():
        paragraph(document, text)
    paragraph(document, report.unit, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return saved(document)


def _table(document: object, rows: list[list[str]], columns: int, first_width: float = 4.0) -> None:
    """A grid table; short rows (section titles) span the whole width."""
    rest = (15.6 - first_width) / max(columns - 1, 1)
    widths = [Cm(first_width), *[Cm(rest)] * (columns - 1)]
    table = document.add_table(rows=0, cols=columns)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for values in rows:
        cells = table.add_row().cells
        if len(values) == 1:
            merged = cells[0].merge(cells[-1])
            table_row([merged], values, widths[:1], bold=True, name_column=0)
            continue
        table_row(cells, values, widths, name_column=0)
