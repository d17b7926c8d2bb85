"""Building blocks of official documents (公文) in Word: A4 with GB/T 9704 margins, 仿宋 text,
黑体 headings, 小标宋 titles, plain tables."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt


def set_font(run: object, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font, the East Asian one included."""
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    # East Asian text takes the eastAsia font, which python-docx does not set by itself.
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # type: ignore[attr-defined]


def paragraph(
    document: object,
    text: str,
    *,
    font: str = "仿宋_GB2312",
    size: float = 16,
    bold: bool = False,
    align: object = None,
    indent: bool = True,
) -> None:
    """Add a paragraph in official-document style: 仿宋 三号, two-character indent, 28 pt lines."""
    para = document.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Pt(size * 2)
    para.paragraph_format.line_spacing = Pt(28)
    set_font(para.add_run(text), font, size, bold)


def official_document() -> Any:
    """An empty A4 document with the margins of official documents (GB/T 9704)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    return document


def table_row(
    cells: Any, values: list[str], widths: list[Any], bold: bool = False, name_column: int = 1
) -> None:
    """Fill a table row: the names' column left-aligned, the others centred."""
    for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
        cell.width = widths[column]
        para = cell.paragraphs[0]
        left = column == name_column
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
        set_font(para.add_run(value), "仿宋_GB2312", 10.5, bold)


def annex_heading(document: object, label: str, title: str) -> None:
    """A new page with ``附件N`` and the attachment's title."""
    para = document.add_paragraph()  # type: ignore[attr-defined]
    para.add_run().add_break(WD_BREAK.PAGE)
    set_font(para.add_run(label), "黑体", 16)
    paragraph(
        document,
        title,
        font="方正小标宋简体",
        size=18,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
