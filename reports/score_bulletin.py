"""The score bulletin (seed 004) as chat text, plain text, .docx, .xlsx and JSON."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from tabulate import tabulate

from domain.periods import chinese_date
from domain.score_bulletin import ScoreBulletin, ScoreLine, ScoreTable
from reports.chat import esc
from reports.numbers import plain, score_text
from reports.official import (
    annex_heading,
    annex_note,
    heading,
    official_document,
    paragraph,
    table_row,
    title,
)
from reports.xlsx import TableBook

KIND_NAMES = {"bonus": "加分", "penalty": "扣分", "veto": "单项否决"}


def year_cell(line: ScoreLine) -> str:
    """The year total as shown: ``0（单项否决）`` for a vetoed unit."""
    return "0（单项否决）" if line.vetoed else score_text(line.year_total)


def line_cells(bulletin: ScoreBulletin, line: ScoreLine) -> list[str]:
    """A table row as text: name, dimensions, the month, the year."""
    scores = [
        score_text(line.scores[d]) if line.scores and d in line.scores else "—"
        for d in bulletin.dimensions
    ]
    month = score_text(line.month_total) if line.month_total is not None else "—"
    return [line.unit, *scores, month, year_cell(line)]


def adjustment_lines(bulletin: ScoreBulletin) -> list[str]:
    """加减分 and 单项否决 of the year so far, one a line."""
    lines = []
    for item in bulletin.adjusted:
        when = f"{item.month.month}月"
        if item.kind == "veto":
            lines.append(f"{item.unit}：单项否决（{when}，{item.reason}），全年按零分计算。")
        else:
            sign = "+" if item.points >= 0 else ""
            lines.append(f"{item.unit}：{sign}{score_text(item.points)}分（{when}，{item.reason}）")
    return lines


def score_bulletin_text(bulletin: ScoreBulletin) -> str:
    """The whole score bulletin as plain text with aligned tables."""
    lines = [
        bulletin.publication,
        bulletin.issuer,
        chinese_date(bulletin.issued_on),
        "",
        bulletin.title,
        "",
        bulletin.intro,
        bulletin.summary,
    ]
    adjusted = adjustment_lines(bulletin)
    if adjusted:
        lines += ["", "加减分和单项否决：", *adjusted]
    lines += ["", "附件：" + "\n      ".join(f"{n}. {t.title}" for n, t in _annexes(bulletin))]
    for n, table in _annexes(bulletin):
        rows = [line_cells(bulletin, line) for line in table.lines]
        lines += ["", f"附件{n}", table.title, tabulate(rows, headers=bulletin.headers)]
    return "\n".join(lines) + "\n"


def score_bulletin_message(bulletin: ScoreBulletin, shown: int = 5) -> str:
    """/scores: the sentence and each category's head and tail, within one message."""
    lines = [f"<b>{esc(bulletin.title)}</b>", "", esc(bulletin.summary)]
    for table in bulletin.tables:
        lines += ["", f"<b>{esc(table.category)}</b>（{len(table.lines)} 个单位）"]
        picked = (
            table.lines
            if len(table.lines) <= 2 * shown
            else [
                *table.lines[:shown],
                *table.lines[-shown:],
            ]
        )
        rows = [[line.rank, line.unit, _month(line), year_cell(line)] for line in picked]
        head = ["名次", "单位", f"{bulletin.month.month}月", bulletin.year_label]
        lines.append(f"<pre>{esc(tabulate(rows, headers=head))}</pre>")
    adjusted = adjustment_lines(bulletin)
    if adjusted:
        lines += ["", "<b>加减分和单项否决</b>", *(esc(a) for a in adjusted[:10])]
    lines += ["", "完整表格见附件 .docx 和 .xlsx。"]
    return "\n".join(lines)


def score_bulletin_docx(bulletin: ScoreBulletin) -> bytes:
    """The bulletin laid out like seed 004: masthead, title, text, one annex table per category."""
    document = official_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(
        document, bulletin.publication, font="方正小标宋简体", size=26, align=center, indent=False
    )
    paragraph(
        document,
        f"{bulletin.issuer}    {chinese_date(bulletin.issued_on)}",
        align=center,
        indent=False,
    )
    paragraph(document, "", indent=False)
    title(document, bulletin.title)
    paragraph(document, bulletin.intro)
    paragraph(document, bulletin.summary)
    adjusted = adjustment_lines(bulletin)
    if adjusted:
        heading(document, "加减分和单项否决：")
        for text in adjusted:
            paragraph(document, text)
    annex_note(document, [table.title for _, table in _annexes(bulletin)])
    columns = len(bulletin.headers)
    name_width = 15.6 - 1.9 * (columns - 1)
    widths = [Cm(name_width), *[Cm(1.9)] * (columns - 1)]
    for n, table in _annexes(bulletin):
        annex_heading(document, f"附件{n}", table.title)
        grid = document.add_table(rows=1, cols=columns)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        table_row(grid.rows[0].cells, bulletin.headers, widths, bold=True, name_column=0)
        for line in table.lines:
            table_row(grid.add_row().cells, line_cells(bulletin, line), widths, name_column=0)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def score_bulletin_xlsx(bulletin: ScoreBulletin) -> bytes:
    """One sheet per category: title, headings, one row per unit (numbers as numbers)."""
    book = TableBook()
    for n, table in _annexes(bulletin):
        sheet = book.table(f"附件{n}", table.title, bulletin.headers)
        for line in table.lines:
            scores = [
                _number(line.scores.get(d)) if line.scores else None for d in bulletin.dimensions
            ]
            year = "0（单项否决）" if line.vetoed else plain(line.year_total)
            sheet.append([line.unit, *scores, _number(line.month_total), year])
    return book.save()


def score_bulletin_json(bulletin: ScoreBulletin) -> str:
    """The bulletin as JSON: the text, and per category its rows, best first."""
    return json.dumps(
        {
            "month": str(bulletin.month),
            "title": bulletin.title,
            "summary": bulletin.summary,
            "dimensions": bulletin.dimensions,
            "categories": [
                {
                    "category": table.category,
                    "title": table.title,
                    "rows": [
                        {
                            "rank": line.rank,
                            "unit": line.unit,
                            "scores": {k: plain(v) for k, v in (line.scores or {}).items()},
                            "month_total": _number(line.month_total),
                            "year_total": plain(line.year_total),
                            "adjustments": plain(line.adjustments),
                            "vetoed": line.vetoed,
                        }
                        for line in table.lines
                    ],
                }
                for table in bulletin.tables
            ],
            "adjustments": [
                {
                    "unit": item.unit,
                    "month": str(item.month),
                    "kind": item.kind,
                    "points": plain(item.points),
                    "reason": item.reason,
                }
                for item in bulletin.adjusted
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def _annexes(bulletin: ScoreBulletin) -> list[tuple[int, ScoreTable]]:
    return list(enumerate(bulletin.tables, start=1))


def _month(line: ScoreLine) -> str:
    return score_text(line.month_total) if line.month_total is not None else "—"


def _number(value: Decimal | None) -> int | float | None:
    return None if value is None else plain(value)
