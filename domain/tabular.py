"""Reading CSV and XLSX files as rows with their line numbers."""

from __future__ import annotations

import csv
import gc
import io
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

from domain.errors import UserError
from domain.text import strip_invisible

# An .xlsx is a zip archive: what it may unpack to, and how many parts it may hold. A 96 KB
# file can hold 40 MB of shared strings; the office's real tables stay far below these.
MAX_UNPACKED = 30 * 1024 * 1024
MAX_PARTS = 500
# What one import may hold and take, whatever the format: a city's year of articles is a few
# tens of thousands of rows of a dozen columns. Blank rows count towards the time only.
MAX_ROWS = 50_000
# An operator's file on the server (a city moving in with its history) may be longer.
HISTORY_MAX_ROWS = 1_000_000
MAX_COLUMNS = 60
MAX_SECONDS = 30.0


@dataclass(frozen=True)
class SourceRow:
    """One non-blank data row: its line (row) number in the file and its cells by column."""

    line: int
    cells: dict[str, str]


def header_of(name: str, content: bytes) -> list[str]:
    """The column names in the file's first row, lower-cased."""
    table = _lines(name, content)
    return _normalise(table[0][1]) if table else []


def _normalise(header: Sequence[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff").lower() for h in header]


def _lines(name: str, content: bytes, max_rows: int | None = None) -> list[tuple[int, list[str]]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(name, content)
    elif suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(name, content)
    else:
        raise UserError(f"{name}：不支持的文件类型，请使用 .csv 或 .xlsx")
    return _within_limits(name, rows, MAX_ROWS if max_rows is None else max_rows)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block (on again after it, if it was on).

    Reading a large file builds hundreds of thousands of rows, dicts and models, none in a
    cycle; the collector's passes over them, each longer as they pile up, took a third of
    the time it takes to read 100,000 rows. What the block leaves in cycles is collected
    once it is on again.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _within_limits(
    name: str, rows: Iterator[tuple[int, Sequence[str]]], max_rows: int
) -> list[tuple[int, list[str]]]:
    """The rows read, refused in one line once they pass ``max_rows`` non-blank rows, fill a
    column past ``MAX_COLUMNS`` or take longer than ``MAX_SECONDS`` to read."""
    deadline = time.monotonic() + MAX_SECONDS
    lines: list[tuple[int, list[str]]] = []
    for count, (line, values) in enumerate(rows):
        if count % 1000 == 0 and time.monotonic() > deadline:
            raise UserError(
                f"{name}：读取超过 {MAX_SECONDS:.0f} 秒（读到第 {line} 行）仍未读完，未导入。"
                "请删除多余的行、列或格式后再发送。"
            )
        # Whether cells hold anything but spaces, asked of their text joined (once a row).
        if len(values) > MAX_COLUMNS and "".join(values[MAX_COLUMNS:]).strip():
            raise UserError(
                f"{name} 第 {line} 行：超过 {MAX_COLUMNS} 列，未导入。请只保留需要导入的列。"
            )
        kept = list(values[:MAX_COLUMNS])
        if not "".join(kept).strip():
            continue
        if len(lines) > max_rows:  # the header and max_rows data rows are allowed
            raise UserError(
                f"{name}：超过 {max_rows} 行数据（第 {line} 行），未导入。请分成几个文件发送。"
            )
        lines.append((line, kept))
    return lines


def read_rows(
    name: str,
    content: bytes,
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
    max_rows: int | None = None,
) -> list[SourceRow]:
    """Rows of a CSV or XLSX file whose header holds every one of ``columns``.

    ``name`` decides the format by its extension. Blank rows are skipped; cells are strings,
    stripped. ``optional`` columns read as "" when the header lacks them; ``aliases`` maps other
    spellings of a column name to the one used here. A file that cannot be read, lacks a
    column, or holds more than ``max_rows`` data rows (default ``MAX_ROWS``) is a
    ``UserError``.
    """
    aliases = aliases or {}
    shown = ",".join(_label(c, aliases) for c in columns)
    table = _lines(name, content, max_rows)
    if not table:
        raise UserError(f"{name}：文件为空，第 1 行应为表头：{shown}")
    header_line, header = table[0]
    header = [aliases.get(h, h) for h in _normalise(header)]
    missing = [c for c in columns if c not in header]
    if missing:
        lacking = "、".join(_label(c, aliases) for c in missing)
        raise UserError(f"{name} 第 {header_line} 行：表头缺少列 {lacking}（应为 {shown}）")
    index = {c: header.index(c) for c in (*columns, *optional) if c in header}
    absent = {c: "" for c in optional if c not in index}
    places = list(index.items())
    width = max(index.values()) + 1
    rows = []
    for line, values in table[1:]:  # blank rows are already left out
        if len(values) < width:  # a row that ends early: its missing cells are empty
            values = values + [""] * (width - len(values))
        cells = {c: values[i].strip() for c, i in places}
        rows.append(SourceRow(line, cells | absent if absent else cells))
    return rows


def _label(column: str, aliases: Mapping[str, str]) -> str:
    """A column as users know it: its first Chinese alias, with the contract's name."""
    if not column.isascii():
        return column
    chinese = next((a for a, c in aliases.items() if c == column and not a.isascii()), None)
    return f"{chinese}（{column}）" if chinese else column


def _csv_rows(name: str, content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{name}：不是 UTF-8 编码的 CSV 文件（Excel 请另存为“CSV UTF-8”）"
        ) from None
    # What cannot be seen or stored (NUL, control and zero-width characters) goes, as it does
    # from chat messages: from the whole text at once (a cell at a time is a tenth of a
    # large import), its line breaks first made "\n", which the rule keeps.
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for values in reader:
            yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UserError(f"{name} 第 {reader.line_num} 行：CSV 格式错误（{exc}）") from None


EXCEL, WORD = "无法读取的 Excel 文件", "不是 Word（.docx）文件"


def check_archive(name: str, content: bytes, unreadable: str = EXCEL) -> list[str]:
    """The part names of an .xlsx or .docx (both zip archives), refused before anything is
    unpacked when the archive would unpack beyond ``MAX_UNPACKED`` or holds more than
    ``MAX_PARTS`` parts (unpacking stops at the sizes the archive declares, so these bound
    the work); ``unreadable`` is what a file that is no archive is told."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise UserError(f"{name}：{unreadable}") from None
    if len(parts) > MAX_PARTS:
        raise UserError(f"{name}：文件内含 {len(parts)} 个部件，超过上限 {MAX_PARTS} 个，未读取。")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise UserError(
            f"{name}：解压后约 {unpacked // 2**20} MB，超过上限 {MAX_UNPACKED // 2**20} MB，"
            "未读取。请删除多余的工作表或内容后再发送。"
        )
    return [part.filename for part in parts]


def open_workbook(name: str, content: bytes, *, read_only: bool = True) -> Workbook:
    """A workbook from an upload, within the archive limits, values rather than formulas;
    an unreadable file is a ``UserError``."""
    check_archive(name, content)
    try:
        return load_workbook(io.BytesIO(content), read_only=read_only, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UserError(f"{name}：无法读取的 Excel 文件") from None


def _xlsx_rows(name: str, content: bytes) -> Iterator[tuple[int, list[str]]]:
    workbook = open_workbook(name, content)
    try:
        sheet = workbook.worksheets[0]
        # One column past the limit is read, to tell a filled one from the limit's edge.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        # Excel stores dates as datetimes; an article's date has no time of day.
        return value.date().isoformat()  # type: ignore[attr-defined]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # What cannot be seen or stored goes, as from a CSV file.
    return strip_invisible(str(value))
