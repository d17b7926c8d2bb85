"""Excel workbooks in the office's one table style.

Every table the project writes looks the same: the title merged across the top in bold, a bold
header row with borders and wrapping, the header frozen and repeated on every printed page,
columns as wide as their text (a Chinese character counts two), borders on every cell, numbers
and dates as Excel numbers and dates, and A4 landscape printing fitted to the page width.

XlsxWriter's constant-memory mode streams each row to a temporary file as it is written, so a
sheet of a million rows costs the memory of one row.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from domain.ranking import Ranking
from domain.rules import Rules
from reports.numbers import plain
from reports.ranking import ranking_headers
from reports.widths import text_width

# Columns are sized from the first rows; a million-row sheet is not measured to its end.
MEASURED_ROWS = 2000
MIN_WIDTH, MAX_WIDTH = 6, 60
# A long heading wraps rather than widen a column of small numbers.
HEADER_WIDTH = 14
_FONT = "宋体"


class Table:
    """One sheet of the office's table style: create it with ``TableBook.table``, then
    ``append`` rows in order."""

    def __init__(self, book: TableBook, sheet: Worksheet, title: str, headers: Sequence[str]):
        self._book = book
        self._sheet = sheet
        self._row = 2
        self._widths = [max(MIN_WIDTH, min(HEADER_WIDTH, text_width(h) + 2)) for h in headers]
        if len(headers) > 1:
            sheet.merge_range(0, 0, 0, len(headers) - 1, title, book.title_format)
        else:
            sheet.write_string(0, 0, title, book.title_format)
        sheet.set_row(0, 30)
        for column, header in enumerate(headers):
            sheet.write_string(1, column, header, book.header_format)
        sheet.freeze_panes(2, 0)
        sheet.repeat_rows(1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.center_horizontally()
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def append(self, values: Iterable[Any]) -> None:
        """Write one row: strings as text, numbers as numbers, dates as dates, None blank."""
        book, sheet, row = self._book, self._sheet, self._row
        measure = row < MEASURED_ROWS + 2
        for column, value in enumerate(values):
            shown = ""
            if value is None or value == "":
                sheet.write_blank(row, column, None, book.text_format)
            elif isinstance(value, bool):
                shown = "是" if value else "否"
                sheet.write_string(row, column, shown, book.text_format)
            elif isinstance(value, int | float | Decimal):
                shown = str(value)
                sheet.write_number(row, column, float(value), book.number_format)
            elif isinstance(value, dt.date):
                shown = "2020-07-30"  # as yyyy-mm-dd shows it
                moment = dt.datetime.combine(value, dt.time())
                sheet.write_datetime(row, column, moment, book.date_format)
            else:
                shown = str(value)
                sheet.write_string(row, column, shown, book.text_format)
            if measure:
                width = min(MAX_WIDTH, text_width(shown) + 2)
                if width > self._widths[column]:
                    self._widths[column] = width
        self._row += 1

    def finish(self) -> None:
        """Set the column widths measured while writing."""
        for column, width in enumerate(self._widths):
            self._sheet.set_column(column, column, width)


class TableBook:
    """A workbook of ``Table`` sheets, written into memory."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._out, {"constant_memory": True})
        self._tables: list[Table] = []
        font = {"font_name": _FONT, "valign": "vcenter"}
        base = {**font, "font_size": 11, "border": 1}
        self.title_format: Format = self._book.add_format(
            {**font, "font_size": 16, "bold": True, "align": "center"}
        )
        self.header_format: Format = self._book.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9D9D9"}
        )
        self.text_format: Format = self._book.add_format({**base, "text_wrap": True})
        self.number_format: Format = self._book.add_format({**base, "align": "center"})
        self.date_format: Format = self._book.add_format(
            {**base, "align": "center", "num_format": "yyyy-mm-dd"}
        )

    def table(self, name: str, title: str, headers: Sequence[str]) -> Table:
        """A new sheet named ``name`` headed by ``title`` and ``headers``."""
        table = Table(self, self._book.add_worksheet(name[:31]), title, headers)
        self._tables.append(table)
        return table

    def save(self) -> bytes:
        """The finished workbook."""
        for table in self._tables:
            table.finish()
        self._book.close()
        return self._out.getvalue()


def ranking_xlsx(ranking: Ranking, rules: Rules) -> bytes:
    """A one-sheet workbook: 附件1's title, headings and one row per unit."""
    book = TableBook()
    headers = [h.replace("\n", "") for h in ranking_headers(ranking, rules)]
    title = f"{ranking.period.dated_label}政务公开工作信息得分情况"
    sheet = book.table("得分情况", title, headers)
    for row in ranking.rows:
        sheet.append(ranking_row(row, rules))
    return book.save()


def ranking_row(row: Any, rules: Rules) -> list[Any]:
    """附件1's row for a unit: platform counts blank where zero."""
    return [
        row.rank,
        row.unit,
        *(row.by_platform[p.code] or None for p in rules.platforms),
        row.submitted,
        row.published,
        plain(row.score),
    ]
