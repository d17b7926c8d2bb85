"""催报 in chat and as an .xlsx: who has and has not sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from domain.campaigns import KIND_NAMES, CampaignStatus, Owed, campaign_ref
from domain.wording import some_units
from reports.chat import esc
from reports.xlsx import TableBook

_SHOWN = 40


def status_message(status: CampaignStatus, today: dt.date) -> str:
    """/campaign ID: the counts, the missing units, the answers."""
    answered = [row for row in status.rows if row.answered_on]
    state = "已截止" if today > status.deadline else f"截止 {status.deadline}"
    lines = [
        f"<b>催报 {campaign_ref(status.id)}</b> {esc(status.title)}",
        f"报送{KIND_NAMES[status.kind]}，{state}。",
        f"应报 {len(status.rows)} 个单位，已报 {len(answered)} 个，未报 {len(status.missing)} 个。",
    ]
    if status.missing:
        lines.append(f"<b>未报送：</b>{esc(some_units(status.missing, _SHOWN))}")
    if answered:
        lines.append("<b>已报送：</b>")
        for row in answered[:_SHOWN]:
            late = "（逾期）" if row.late else ""
            times = f"，共 {row.answers} 次，以最新为准" if row.answers > 1 else ""
            what = esc(row.file_name or (row.text or "")[:30])
            lines.append(f"✅ {esc(row.unit)} {row.answered_on}{late}{times}：{what}")
    lines.append("完整名单见附件 .xlsx。")
    return "\n".join(lines)


def status_xlsx(status: CampaignStatus) -> bytes:
    """One row per unit: its latest answer, the date, late or not, how many answers."""
    book = TableBook()
    title = f"催报 {campaign_ref(status.id)} {status.title}（截止 {status.deadline}）"
    headers = ["单位", "类别", "状态", "报送日期", "逾期", "报送次数", "文件", "文字"]
    sheet = book.table("报送情况", title, headers)
    for row in status.rows:
        sheet.append(
            [
                row.unit,
                row.category,
                "已报送" if row.answered_on else "未报送",
                row.answered_on,
                "是" if row.late else "",
                row.answers,
                row.file_name,
                row.text,
            ]
        )
    return book.save()


def owed_lines(owed: Sequence[Owed], today: dt.date) -> list[str]:
    """/mine's 催报 lines."""
    lines = []
    for item in owed:
        ref = f"<b>{campaign_ref(item.id)}</b> {esc(item.title)}"
        if item.answered_on:
            lines.append(f"✅ {ref}：已于 {item.answered_on} 报送（可再次报送，以最新为准）")
        elif today > item.deadline:
            lines.append(
                f"⚠️ {ref}：已于 {item.deadline} 截止，尚未报送，请尽快发送 /answer {item.id}"
            )
        else:
            what = KIND_NAMES[item.kind]
            lines.append(f"📮 {ref}：请于 {item.deadline} 前报送{what}，发送 /answer {item.id}")
    return lines
