"""Score sheets in chat: /scores, /adjust (typed or by buttons), /veto, /assessment."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
)

from domain.access import Identity, require_unit_name
from domain.adjustments import (
    Recorded,
    check_reason,
    parse_adjustment_points,
    record_adjustment,
    record_veto,
)
from domain.arguments import parse_year
from domain.assessment import assess
from domain.errors import UserError
from domain.periods import FIRST_YEAR, LAST_YEAR, Month
from domain.score_bulletin import build_score_bulletin, latest_score_month
from domain.wording import points_text
from handlers.common import (
    STALE_BUTTON,
    acknowledge,
    answer,
    arguments,
    caller,
    edit,
    refuse,
    refusing,
    requires,
    send_file,
)
from handlers.conversations import TEXT, Steps
from reports.assessment import assessment_docx, assessment_message
from reports.chat import esc
from reports.score_bulletin import score_bulletin_docx, score_bulletin_message, score_bulletin_xlsx
from reports.wording import CHAT_WORDING, adjustment_text, notified_text
from runtime.context import BotContext
from runtime.services import services

AMOUNT, REASON, CONFIRM = range(3)
AMOUNTS = ("+1", "+2", "+5", "-1", "-2", "-5")
ADJUST_USAGE = "用法：/adjust 单位 +2 原因（或 /adjust 单位，再点按钮选择分值）"


@requires("supervisor")
async def scores(update: Update, context: BotContext, who: Identity) -> None:
    """/scores [YYYY-MM]: the score bulletin, with its .docx and .xlsx."""
    svc = services(context)
    words = arguments(context)
    if len(words) > 1:
        raise UserError("只能指定一个月份，例如 /scores 2020-12。")
    month = Month.parse(words[0]) if words else latest_score_month(svc.db)
    bulletin = await asyncio.to_thread(build_score_bulletin, svc.db, svc.rules, month, svc.today())
    await answer(update, score_bulletin_message(bulletin))
    docx = await asyncio.to_thread(score_bulletin_docx, bulletin)
    await send_file(update, docx, f"{bulletin.title}.docx")
    xlsx = await asyncio.to_thread(score_bulletin_xlsx, bulletin)
    await send_file(update, xlsx, f"{bulletin.title}附件.xlsx")


@requires("supervisor")
async def assessment(update: Update, context: BotContext, who: Identity) -> None:
    """/assessment YYYY: the year's grades per category, with the notice as .docx."""
    svc = services(context)
    words = arguments(context)
    if len(words) != 1:
        await refuse(update, "用法：/assessment 2020（四位年份）")
        return
    year = parse_year(words[0], FIRST_YEAR, LAST_YEAR)
    result = await asyncio.to_thread(assess, svc.db, svc.rules, year, svc.today())
    await answer(update, assessment_message(result))
    docx = await asyncio.to_thread(assessment_docx, result)
    await send_file(update, docx, f"{result.title}.docx")


def _recorded_text(recorded: Recorded) -> str:
    return (
        f"已记录：{esc(recorded.unit)} {recorded.month.year}年{recorded.month.month}月"
        f"{adjustment_text(recorded)}，原因：{esc(recorded.reason)}。{notified_text(recorded)}"
    )


STEPS = Steps(
    "adjust",
    expired="加减分已因长时间未操作而取消，未记录任何内容。",
    cancelled="已取消，未记录任何加减分。",
)


@requires("admin")
@refusing(ConversationHandler.END)
async def adjust(update: Update, context: BotContext, who: Identity) -> int:
    """/adjust UNIT +2 原因 records at once; without the reason it is asked for; /adjust UNIT
    offers the amounts as buttons first."""
    svc = services(context)
    words = arguments(context)
    if not words:
        await refuse(update, ADJUST_USAGE)
        return ConversationHandler.END
    unit = require_unit_name(svc.db, words[0])
    if len(words) == 1:
        STEPS.data(context).update(unit=unit.name)
        limit = svc.rules.adjustments.max_points
        offered = [a for a in AMOUNTS if abs(Decimal(a)) <= limit]
        rows = [
            [InlineKeyboardButton(a, callback_data=f"adj:{a}") for a in offered if a[0] == "+"],
            [InlineKeyboardButton(a, callback_data=f"adj:{a}") for a in offered if a[0] == "-"],
            [InlineKeyboardButton("取消", callback_data="adj:no")],
        ]
        await answer(
            update,
            f"为 <b>{esc(unit.name)}</b> 加分或扣分：请选择分值。",
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return AMOUNT
    points = parse_adjustment_points(words[1], svc.rules.adjustments.max_points)
    if len(words) == 2:
        STEPS.data(context).update(unit=unit.name, points=str(points))
        await answer(update, f"{esc(unit.name)} {words[1]} 分：请发送原因（不超过 200 字）。")
        return REASON
    return await _record_or_confirm(
        update, context, who, unit.name, points, check_reason(" ".join(words[2:]))
    )


async def _record_or_confirm(
    update: Update,
    context: BotContext,
    who: Identity,
    unit: str,
    points: Decimal,
    reason: str,
) -> int:
    """Record the entry, or, past the rules' ``confirm_above``, ask for 确认记录 first."""
    svc = services(context)
    if svc.rules.adjustments.needs_confirmation(points):
        # The buttons name this entry: an older prompt's 确认记录 never confirms a newer one.
        token = secrets.token_hex(4)
        STEPS.data(context).update(unit=unit, points=str(points), reason=reason, token=token)
        buttons = [
            InlineKeyboardButton("确认记录", callback_data=f"adj:yes:{token}"),
            InlineKeyboardButton("取消", callback_data="adj:no"),
        ]
        today = svc.today()
        await answer(
            update,
            f"请确认：<b>{esc(unit)}</b> {today.year}年{today.month}月{points_text(points)}，"
            f"原因：{esc(reason)}。",
            reply_markup=InlineKeyboardMarkup([buttons]),
        )
        return CONFIRM
    recorded = record_adjustment(
        svc.db, unit, points, reason, who.telegram_id, svc.today(), CHAT_WORDING
    )
    STEPS.drop(context)
    await answer(update, _recorded_text(recorded))
    return ConversationHandler.END


async def confirmed(update: Update, context: BotContext) -> int:
    """确认记录 pressed: record the entry that waited for it."""
    svc = services(context)
    pending = STEPS.data(context)
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data.split(":")[2] != pending.get("token"):
        await acknowledge(query, STALE_BUTTON, alert=True)
        return CONFIRM
    await edit(update, None)
    try:
        recorded = record_adjustment(
            svc.db,
            pending["unit"],
            Decimal(pending["points"]),
            pending["reason"],
            caller(update, context).telegram_id,
            svc.today(),
            CHAT_WORDING,
        )
    except UserError as exc:
        await refuse(update, str(exc))
        return ConversationHandler.END
    finally:
        STEPS.drop(context)
    await answer(update, _recorded_text(recorded))
    return ConversationHandler.END


@refusing(AMOUNT, alert=True)
async def amount_chosen(update: Update, context: BotContext) -> int:
    """An amount pressed: ask for the reason."""
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = query.data.split(":", 1)[1]
    pending = STEPS.data(context)
    points = parse_adjustment_points(choice, services(context).rules.adjustments.max_points)
    pending["points"] = str(points)
    await edit(update, None)
    await answer(update, f"{esc(pending['unit'])} {choice} 分：请发送原因（不超过 200 字）。")
    return REASON


async def reason_given(update: Update, context: BotContext) -> int:
    """The reason: record the adjustment, or ask for it to be confirmed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    pending = STEPS.data(context)
    who = caller(update, context)
    try:
        reason = check_reason(message.text)
    except UserError as exc:
        await refuse(update, f"{exc}请重新发送原因，或 /cancel 取消。")
        return REASON
    try:
        return await _record_or_confirm(
            update, context, who, pending["unit"], Decimal(pending["points"]), reason
        )
    except UserError as exc:
        STEPS.drop(context)
        await refuse(update, str(exc))
        return ConversationHandler.END


async def awaiting_confirmation(update: Update, context: BotContext) -> int:
    """Text while 确认记录 waits: say what is awaited."""
    await refuse(update, "请点上面的“确认记录”按钮记录，或发送 /cancel 取消。")
    return CONFIRM


def adjust_conversation(timeout_seconds: float) -> ConversationHandler[BotContext]:
    """/adjust by buttons: the amount, then the reason, then, for a large entry, 确认记录."""
    return STEPS.handler(
        "adjust",
        adjust,
        {
            AMOUNT: [
                CallbackQueryHandler(amount_chosen, pattern=r"^adj:[+-]\d+$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^adj:no$"),
            ],
            REASON: [MessageHandler(TEXT, reason_given)],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=r"^adj:yes:[0-9a-f]+$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^adj:no$"),
                MessageHandler(TEXT, awaiting_confirmation),
            ],
        },
        timeout_seconds,
    )


@requires("admin")
async def veto(update: Update, context: BotContext, who: Identity) -> None:
    """/veto UNIT 原因: 单项否决 for this year."""
    svc = services(context)
    words = arguments(context)
    if not words:
        await refuse(update, "用法：/veto 单位 原因")
        return
    recorded = record_veto(
        svc.db, words[0], " ".join(words[1:]), who.telegram_id, svc.today(), CHAT_WORDING
    )
    await answer(
        update,
        f"已记录：{esc(recorded.unit)} {recorded.month.year} 年单项否决，年度得分按零分计算。"
        f"原因：{esc(recorded.reason)}。{notified_text(recorded)}",
    )
