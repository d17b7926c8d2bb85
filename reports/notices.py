"""督办单 and 全区通报: chat text and the notice as a .docx."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH

from domain.monthly import CircularFacts, NoticeFacts, Renderers
from domain.periods import chinese_date
from domain.rules import Rules
from domain.stagnation import idle_period
from reports.bulletin import bulletin_docx, bulletin_message, bulletin_xlsx, ranking_chart
from reports.chat import esc
from reports.official import official_document, paragraph


def _body(facts: NoticeFacts) -> str:
    return (
        f"截至{facts.month.year}年{facts.month.month}月，你单位"
        f"{idle_period(facts.streak, facts.month)}无政务公开工作信息报送进展。"
        f"根据“一月一通报”工作要求，现予督办。"
        f"请于收到本督办单后5个工作日内报送政务公开工作信息，并书面说明情况。"
    )


def notice_text(facts: NoticeFacts) -> str:
    """The 督办单 as a chat message (HTML)."""
    return (
        f"<b>督办单 {esc(facts.number)}</b>\n"
        f"{esc(facts.unit)}：\n{esc(_body(facts))}\n\n{esc(facts.office)}\n{chinese_date(facts.issued_on)}"
    )


def notice_docx(facts: NoticeFacts) -> bytes:
    """The 督办单 as an official document."""
    document = official_document()
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    paragraph(document, "督 办 单", font="方正小标宋简体", size=26, align=center, indent=False)
    paragraph(document, facts.number, align=center, indent=False)
    paragraph(document, f"{facts.unit}：", indent=False)
    paragraph(document, _body(facts))
    paragraph(document, facts.office, align=right, indent=False)
    paragraph(document, chinese_date(facts.issued_on), align=right, indent=False)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def circular_text(facts: CircularFacts) -> str:
    """The 全区通报 naming the units idle from the circular threshold on."""
    named = "、".join(
        f"{esc(unit)}（{idle_period(months, facts.month)}）" for unit, months in facts.units
    )
    return (
        f"<b>全区通报</b>\n截至{facts.month.year}年{facts.month.month}月，以下单位"
        f"连续{facts.threshold}个月以上无政务公开工作信息报送进展，现予全区通报：{named}。\n"
        f"请上述单位立即整改。\n\n{esc(facts.office)}\n{chinese_date(facts.issued_on)}"
    )


def monthly_renderers(rules: Rules) -> Renderers:
    """The renderers the monthly routine uses."""
    return Renderers(
        message=bulletin_message,
        docx=lambda bulletin: bulletin_docx(bulletin, rules),
        xlsx=lambda bulletin: bulletin_xlsx(bulletin, rules),
        chart=ranking_chart,
        notice_text=notice_text,
        notice_docx=notice_docx,
        circular_text=circular_text,
    )
