"""政府信息公开工作年度报告 (seed 003): the statutory tables, where they sit in our template,
reading a filled template, and its checks.

The template's layout is defined here once: the same cells are written by
``reports.annual_report.template_xlsx`` and read by ``read_report``. The checks are those of
the statutory format (国办公开办函〔2019〕60号): counts are whole and non-negative (本年增/减
may be negative, 采购总金额 is an amount), each 总计 is the sum of its parts, and in the
application table 第一项 + 第二项 = 第三项 + 第四项 for every applicant column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from domain.arguments import parse_year
from domain.errors import UserError
from domain.periods import FIRST_YEAR, LAST_YEAR
from domain.tabular import check_archive, open_workbook
from domain.text import strip_invisible

ACTIVE_SHEET = "主动公开"
APPLICATION_SHEET = "依申请公开"
REVIEW_SHEET = "复议诉讼"
TEXT_SHEET = "文字部分"

# 主动公开政府信息情况: (section, columns, rows).
ACTIVE_SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "第二十条第（一）项",
        ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        ("规章", "规范性文件"),
    ),
    (
        "第二十条第（五）项",
        ("上一年项目数量", "本年增/减", "处理决定数量"),
        ("行政许可", "其他对外管理服务事项"),
    ),
    (
        "第二十条第（六）项",
        ("上一年项目数量", "本年增/减", "处理决定数量"),
        ("行政处罚", "行政强制"),
    ),
    ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("行政事业性收费",)),
    ("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("政府集中采购",)),
)
SIGNED = "本年增/减"
AMOUNT = "采购总金额"

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
APPLICATION_COLUMNS = (*APPLICANTS, "总计")
# 收到和处理政府信息公开申请情况: (key, label); a key of None is a heading without numbers.
APPLICATION_ROWS: tuple[tuple[str | None, str], ...] = (
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried", "二、上年结转政府信息公开申请数量"),
    (None, "三、本年度办理结果"),
    ("open", "（一）予以公开"),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    (None, "（三）不予公开"),
    ("withheld.1", "1.属于国家秘密"),
    ("withheld.2", "2.其他法律行政法规禁止公开"),
    ("withheld.3", "3.危及“三安全、一稳定”"),
    ("withheld.4", "4.保护第三方合法权益"),
    ("withheld.5", "5.属于三类内部事务信息"),
    ("withheld.6", "6.属于四类过程性信息"),
    ("withheld.7", "7.属于行政执法案卷"),
    ("withheld.8", "8.属于行政查询事项"),
    (None, "（四）无法提供"),
    ("unable.1", "1.本机关不掌握相关政府信息"),
    ("unable.2", "2.没有现成信息需要另行制作"),
    ("unable.3", "3.补正后申请内容仍不明确"),
    (None, "（五）不予处理"),
    ("unhandled.1", "1.信访举报投诉类申请"),
    ("unhandled.2", "2.重复申请"),
    ("unhandled.3", "3.要求提供公开出版物"),
    ("unhandled.4", "4.无正当理由大量反复申请"),
    ("unhandled.5", "5.要求行政机关确认或重新出具已获取信息"),
    ("other", "（六）其他处理"),
    ("total", "（七）总计"),
    ("forward", "四、结转下年度继续办理"),
)
OUTCOMES = tuple(
    key for key, _ in APPLICATION_ROWS if key and key not in ("new", "carried", "total", "forward")
)
REVIEW_GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
REVIEW_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
TEXT_FIELDS = (
    ("unit", "单位名称"),
    ("year", "报告年度"),
    ("overview", "总体情况"),
    ("problems", "存在的主要问题及改进情况"),
    ("other", "其他需要报告的事项"),
)

# Where things sit: a title row, a header row, then data. Row numbers are 1-based.
APPLICATION_FIRST_ROW = 4
APPLICATION_FIRST_COLUMN = 2  # B: 自然人 … H: 总计 (A holds the labels)
REVIEW_ROW = 4
TEXT_FIRST_ROW = 3


def application_cell(key: str, column: str) -> str:
    """The cell of an application-table figure, e.g. ``B4`` for 本年新收 × 自然人."""
    row = APPLICATION_FIRST_ROW + [k for k, _ in APPLICATION_ROWS].index(key)
    col = APPLICATION_FIRST_COLUMN + APPLICATION_COLUMNS.index(column)
    return f"{get_column_letter(col)}{row}"


def review_cell(group: str, column: str) -> str:
    """The cell of a review/litigation figure (one row, fifteen columns)."""
    col = 1 + REVIEW_GROUPS.index(group) * len(REVIEW_COLUMNS) + REVIEW_COLUMNS.index(column)
    return f"{get_column_letter(col)}{REVIEW_ROW}"


def _active_rows() -> list[tuple[str, tuple[str, ...], int, list[tuple[str, int]]]]:
    """Per section of the 主动公开 sheet: its columns, its title row and its labels' rows (the
    header row is the one after the title; a blank row separates sections)."""
    found = []
    row = 3
    for section, columns, labels in ACTIVE_SECTIONS:
        found.append(
            (section, columns, row, [(label, row + 2 + n) for n, label in enumerate(labels)])
        )
        row += 2 + len(labels) + 1
    return found


def active_layout() -> list[tuple[str, str, str, str]]:
    """(section, row label, column, cell) of every figure of the 主动公开 sheet."""
    return [
        (section, label, column, f"{get_column_letter(2 + offset)}{row}")
        for section, columns, _, labels in _active_rows()
        for label, row in labels
        for offset, column in enumerate(columns)
    ]


def active_rows() -> list[tuple[int, list[str]]]:
    """The 主动公开 sheet's rows without figures: (row, cells), titles and headers."""
    rows: list[tuple[int, list[str]]] = []
    for section, columns, title, _ in _active_rows():
        rows += [(title, [section]), (title + 1, ["信息内容", *columns])]
    return rows


def text_cell(key: str) -> str:
    """The cell holding a text field's value (column B)."""
    return f"B{TEXT_FIRST_ROW + [k for k, _ in TEXT_FIELDS].index(key)}"


@dataclass
class AnnualReport:
    """A filled template, read: figures by (section/row, column), texts by field."""

    unit: str
    year: int
    texts: dict[str, str]
    active: dict[tuple[str, str], Decimal]
    applications: dict[tuple[str, str], int]
    reviews: dict[tuple[str, str], int]


@dataclass
class ReportProblems:
    """Every failure found in a template, in Chinese, each with its sheet and cells."""

    name: str
    problems: list[str] = field(default_factory=list)

    def add(self, sheet: str, cell: str, text: str) -> None:
        """One failure at ``sheet!cell``."""
        self.problems.append(f"工作表“{sheet}” {cell}：{text}")


class ReportRejected(UserError):
    """A template that failed its checks: nothing was accepted."""

    def __init__(self, found: ReportProblems) -> None:
        self.problems = found.problems
        lines = [f"{found.name} 有 {len(found.problems)} 处错误，未被接受："]
        lines += [f"  {p}" for p in found.problems]
        super().__init__("\n".join(lines))


def could_be_report(name: str) -> bool:
    """Whether a file's name allows it to be our template (an .xlsx), before it is read."""
    return name.lower().endswith(".xlsx")


def looks_like_report(name: str, content: bytes) -> bool:
    """Whether a file is our template (filled or not): an .xlsx with the report's sheets.
    A workbook over the archive limits is a ``UserError``."""
    if not could_be_report(name):
        return False
    try:
        book = open_workbook(name, content)
    except UserError:
        check_archive(name, content)  # over the limits: say so; otherwise not ours
        return False
    try:
        return APPLICATION_SHEET in book.sheetnames and TEXT_SHEET in book.sheetnames
    finally:
        book.close()


def read_report(name: str, content: bytes) -> AnnualReport:
    """Read and check a filled template; every failure is reported and nothing is returned."""
    check_archive(name, content)
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UserError(
            f"{name}：无法读取的 Excel 文件，请使用 /report_template 下载的模板"
        ) from None
    missing = [
        s
        for s in (ACTIVE_SHEET, APPLICATION_SHEET, REVIEW_SHEET, TEXT_SHEET)
        if s not in book.sheetnames
    ]
    if missing:
        raise UserError(
            f"{name}：缺少工作表 {'、'.join(missing)}，请使用 /report_template 下载的模板"
        )
    found = ReportProblems(name)
    texts = _texts(book[TEXT_SHEET], found)
    active = _active(book[ACTIVE_SHEET], found)
    applications = _applications(book[APPLICATION_SHEET], found)
    reviews = _reviews(book[REVIEW_SHEET], found)
    if found.problems:
        raise ReportRejected(found)
    return AnnualReport(
        unit=texts["unit"],
        year=int(texts["year"]),
        texts=texts,
        active=active,
        applications=applications,
        reviews=reviews,
    )


def _texts(sheet: object, found: ReportProblems) -> dict[str, str]:
    texts = {}
    for key, label in TEXT_FIELDS:
        cell = text_cell(key)
        value = sheet[cell].value  # type: ignore[index]
        # A cell can hold what a .docx cannot (control characters): taken out here.
        text = "" if value is None else strip_invisible(str(value)).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not text:
            found.add(TEXT_SHEET, cell, f"“{label}”未填写")
        elif key == "year":
            try:
                text = str(parse_year(text, FIRST_YEAR, LAST_YEAR))  # ２０２０ read as 2020
            except UserError:
                found.add(TEXT_SHEET, cell, f"报告年度“{text}”应为四位数字，例如 2020")
        texts[key] = text
    return texts


def _number(
    sheet: str, cell: str, value: object, found: ReportProblems, *, signed: bool = False
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        found.add(sheet, cell, f"“{value}”不是数字")
        return None
    if number != number.to_integral_value():
        found.add(sheet, cell, f"{value} 不是整数")
        return None
    if number < 0 and not signed:
        found.add(sheet, cell, f"{value} 是负数，应为非负整数")
        return None
    return int(number)


def _active(sheet: object, found: ReportProblems) -> dict[tuple[str, str], Decimal]:
    figures: dict[tuple[str, str], Decimal] = {}
    for _, label, column, cell in active_layout():
        value = sheet[cell].value  # type: ignore[index]
        if column == AMOUNT:
            try:
                amount = Decimal(str(value).strip()) if value not in (None, "") else Decimal(0)
            except InvalidOperation:
                found.add(ACTIVE_SHEET, cell, f"{AMOUNT}“{value}”不是数字")
                continue
            if amount < 0:
                found.add(ACTIVE_SHEET, cell, f"{AMOUNT} {value} 不能为负数")
                continue
            figures[label, column] = amount
            continue
        number = _number(ACTIVE_SHEET, cell, value, found, signed=column == SIGNED)
        if number is not None:
            figures[label, column] = Decimal(number)
    return figures


def _applications(sheet: object, found: ReportProblems) -> dict[tuple[str, str], int]:
    figures: dict[tuple[str, str], int] = {}
    for key, _ in APPLICATION_ROWS:
        if key is None:
            continue
        for column in APPLICATION_COLUMNS:
            cell = application_cell(key, column)
            number = _number(APPLICATION_SHEET, cell, sheet[cell].value, found)  # type: ignore[index]
            if number is not None:
                figures[key, column] = number
    expected = sum(1 for key, _ in APPLICATION_ROWS if key) * len(APPLICATION_COLUMNS)
    if len(figures) < expected:
        return figures  # bad cells are reported already; sums over them would mislead
    labels = dict(APPLICATION_ROWS)
    for key, _ in APPLICATION_ROWS:
        if key is None:
            continue
        parts = sum(figures[key, c] for c in APPLICANTS)
        if figures[key, "总计"] != parts:
            found.add(
                APPLICATION_SHEET,
                application_cell(key, "总计"),
                f"“{labels[key]}”的总计 = {figures[key, '总计']}，"
                f"各类申请人之和 = {parts}（{application_cell(key, APPLICANTS[0])}:"
                f"{application_cell(key, APPLICANTS[-1])}）",
            )
    for column in APPLICATION_COLUMNS:
        outcomes = sum(figures[key, column] for key in OUTCOMES)
        if figures["total", column] != outcomes:
            found.add(
                APPLICATION_SHEET,
                application_cell("total", column),
                f"{column}列“（七）总计” = {figures['total', column]}，"
                f"（一）至（六）之和 = {outcomes}",
            )
        new, carried = figures["new", column], figures["carried", column]
        total, forward = figures["total", column], figures["forward", column]
        if new + carried != total + forward:
            cells = "、".join(
                application_cell(k, column) for k in ("new", "carried", "total", "forward")
            )
            found.add(
                APPLICATION_SHEET,
                cells,
                f"{column}列：第一项 + 第二项 = {new} + {carried} = {new + carried}，"
                f"第三项 + 第四项 = {total} + {forward} = {total + forward}，两者应相等",
            )
    return figures


def _reviews(sheet: object, found: ReportProblems) -> dict[tuple[str, str], int]:
    figures: dict[tuple[str, str], int] = {}
    for group in REVIEW_GROUPS:
        for column in REVIEW_COLUMNS:
            cell = review_cell(group, column)
            number = _number(REVIEW_SHEET, cell, sheet[cell].value, found)  # type: ignore[index]
            if number is not None:
                figures[group, column] = number
        if all((group, c) in figures for c in REVIEW_COLUMNS):
            parts = sum(figures[group, c] for c in REVIEW_COLUMNS[:-1])
            if figures[group, "总计"] != parts:
                found.add(
                    REVIEW_SHEET,
                    review_cell(group, "总计"),
                    f"{group}的总计 = {figures[group, '总计']}，"
                    f"结果维持、结果纠正、其他结果、尚未审结之和 = {parts}",
                )
    return figures
