"""Every workbook in the office's one table style, read back as Excel reads it."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.bulletin import build_bulletin
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.rules import Rules
from reports.bulletin import bulletin_xlsx
from reports.widths import text_width
from reports.xlsx import TableBook, ranking_xlsx
from storage.db import Database


def assert_table_style(sheet: Worksheet, columns: int) -> None:
    """Title merged across and bold, bold bordered headings, frozen, printed A4 landscape
    fitted to the width with the headings on every page."""
    title = sheet["A1"]
    assert title.font.b and title.font.sz >= 14
    if columns > 1:
        assert f"A1:{get_column_letter(columns)}1" in {str(r) for r in sheet.merged_cells.ranges}
    for cell in sheet[2][:columns]:
        assert cell.font.b, cell.coordinate
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize in (9, "9")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth is 1 when absent (the schema's default).
    assert sheet.page_setup.fitToWidth in (None, 1, "1")
    assert sheet.page_setup.fitToHeight in (0, "0")
    assert sheet.print_title_rows == "$2:$2"
    if sheet.max_row > 2:
        assert sheet.cell(3, 1).border.top.style == "thin"


def test_the_bulletin_workbook_has_three_finished_sheets(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, Month(2020, 7), dt.date(2020, 8, 5))
    book = load_workbook(io.BytesIO(bulletin_xlsx(bulletin, rules)))
    assert book.sheetnames == ["附件1 得分情况", "附件2 报送清单", "附件3 计分办法"]
    annex1, annex2, annex3 = book.worksheets
    assert_table_style(annex1, 9)
    assert_table_style(annex2, 4)
    assert_table_style(annex3, 2)
    # Numbers are numbers; empty platform counts blank, as 附件1 prints them.
    first = [c.value for c in annex1[3]]
    assert first[0] == 1 and first[1] == "党政办公室" and first[-1] == 30
    assert all(isinstance(v, int | float) for v in first[-3:])
    # Wide enough for the longest name and title, counted in CJK columns.
    longest_unit = max(len(r.unit) for r in bulletin.ranking.rows)
    assert annex1.column_dimensions["B"].width >= 2 * longest_unit
    longest_title = max(len(str(c.value)) for c in annex2["B"][2:])
    assert annex2.column_dimensions["B"].width >= min(60, 2 * longest_title)
    assert annex2.max_row == 2 + 17
    clauses = [row[1] for row in annex3.iter_rows(min_row=3, values_only=True)]
    assert "".join(clauses) == bulletin.scoring_rules and len(clauses) > 1


def test_a_ranking_workbook_is_styled_like_the_others(gaoxin: Database, rules: Rules) -> None:
    ranking = rank_units(gaoxin, rules, Period(Month(2020, 1), Month(2020, 7)))
    book = load_workbook(io.BytesIO(ranking_xlsx(ranking, rules)))
    assert_table_style(book.active, 9)


def test_dates_are_dates_and_widths_count_chinese_characters_twice() -> None:
    book = TableBook()
    sheet = book.table("表", "标题", ["日期", "名称", "数"])
    sheet.append([dt.date(2020, 7, 30), "济宁高新区管委会办公室", 3])
    sheet.append([None, "x", 2.5])
    read = load_workbook(io.BytesIO(book.save())).active
    assert read["A3"].value == dt.datetime(2020, 7, 30) and read["A3"].number_format == "yyyy-mm-dd"
    assert read["C3"].value == 3 and read["C4"].value == 2.5
    # An empty cell shows its column's borders, as Excel draws a formatted column.
    assert read["A4"].value is None and read.column_dimensions["A"].border.left.style == "thin"
    assert read.column_dimensions["B"].width >= 22
    assert text_width("济宁高新区") == 10 and text_width("abc") == 3


def test_a_text_longer_than_excel_allows_is_cut_not_refused() -> None:
    book = TableBook()
    sheet = book.table("表", "标题", ["名称", "说明"])
    sheet.append(["甲", "说" * 40_000])
    sheet.extend([("乙", "明" * 40_000)])
    read = load_workbook(io.BytesIO(book.save())).active
    assert read["B3"].value == "说" * 32_766 + "…" and read["B4"].value == "明" * 32_766 + "…"
