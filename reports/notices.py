"""督办单 and 全区通报: chat text and the notice as a .docx."""

from __future__ import annotations

from domain.monthly import CircularFacts, NoticeFacts, Renderers
from domain.periods import chinese_date
from domain.rules import Rules
from domain.stagnation import idle_period
from reports.bulletin import (
    bulletin_chart,
    bulletin_docx,
    bulletin_message,
    bulletin_trend_chart,
    bulletin_xlsx,
)
from reports.chat import esc
from reports.official import (
    Letterhead,
    official_document,
    paragraph,
    recipients,
    saved,
    signature,
    title,
)


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
    """The 督办单 as an official document: the 督查室 as 发文机关标志 with the number under it,
    the title, the unit addressed, the text, 署名 and 成文日期."""
    document = official_document(Letterhead(facts.office, facts.number))
    title(document, "督办单")
    recipients(document, facts.unit)
    paragraph(document, _body(facts))
    signature(document, facts.office, chinese_date(facts.issued_on))
    return saved(document)


def _circular_body(facts: CircularFacts) -> tuple[str, str]:
    named = "、".join(
        f"{unit}（{idle_period(months, facts.month)}）" for unit, months in facts.units
    )
    return (
        f"截至{facts.month.year}年{facts.month.month}月，以下单位连续{facts.threshold}个月以上"
        f"无政务公开工作信息报送进展，现予{facts.name}：{named}。",
        "请上述单位立即整改，于5个工作日内报送政务公开工作信息，并书面说明情况。",
    )


def circular_text(facts: CircularFacts) -> str:
    """The 全区通报 as a chat message (HTML), dated."""
    first, second = _circular_body(facts)
    return (
        f"<b>{esc(facts.name)}</b>\n{esc(first)}\n{esc(second)}\n\n"
        f"{esc(facts.office)}\n{chinese_date(facts.issued_on)}"
    )


def circular_docx(facts: CircularFacts) -> bytes:
    """The 全区通报 as an official document."""
    document = official_document(Letterhead(facts.office))
    title(
        document,
        f"关于{facts.month.year}年{facts.month.month}月政务公开信息报送",
        "无持续进展单位的通报",
    )
    recipients(document, facts.recipients)
    for text in _circular_body(facts):
        paragraph(document, text)
    signature(document, facts.office, chinese_date(facts.issued_on))
    return saved(document)


def monthly_renderers(rules: Rules) -> Renderers:
    """The renderers the monthly routine uses."""
    return Renderers(
        message=bulletin_message,
        docx=lambda bulletin: bulletin_docx(bulletin, rules),
        xlsx=lambda bulletin: bulletin_xlsx(bulletin, rules),
        chart=bulletin_chart,
        trend=lambda bulletin: bulletin_trend_chart(bulletin, rules),
        notice_text=notice_text,
        notice_docx=notice_docx,
        circular_text=circular_text,
        circular_docx=circular_docx,
    )
