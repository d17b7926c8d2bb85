"""Excel workbooks: the ranking as 附件1 lays it out."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.ranking import Ranking
from domain.rules import Rules
from reports.numbers import plain
from reports.ranking import ranking_headers


def ranking_xlsx(ranking: Ranking, rules: Rules) -> bytes:
    """A one-sheet workbook: title row, 附件1's headings, one row per unit."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "得分情况"
    headers = [h.replace("\n", "") for h in ranking_headers(ranking, rules)]
    title = f"{ranking.period.first.year}年{ranking.period.label}政务公开工作信息得分情况"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
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
