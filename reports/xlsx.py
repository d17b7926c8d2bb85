"""Excel workbooks in the office's one table style.

Every table the project writes looks the same: the title merged across the top in bold, a bold
header row with borders and wrapping, the header frozen and repeated on every printed page,
columns as wide as their text (a Chinese character counts two), borders on every cell, numbers
and dates as Excel numbers and dates, and A4 landscape printing fitted to the page width.

The workbook is written by rustpy-xlsxwriter (rust_xlsxwriter underneath), row by row from the
tables' iterators in constant memory: a million-row 附件2 takes seconds, where XlsxWriter spent
7 µs a cell in Python. It styles a table by its columns, so an empty cell shows its column's
borders as Excel shows any cell of a formatted column.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rustpy_xlsxwriter import Format, write_worksheets

from domain.ranking import Ranking
from domain.rollup import RollUpRow
from domain.rules import Rules
from reports.numbers import change_mark, plain
from reports.ranking import ranking_headers
from reports.widths import text_width

# Columns are sized from the first rows; a million-row sheet is not measured to its end.
MEASURED_ROWS = 2000
MIN_WIDTH, MAX_WIDTH = 6, 60
# A long heading wraps rather than widen a column of small numbers.
HEADER_WIDTH = 14
_FONT = "宋体"
TITLE_HEIGHT, LINE_HEIGHT = 30.0, 15.0
# Values the library writes as they are: no conversion.
_NUMBERS = frozenset({int, float})
# Excel's most characters in a cell; the library refuses a longer string.
CELL_MAX = 32_767
_DATE = "yyyy-mm-dd"
_PAGE = {
    "landscape": True,
    "paper_size": 9,  # A4
    "fit_to_pages": (1, 0),
    "repeat_rows": (1, 1),
    "margins": {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6},
    "center_horizontally": True,
    "footer": "&C第 &P 页，共 &N 页",
}


def _format(size: int = 11, border: bool = True) -> Format:
    made = Format().set_font_name(_FONT).set_font_size(size).set_align("vcenter")
    return made.set_border("thin") if border else made


@dataclass(frozen=True)
class Layout:
    """A sheet's column widths, column kinds (text, number, date) and the heights of the rows
    that need more than one line."""

    widths: list[float]
    kinds: list[str]
    heights: dict[int, float]


class Table:
    """One sheet of the office's table style: create it with ``TableBook.table``, then
    ``append`` rows or ``extend`` it with an iterator that is read only when the book is
    saved."""

    def __init__(self, name: str, title: str, headers: Sequence[str]):
        if len(headers) < 2:
            raise ValueError("a table has at least two columns: its title is merged across them")
        self.name = name[:31]
        self.title = title
        self.headers = _distinct(headers)
        self._rows: list[Iterable[Sequence[Any]]] = []

    def append(self, values: Sequence[Any]) -> None:
        """Add one row: strings as text, numbers as numbers, dates as dates, None blank."""
        self._rows.append([values])

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add the rows of an iterator, read while the workbook is written."""
        self._rows.append(rows)

    def layout(self) -> tuple[Layout, Iterator[dict[str, Any]]]:
        """How the sheet is laid out, judged on its first rows, and every row as a record."""
        rows = itertools.chain.from_iterable(self._rows)
        first = [[_cell(value) for value in row] for row in itertools.islice(rows, MEASURED_ROWS)]
        widths = [max(MIN_WIDTH, min(HEADER_WIDTH, text_width(h) + 2)) for h in self.headers]
        for row in first:
            for column, value in enumerate(row):
                width = min(MAX_WIDTH, _shown_width(value) + 2)
                if width > widths[column]:
                    widths[column] = width
        kinds = [
            next((_kind(row[column]) for row in first if row[column] is not None), "text")
            for column in range(len(self.headers))
        ]
        # Wrapped lines need their rows' heights stated: LibreOffice keeps the default height.
        heights = {0: TITLE_HEIGHT}
        for index, row in enumerate([self.headers, *first], start=1):
            lines = max(_lines(value, width) for value, width in zip(row, widths, strict=False))
            if lines > 1:
                heights[index] = LINE_HEIGHT * lines
        headers = self.headers
        if not first:
            # The library writes the header from the first record: an empty table has one.
            first = [[None] * len(headers)]
        rest = ([v if type(v) in _NUMBERS else _cell(v) for v in row] for row in rows)
        records = (dict(zip(headers, row, strict=False)) for row in itertools.chain(first, rest))
        return Layout([float(w) for w in widths], kinds, heights), records


class TableBook:
    """A workbook of ``Table`` sheets, written into memory."""

    def __init__(self) -> None:
        self._tables: list[Table] = []

    def table(self, name: str, title: str, headers: Sequence[str]) -> Table:
        """A new sheet named ``name`` headed by ``title`` and ``headers``."""
        table = Table(name, title, headers)
        self._tables.append(table)
        return table

    def save(self) -> bytes:
        """The finished workbook."""
        title = _format(16, border=False).set_bold().set_align("center")
        header = _format().set_bold().set_align("center").set_text_wrap()
        header = header.set_background_color("#D9D9D9")
        by_kind = {
            "text": _format().set_text_wrap(),
            "number": _format().set_align("center"),
            "date": _format().set_align("center").set_num_format(_DATE),
        }
        sheets: list[Any] = []
        # Each of the library's options is a mapping from the sheet's name.
        widths: dict[str, Any] = {}
        formats: dict[str, Any] = {}
        merges: dict[str, Any] = {}
        heights: dict[str, Any] = {}
        for table in self._tables:
            layout, records = table.layout()
            sheets.append((table.name, records))
            widths[table.name] = layout.widths
            formats[table.name] = [by_kind[kind] for kind in layout.kinds]
            heights[table.name] = layout.heights
            last = len(table.headers) - 1
            merges[table.name] = [(0, 0, 0, last, table.title, title)]
        names = [table.name for table in self._tables]
        out = io.BytesIO()
        write_worksheets(
            sheets,
            out,
            datetime_format=_DATE,
            column_widths=widths,
            column_formats=formats,
            header_format={name: header for name in names},
            header_row={name: 1 for name in names},
            merge_ranges=merges,
            row_heights=heights,
            freeze_panes={name: {"row": 2, "col": 0} for name in names},
            page_setup={name: _PAGE for name in names},
        )
        return out.getvalue()


def _distinct(headers: Sequence[str]) -> list[str]:
    """Headers as record keys: a repeated one is told apart by its position."""
    seen: set[str] = set()
    out = []
    for n, header in enumerate(headers, start=1):
        out.append(header if header not in seen else f"{header}（{n}）")
        seen.add(out[-1])
    return out


def _cell(value: Any) -> Any:
    if type(value) is str:
        return value if len(value) <= CELL_MAX else value[: CELL_MAX - 1] + "…"
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return _cell(str(value))


def _kind(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "date"
    return "number" if isinstance(value, int | float) else "text"


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped value takes in a column ``width`` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    return sum(max(1, -(-text_width(part) // max(1, int(width) - 1))) for part in value.split("\n"))


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len("2020-07-30")
    return text_width(str(value))


def ranking_xlsx(
    ranking: Ranking, rules: Rules, changes: Mapping[str, int | None] | None = None
) -> bytes:
    """A one-sheet workbook: 附件1's title, headings and one row per unit; with ``changes``,
    a last column 较上月 (↑2, ↓1, —, 新)."""
    book = TableBook()
    headers = [h.replace("\n", "") for h in ranking_headers(ranking, rules)]
    if changes is not None:
        headers.append("较上月")
    title = f"{ranking.period.dated_label}政务公开工作信息得分情况"
    sheet = book.table("得分情况", title, headers)
    for row in ranking.rows:
        cells = ranking_row(row, rules)
        if changes is not None:
            cells.append(change_mark(changes.get(row.unit)))
        sheet.append(cells)
    return book.save()


def ranking_row(row: Any, rules: Rules) -> list[Any]:
    """附件1's row for a unit: platform counts blank where zero."""
    return [
        row.rank,
        row.unit,
        *(row.by_platform[p.code] or None for p in rules.platforms),
        *([row.endorsed or None] if rules.endorsements else []),
        *([plain(row.quota)] if rules.quota else []),
        row.submitted,
        row.published,
        plain(row.score),
    ]


def rollup_row(row: RollUpRow, rules: Rules) -> list[Any]:
    """附件4's row for an office below: its counts as numbers, platform counts blank where
    zero."""
    return [
        row.rank or None,
        row.office,
        row.submitted,
        row.forwarded,
        row.sent_up,
        *(row.by_platform.get(p.code) or None for p in rules.platforms),
        plain(row.score),
    ]
