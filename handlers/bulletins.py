"""/bulletin: preview a month's bulletin; 发布 / 暂缓 a bulletin held for approval."""

from __future__ import annotations

import asyncio

from telegram import Update

from domain.access import Identity
from domain.bulletin import build_bulletin
from domain.bulletin_wording import (
    MAX_DOCUMENT_BYTES,
    office_document,
    set_bulletin_wording,
    use_office_document,
)
from domain.errors import UserError
from domain.monthly import decide_held_bulletin, issue_date
from domain.periods import Month
from handlers.common import (
    acknowledge,
    answer,
    arguments,
    download,
    edit,
    refusing,
    requires,
    send_file,
)
from reports.bulletin import (
    bulletin_chart,
    bulletin_docx,
    bulletin_message,
    bulletin_trend_chart,
    bulletin_xlsx,
)
from reports.chat import esc
from reports.notices import monthly_renderers
from runtime.context import BotContext
from runtime.services import chats_of, services


@requires("admin")
async def preview(update: Update, context: BotContext, who: Identity) -> None:
    """/bulletin [YYYY-MM]: the bulletin as it would go out, to the admin only."""
    svc = services(context)
    args = arguments(context)
    if len(args) > 1:
        raise UserError("用法：/bulletin [年-月]，如 /bulletin 2020-07，默认为上月")
    month = Month.parse(args[0]) if args else Month.of(svc.today()).previous()
    issued_on = issue_date(svc.db, svc.rules, month, svc.settings.tz)
    bulletin = build_bulletin(svc.db, svc.rules, month, issued_on)
    edited = office_document(svc.db, month)  # published as is, so previewed as is
    docx, xlsx, chart, trend = await asyncio.to_thread(
        lambda: (
            edited if edited is not None else bulletin_docx(bulletin, svc.rules),
            bulletin_xlsx(bulletin, svc.rules),
            bulletin_chart(bulletin),
            bulletin_trend_chart(bulletin, svc.rules),
        )
    )
    note = "（办公室修改稿，发布时原样发出）" if edited is not None else ""
    await answer(update, f"【预览，尚未发布】{note}\n" + bulletin_message(bulletin))
    await send_file(update, docx, f"{bulletin.title}.docx")
    await send_file(update, xlsx, f"{bulletin.title}附件.xlsx")
    await send_file(update, chart, f"{bulletin.period.dated_label}得分情况.png")
    await send_file(update, trend, f"{bulletin.period.dated_label}报送采用情况.png")


@requires("admin")
async def wording(update: Update, context: BotContext, who: Identity) -> None:
    """/wording 年-月 导语|存在问题 文字…: the office's own words for one month's bulletin,
    a paragraph a line; ``默认`` restores what the system writes."""
    svc = services(context)
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=3)
    if len(parts) < 3:
        raise UserError(
            "用法：/wording 年-月 导语 新的导语（可多段，一段一行）\n"
            "或：/wording 年-月 存在问题 一是……（一段一行）\n"
            "写“默认”恢复系统生成的文字，例如 /wording 2020-07 导语 默认\n"
            "整份修改稿：发送 .docx 并在说明中写 /wording 年-月，发布时原样发出；"
            "/wording 年-月 文件 默认 撤回"
        )
    month = Month.parse(parts[1])
    rest = parts[3] if len(parts) > 3 else ""
    said = set_bulletin_wording(svc.db, month, parts[2], rest, f"tg:{who.telegram_id}")
    await answer(update, f"{esc(said)}\n发送 /bulletin {month} 预览。")


@requires("admin")
async def wording_document(update: Update, context: BotContext, who: Identity) -> None:
    """A .docx captioned ``/wording 年-月``: the office's edited bulletin, published as is."""
    svc = services(context)
    message = update.effective_message
    assert message is not None and message.document is not None
    caption = (message.caption or "").split()
    if len(caption) != 2:
        raise UserError("请在修改稿的说明中写 /wording 年-月，例如 /wording 2020-07")
    month = Month.parse(caption[1])
    content = await download(context, message.document, MAX_DOCUMENT_BYTES)
    name = message.document.file_name or "修改稿.docx"
    said = use_office_document(svc.db, month, name, content, f"tg:{who.telegram_id}")
    await answer(update, f"{esc(said)}\n发送 /bulletin {month} 预览。")


@requires("admin")
@refusing(alert=True)
async def decide(update: Update, context: BotContext, who: Identity) -> None:
    """发布 or 暂缓 pressed under an approval request."""
    query = update.callback_query
    assert query is not None and query.data is not None
    svc = services(context)
    _, choice, raw_month = query.data.split(":")
    month = Month.parse(raw_month)
    outcome = await asyncio.to_thread(
        decide_held_bulletin,
        svc.db,
        svc.rules,
        month,
        choice == "ok",
        who.telegram_id,
        svc.today(),
        chats_of(svc),
        monthly_renderers(svc.rules),
    )
    await acknowledge(query, "已处理")
    label = f"{month.year}年{month.month}月的通报"
    if outcome.status == "issued":
        circular = svc.rules.bulletin.circular
        counts = f"下发督办单 {outcome.supervised} 个，{circular} {outcome.circulated} 个单位"
        text = f"{label}已发布：{counts}。"
    else:
        text = f"{label}已暂缓发布。"
    await edit(update, text)
