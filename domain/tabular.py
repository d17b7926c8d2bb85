"""Reading CSV and XLSX files as rows with their line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from domain.errors import UserError


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


def _lines(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_lines(name, content)
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_lines(name, content)
    raise UserError(f"{name}：不支持的文件类型，请使用 .csv 或 .xlsx")


def read_rows(
    name: str,
    content: bytes,
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> list[SourceRow]:
    """Rows of a CSV or XLSX file whose header holds every one of ``columns``.

    ``name`` decides the format by its extension. Blank rows are skipped; cells are strings,
    stripped. ``optional`` columns read as "" when the header lacks them; ``aliases`` maps other
    spellings of a column name to the one used here. A file that cannot be read, or lacks a
    column, is a ``UserError``.
    """
    table = _lines(name, content)
    if not table:
        raise UserError(f"{name}：文件为空，第 1 行应为表头：{','.join(columns)}")
    header_line, header = table[0]
    header = [(aliases or {}).get(h, h) for h in _normalise(header)]
    missing = [c for c in columns if c not in header]
    if missing:
        raise UserError(
            f"{name} 第 {header_line} 行：表头缺少列 {'、'.join(missing)}"
            f"（应为 {','.join(columns)}）"
        )
    index = {c: header.index(c) for c in (*columns, *optional) if c in header}
    rows = []
    for line, values in table[1:]:
        if not any(v.strip() for v in values):
            continue
        cells = {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}
        cells.update({c: "" for c in optional if c not in index})
        rows.append(SourceRow(line, cells))
    return rows


def _csv_lines(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{name}：不是 UTF-8 编码的 CSV 文件（Excel 请另存为“CSV UTF-8”）"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = []
    start = 1
    try:
        for values in reader:
            lines.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UserError(f"{name} 第 {reader.line_num} 行：CSV 格式错误（{exc}）") from None
    return lines


def _xlsx_lines(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UserError(f"{name}：无法读取的 Excel 文件") from None
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
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
    return str(value)
