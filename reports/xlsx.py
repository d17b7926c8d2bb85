"""Excel workbooks: the office's table layout, and the ranking as 附件1 lays it out."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from domain.ranking import Ranking
from domain.rules import Rules
from reports.numbers import plain
from reports.ranking import ranking_headers


def workbook() -> Workbook:
    """An empty workbook: its sheets come from ``table_sheet``."""
    book = Workbook()
    book.remove(book.worksheets[0])
    return book


def table_sheet(book: Workbook, name: str, title: str, headers: Sequence[str]) -> Worksheet:
    """A new sheet laid out as the office's tables are: a title across the top, bold headings,
    the rows to follow."""
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    return sheet


def ranking_xlsx(ranking: Ranking, rules: Rules) -> bytes:
    """A one-sheet workbook: title row, 附件1's headings, one row per unit."""
    book = workbook()
    headers = [h.replace("\n", "") for h in ranking_headers(ranking, rules)]
    title = f"{ranking.period.first.year}年{ranking.period.label}政务公开工作信息得分情况"
    sheet = table_sheet(book, "得分情况", title, headers)
    for row in ranking.rows:
        sheet.append(
            [
                row.rank,
                row.unit,
                *(row.by_platform[p.code] or None for p in rules.platforms),
                row.submitted,
                row.published,
                plain(row.score),
            ]
        )
    sheet.column_dimensions["B"].width = 34
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
