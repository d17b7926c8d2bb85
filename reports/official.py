"""Official documents (公文) in Word, laid out as GB/T 9704-2012 lays them out.

A4 with the standard margins (版心 156 × 225 mm); 发文机关标志 in red 小标宋 and 发文字号 above
a red rule when the office has them; the title in 二号小标宋, every line the same size;
主送机关 flush left; the text in 三号仿宋 with a two-character indent, 黑体 and 楷体 headings;
附件说明 with the attachment names aligned; 发文机关署名 two characters from the right and the
成文日期 under it, two characters further right; page numbers "— 1 —" in 四号宋体, right on
odd pages and left on even ones; each attachment on a new page with 附件N at the top left.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.widths import text_width

TEXT_FONT, HEADING_FONT, SUBHEADING_FONT = "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_FONT, NUMBER_FONT = "方正小标宋简体", "宋体"
TEXT_SIZE, TITLE_SIZE, MARK_SIZE, PAGE_NUMBER_SIZE = 16, 22, 26, 14
LINE = Pt(28)  # 22 lines of 28 characters on the page
RED = RGBColor(0xFF, 0x00, 0x00)

# Left and right margins of every page, in cm: A4's 21 cm leaves the 版心's 15.6.
MARGINS_CM = 5.4


@dataclass(frozen=True)
class Letterhead:
    """版头: 发文机关标志 and, when the office numbers its documents, 发文字号."""

    mark: str
    number: str = ""


def set_font(run: Any, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font, the East Asian one included."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # East Asian text takes the eastAsia font, which python-docx does not set by itself.
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


def paragraph(
    document: Any,
    text: str,
    *,
    font: str = TEXT_FONT,
    size: float = TEXT_SIZE,
    bold: bool = False,
    align: object = None,
    indent: bool = True,
) -> Any:
    """Add a paragraph in official-document style: 仿宋 三号, two-character indent, 28 pt lines."""
    para = document.add_paragraph()
    if align is not None:
        para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Pt(size * 2)
    para.paragraph_format.line_spacing = LINE
    para.paragraph_format.space_after = Pt(0)
    set_font(para.add_run(text), font, size, bold)
    return para


def official_document(letterhead: Letterhead | None = None) -> Any:
    """An empty A4 document with the margins, page numbers and 版头 of official documents."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)  # MARGINS_CM together
    section.footer_distance = Cm(2.8)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    if letterhead is not None and letterhead.mark:
        _letterhead(document, letterhead)
    return document


def _page_number(para: Any, align: object) -> None:
    """``— 1 —`` in 四号宋体, one character in from the edge (GB/T 9704 §7.5)."""
    para.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        para.paragraph_format.right_indent = Pt(PAGE_NUMBER_SIZE)
    else:
        para.paragraph_format.left_indent = Pt(PAGE_NUMBER_SIZE)
    set_font(para.add_run("— "), NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = para.add_run()
    set_font(run, NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._element.append(end)
    set_font(para.add_run(" —"), NUMBER_FONT, PAGE_NUMBER_SIZE)


def _letterhead(document: Any, letterhead: Letterhead) -> None:
    mark = paragraph(
        document,
        letterhead.mark,
        font=TITLE_FONT,
        size=MARK_SIZE,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    mark.runs[0].font.color.rgb = RED
    mark.paragraph_format.space_after = Pt(TEXT_SIZE * 2)
    rule = paragraph(document, letterhead.number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    # The red rule under 发文字号, drawn as the paragraph's bottom border.
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    rule._element.get_or_add_pPr().append(borders)
    paragraph(document, "", indent=False)


def title(document: Any, *lines: str) -> None:
    """The title in 二号小标宋, centred, every line the same size, a blank line after."""
    for line in lines:
        paragraph(
            document,
            line,
            font=TITLE_FONT,
            size=TITLE_SIZE,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
    paragraph(document, "", indent=False)


def recipients(document: Any, text: str) -> None:
    """主送机关, flush left, with its colon."""
    paragraph(document, f"{text.rstrip('：:')}：", indent=False)


def heading(document: Any, text: str) -> None:
    """A first-level heading (一、…) in 黑体."""
    paragraph(document, text, font=HEADING_FONT)


def subheading(document: Any, text: str) -> None:
    """A second-level heading (（一）…) in 楷体."""
    paragraph(document, text, font=SUBHEADING_FONT)


def characters(text: str) -> float:
    """Characters of 三号 ``text`` takes: a CJK character one, a digit or letter half."""
    return text_width(text) / 2


def annex_note(document: Any, titles: list[str]) -> None:
    """附件说明: a blank line, then ``附件：1．名称`` with every name, wrapped lines included,
    starting in the same column. Kept on the page of the text's last paragraph and of the
    署名 that follows, so that no page holds only the 落款."""
    _keep_last_with_next(document)
    paragraph(document, "", indent=False).paragraph_format.keep_with_next = True
    several = len(titles) > 1
    for n, name in enumerate(titles, start=1):
        number = f"{n}．" if several else ""
        lead = "附件：" if n == 1 else ""
        para = paragraph(document, f"{lead}{number}{name}", indent=False)
        # The names start after 2 (indent) + 3 (附件：) + the number's width.
        start = 2 + 3 + characters(number)
        para.paragraph_format.left_indent = Pt(TEXT_SIZE * start)
        para.paragraph_format.first_line_indent = Pt(
            -TEXT_SIZE * (start - 2 if n == 1 else characters(number))
        )
        para.paragraph_format.keep_with_next = True


def _keep_last_with_next(document: Any) -> None:
    """Keep the document's last paragraph on the page of the paragraph added after it."""
    last = document.paragraphs[-1] if document.paragraphs else None
    if last is not None:
        last.paragraph_format.keep_with_next = True


def signature(document: Any, issuer: str, date: str) -> None:
    """发文机关署名 and 成文日期 without a seal: one blank line under the text, the date two
    characters from the right, the issuer's first character two to the left of the date's
    (or, for a long name, the name two from the right and the date under its middle)."""
    # The 落款 on the page of the text's last lines: a page of nothing but a date is not signed.
    _keep_last_with_next(document)
    paragraph(document, "", indent=False).paragraph_format.keep_with_next = True
    name, day = characters(issuer), characters(date)
    date_right = 2.0
    name_right = date_right + day + 2 - name
    if name_right < 2:
        name_right = 2.0
        date_right = max(2.0, name_right + name - 2 - day)
    for text, right in ((issuer, name_right), (date, date_right)):
        para = paragraph(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        para.paragraph_format.right_indent = Pt(TEXT_SIZE * right)
        para.paragraph_format.keep_with_next = text == issuer


def annex_heading(document: Any, label: str, name: str, *, new_page: bool = True) -> None:
    """``附件N`` at the top left in 黑体 and the attachment's title, on a new page (or on the
    page a new section just began)."""
    para = document.add_paragraph()
    if new_page:
        para.add_run().add_break(WD_BREAK.PAGE)
    para.paragraph_format.line_spacing = LINE
    set_font(para.add_run(label), HEADING_FONT, TEXT_SIZE)
    paragraph(document, "", indent=False)
    title(document, name)


def page_section(document: Any, *, landscape: bool) -> float:
    """Begin a new page as a section of its own, A4 landscape or portrait with the same
    margins (and page numbers); the width between its margins, in cm."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    return (29.7 if landscape else 21) - MARGINS_CM


def table_row(
    cells: Any, values: list[str], widths: list[Any], bold: bool = False, name_column: int = 1
) -> None:
    """Fill a table row: the names' column left-aligned, the others centred."""
    for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
        cell.width = widths[column]
        para = cell.paragraphs[0]
        left = column == name_column
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
        set_font(para.add_run(value), TEXT_FONT, 10.5, bold)


def saved(document: Any) -> bytes:
    """The document as .docx bytes."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
