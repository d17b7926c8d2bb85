"""The bulletin as chat text, plain text, .docx (official layout), .xlsx and a .png chart."""

from __future__ import annotations

from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm

from domain.bulletin import Bulletin
from domain.periods import chinese_date
from domain.rules import Rules
from domain.wording import some_units
from reports.charts import ranking_chart, trend_chart
from reports.chat import esc
from reports.official import (
    Letterhead,
    annex_heading,
    annex_note,
    heading,
    official_document,
    page_section,
    paragraph,
    recipients,
    saved,
    signature,
    table_row,
    title,
)
from reports.ranking import ranked_table, ranking_cells, ranking_headers, ranking_table
from reports.rollup import rollup_cells, rollup_headers
from reports.xlsx import TableBook, ranking_row, rollup_row

# Past this many lines 附件2 in the .docx points to the .xlsx, which always has them all.
DOCX_ANNEX_LIMIT = 2000
# 附件1's columns in cm: 名次, the least a unit's name may have, each count.
RANK_CM, NAME_MIN_CM, COUNT_CM = 1.1, 3.0, 1.4
_CHAT_NAMES = 30
_CHAT_PARAGRAPHS = 10


def first_sentence(text: str) -> str:
    """Up to and including the first 。 (the whole text when it has none)."""
    end = text.find("。")
    return text if end < 0 else text[: end + 1]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bulletin_message(bulletin: Bulletin) -> str:
    """The chat message posted with the files (HTML, within one message): the title, 主送,
    every section's heading with its first lines, the attachments, and the 落款."""
    lines = [
        f"<b>{esc(bulletin.issuer)}</b>",
        f"<b>{esc(bulletin.title)}</b>",
        "",
        f"{esc(bulletin.recipients)}：",
        "",
        "<b>一、基本情况</b>",
        esc(bulletin.basic),
        "",
        "<b>二、存在问题</b>",
        *(esc(first_sentence(p)) for p in bulletin.problems or ["本期未发现突出问题。"]),
        "",
        "<b>三、工作要求</b>",
        esc(first_sentence(bulletin.requirements[0])),
    ]
    if bulletin.supervised:
        lines.append(f"下发督办单：{esc(some_units(bulletin.supervised, _CHAT_NAMES))}")
    if bulletin.circulated:
        named = esc(some_units(bulletin.circulated, _CHAT_NAMES))
        lines.append(f"{esc(bulletin.circular)}：{named}")
    for section_heading, paragraphs in bulletin.later_sections:
        lines += ["", f"<b>{esc(section_heading)}</b>"]
        # Within one message: at most 10 lines of at most 200 characters each.
        lines += [esc(_clip(p, 200)) for p in paragraphs[:_CHAT_PARAGRAPHS]]
        if len(paragraphs) > _CHAT_PARAGRAPHS:
            lines.append(f"……共 {len(paragraphs)} 条，见正文。")
    lines += ["", "附件（见下方文件）："]
    lines += [f"{n}. {esc(t)}" for n, t in enumerate(bulletin.annex_titles, start=1)]
    lines += ["", esc(bulletin.issuer), chinese_date(bulletin.issued_on)]
    return "\n".join(lines)


def bulletin_text(bulletin: Bulletin, rules: Rules) -> str:
    """The whole bulletin as plain text, attachments included."""
    lines = [
        bulletin.issuer,
        bulletin.title,
        "",
        f"{bulletin.recipients}：",
        bulletin.preamble,
        "",
        "一、基本情况",
        bulletin.basic,
        "",
        "二、存在问题",
        *(bulletin.problems or ["本期未发现突出问题。"]),
        "",
        "三、工作要求",
        *bulletin.requirements,
    ]
    for section_heading, paragraphs in bulletin.later_sections:
        lines += ["", section_heading, *paragraphs]
    lines += [
        "",
        "附件：" + "\n      ".join(f"{n}. {t}" for n, t in enumerate(bulletin.annex_titles, 1)),
        "",
        bulletin.issuer,
        chinese_date(bulletin.issued_on),
        "",
        "附件1",
        ranking_table(bulletin.ranking, rules),
        "",
        "附件2",
        bulletin.annex_titles[1],
        *(f"{n}. {a.title}（{a.outcome}）" for n, a in enumerate(bulletin.articles(), start=1)),
        "",
        "附件3",
        bulletin.annex_titles[2],
        bulletin.scoring_rules,
    ]
    if bulletin.rollup is not None:
        cells = rollup_cells(bulletin.rollup, rules)
        table = ranked_table(cells, rollup_headers(rules))
        lines += ["", "附件4", bulletin.annex_titles[3], table]
    return "\n".join(lines) + "\n"


def bulletin_docx(bulletin: Bulletin, rules: Rules) -> bytes:
    """The bulletin as an official document (GB/T 9704): 版头 when configured, the two title
    lines, 主送, 导语, the sections, 附件说明, 署名 and 成文日期, then each 附件 on its own page."""
    document = official_document(Letterhead(bulletin.mark, bulletin.number))
    title(document, bulletin.issuer, bulletin.title)
    recipients(document, bulletin.recipients)
    for text in bulletin.preamble.splitlines():
        paragraph(document, text)
    heading(document, "一、基本情况")
    paragraph(document, bulletin.basic)
    heading(document, "二、存在问题")
    for text in bulletin.problems or ["本期未发现突出问题。"]:
        paragraph(document, text)
    heading(document, "三、工作要求")
    for text in bulletin.requirements:
        paragraph(document, text)
    for section_heading, paragraphs in bulletin.later_sections:
        heading(document, section_heading)
        for text in paragraphs:
            paragraph(document, text)
    annex_note(document, bulletin.annex_titles)
    signature(document, bulletin.issuer, chinese_date(bulletin.issued_on))

    headers = [h.replace("\n", "") for h in ranking_headers(bulletin.ranking, rules)]
    headers[1] = "项目\n单位"
    rows = ranking_cells(bulletin.ranking, rules)
    landscape = _annex_table(document, "附件1", bulletin.annex_titles[0], headers, rows)
    annex_heading(document, "附件2", bulletin.annex_titles[1], new_page=not landscape)
    for n, article in enumerate(bulletin.articles(), start=1):
        if n > DOCX_ANNEX_LIMIT:
            paragraph(document, f"……共{bulletin.article_count}篇，完整清单见 .xlsx 附件。")
            break
        paragraph(document, f"{n}. {article.title}（{article.outcome}）")

    annex_heading(document, "附件3", bulletin.annex_titles[2])
    paragraph(document, bulletin.scoring_rules)
    if bulletin.rollup is not None:
        headers = rollup_headers(rules)
        headers[1] = "项目\n机关"
        cells = rollup_cells(bulletin.rollup, rules)
        _annex_table(document, "附件4", bulletin.annex_titles[3], headers, cells)
    return saved(document)


def _annex_table(
    document: Any, label: str, name: str, headers: list[str], rows: list[list[str]]
) -> bool:
    """An attachment that is a table of a rank, a name and counts, from a new page; True when
    it took a landscape page (the next attachment then starts on the portrait page after)."""
    counts = len(headers) - 2
    # 名次 and the counts narrow, the name wide; 15.6 cm is A4 between the margins. A scheme
    # with many columns gets a landscape page (24.3 cm), and narrower columns if even that is
    # not enough.
    page = 15.6
    landscape = RANK_CM + NAME_MIN_CM + COUNT_CM * counts > page
    if landscape:
        page = page_section(document, landscape=True)
    annex_heading(document, label, name, new_page=not landscape)
    count_width = min(COUNT_CM, (page - RANK_CM - NAME_MIN_CM) / counts)
    widths = [Cm(RANK_CM), Cm(page - RANK_CM - count_width * counts), *[Cm(count_width)] * counts]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS follow
    table_row(table.rows[0].cells, headers, widths, bold=True)
    # Row by row: table.cell(r, c) walks the whole grid on every call.
    for row in rows:
        table_row(table.add_row().cells, row, widths)
    if landscape:
        page_section(document, landscape=False)
    return landscape


def bulletin_xlsx(bulletin: Bulletin, rules: Rules) -> bytes:
    """附件1–3 as three sheets in the office's table style; 附件2 streamed, so any number of
    articles fits."""
    book = TableBook()
    headers = [h.replace("\n", "") for h in ranking_headers(bulletin.ranking, rules)]
    annex1 = book.table("附件1 得分情况", bulletin.annex_titles[0], headers)
    for row in bulletin.ranking.rows:
        annex1.append(ranking_row(row, rules))
    annex2_headers = ["序号", "标题", "单位", "采用情况"]
    annex2 = book.table("附件2 报送清单", bulletin.annex_titles[1], annex2_headers)
    annex2.extend(
        (n, article.title, article.unit, article.outcome)
        for n, article in enumerate(bulletin.articles(), start=1)
    )
    annex3 = book.table("附件3 计分办法", bulletin.annex_titles[2], ["序号", "计分办法"])
    for n, clause in enumerate(scoring_clauses(bulletin.scoring_rules), start=1):
        annex3.append([n, clause])
    if bulletin.rollup is not None:
        annex4 = book.table("附件4 下级机关汇总", bulletin.annex_titles[3], rollup_headers(rules))
        for office in bulletin.rollup.rows:
            annex4.append(rollup_row(office, rules))
    return book.save()


def scoring_clauses(text: str) -> list[str]:
    """附件3's paragraph as the clauses it lists, each ending as it ends in the paragraph."""
    parts = text.split("；")
    return [part + "；" for part in parts[:-1] if part] + ([parts[-1]] if parts[-1] else [])


def bulletin_chart(bulletin: Bulletin) -> bytes:
    """The ranking chart, each unit's change since last month's bulletin marked."""
    return ranking_chart(bulletin.ranking, bulletin.rank_changes)


def bulletin_trend_chart(bulletin: Bulletin, rules: Rules) -> bytes:
    """The second chart: the area's submissions and publications month by month this year."""
    area = bulletin.area_short or bulletin.area
    title = f"{area}{bulletin.period.dated_label}政务公开信息报送和采用情况"
    return trend_chart(title, bulletin.trend, rules)
