"""催报 in chat: /campaign (open one step by step, or see one), /campaigns, /answer, and the
annual report's template and check."""

from __future__ import annotations

import asyncio
import functools
from pathlib import PurePath

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.access import Identity
from domain.annual_report import read_report
from domain.attachments import MAX_ATTACHMENT_BYTES, check_attachment
from domain.campaigns import (
    KIND_NAMES,
    answer_campaign,
    campaign_ref,
    campaign_status,
    check_deadline,
    check_title,
    count_targets,
    open_campaign,
    owed_by,
    parse_campaign_id,
    recent_campaigns,
    requested,
)
from domain.commissions import answer_commission
from domain.errors import UserError
from domain.units import list_units
from handlers.common import (
    ROLE_REFUSALS,
    acknowledge,
    answer,
    arguments,
    caller,
    download,
    edit,
    refuse,
    refusing,
    requires,
    send_file,
)
from handlers.conversations import TEXT, Steps
from handlers.submit import submitted_text
from reports.annual_report import report_docx, template_xlsx
from reports.campaigns import status_message, status_xlsx
from reports.chat import esc
from reports.wording import CHAT_WORDING
from runtime.context import BotContext
from runtime.services import services

TITLE, DEADLINE, UNITS, UNIT_LIST, KIND, CONFIRM = range(6)
PICK, SEND = range(10, 12)


EXPIRED = "操作已因长时间未继续而取消，未保存任何内容。"
OPENING = Steps("campaign", expired=EXPIRED)
ANSWER = Steps("answer", expired=EXPIRED)
# What an answer may be besides what KIND_NAMES says.
ANSWER_HINTS = {
    "template": "（模板可用 /report_template 下载，填好后发送 .xlsx）",
    "article": "：发送稿件标题，或发送稿件文件并在说明中写标题",
}


@requires("admin")
@refusing(ConversationHandler.END)
async def campaign(update: Update, context: BotContext, who: Identity) -> int:
    """/campaign ID shows one; /campaign alone opens a new one step by step."""
    svc = services(context)
    words = arguments(context)
    if words:
        status = campaign_status(svc.db, parse_campaign_id(words[0]))
        await answer(update, status_message(status, svc.today()))
        content = await asyncio.to_thread(status_xlsx, status)
        await send_file(update, content, f"催报{campaign_ref(status.id)}报送情况.xlsx")
        return ConversationHandler.END
    OPENING.data(context).clear()
    await answer(
        update,
        "发起催报：请发送事项名称（例如：2020年政府信息公开工作年度报告）。随时 /cancel 取消。",
    )
    return TITLE


@refusing(TITLE, suffix="请重新发送。")
async def got_title(update: Update, context: BotContext) -> int:
    """The campaign's title."""
    message = update.effective_message
    assert message is not None and message.text is not None
    OPENING.data(context)["title"] = check_title(message.text)
    await answer(update, "请发送截止日期（例如 2021-01-31 或 2021年1月31日）。")
    return DEADLINE


@refusing(DEADLINE, suffix="请重新发送。")
async def got_deadline(update: Update, context: BotContext) -> int:
    """The deadline, then who owes it."""
    svc = services(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    OPENING.data(context)["deadline"] = check_deadline(message.text, svc.today())
    categories = list(dict.fromkeys(u.category for u in list_units(svc.db)))
    rows = [[InlineKeyboardButton("全部单位", callback_data="cmp:u:all")]]
    rows += [
        [InlineKeyboardButton(f"类别：{c}", callback_data=f"cmp:c:{n}")]
        for n, c in enumerate(categories)
    ]
    rows.append([InlineKeyboardButton("输入单位名单", callback_data="cmp:u:list")])
    OPENING.data(context)["categories"] = categories
    await answer(update, "哪些单位需要报送？", reply_markup=InlineKeyboardMarkup(rows))
    return UNITS


async def units_chosen(update: Update, context: BotContext) -> int:
    """全部, a category, or a list to type."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = OPENING.data(context)
    await edit(update, None)
    if query.data == "cmp:u:list":
        await answer(update, "请发送单位名称，用“、”或逗号分隔（也可用规则文件中的统称）。")
        return UNIT_LIST
    if query.data == "cmp:u:all":
        draft["spec"], draft["scope"] = "all", "全部单位"
    else:
        category = draft["categories"][int(query.data.rsplit(":", 1)[1])]
        draft["spec"], draft["scope"] = f"category:{category}", f"类别：{category}"
    return await _ask_kind(update)


@refusing(UNIT_LIST, suffix="请重新发送。")
async def got_unit_list(update: Update, context: BotContext) -> int:
    """A typed list of units, checked now."""
    svc = services(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    found = count_targets(svc.db, svc.rules, message.text)
    draft = OPENING.data(context)
    draft["spec"], draft["scope"] = message.text, f"{found} 个单位"
    return await _ask_kind(update)


async def _ask_kind(update: Update) -> int:
    rows = [
        [InlineKeyboardButton(name, callback_data=f"cmp:k:{kind}")]
        for kind, name in KIND_NAMES.items()
    ]
    await answer(update, "需要报送什么？", reply_markup=InlineKeyboardMarkup(rows))
    return KIND


async def kind_chosen(update: Update, context: BotContext) -> int:
    """What to send; then the summary to confirm."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = OPENING.data(context)
    draft["kind"] = query.data.rsplit(":", 1)[1]
    await edit(update, None)
    lines = [
        "<b>请确认催报</b>",
        f"事项：{esc(draft['title'])}",
        f"截止：{draft['deadline']}",
        f"单位：{esc(draft['scope'])}",
        f"报送：{KIND_NAMES[draft['kind']]}",
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("发起", callback_data="cmp:ok"),
                InlineKeyboardButton("取消", callback_data="cmp:no"),
            ]
        ]
    )
    await answer(update, "\n".join(lines), reply_markup=keyboard)
    return CONFIRM


@refusing(ConversationHandler.END)
async def confirmed(update: Update, context: BotContext) -> int:
    """发起: open the campaign and tell the units."""
    svc = services(context)
    query = update.callback_query
    assert query is not None
    draft = OPENING.data(context)
    who = caller(update, context)
    try:
        opened = open_campaign(
            svc.db,
            svc.rules,
            draft["title"],
            draft["deadline"],
            draft["spec"],
            draft["kind"],
            f"tg:{who.telegram_id}",
            CHAT_WORDING,
        )
    finally:
        OPENING.drop(context)
    await acknowledge(query, "已发起")
    await edit(
        update,
        f"已发起催报 <b>{campaign_ref(opened.id)}</b> {esc(opened.title)}：{opened.units} 个单位，"
        f"截止 {opened.deadline}。已通知各单位联络员；/campaign {opened.id} 查看报送情况。",
    )
    return ConversationHandler.END


def campaign_conversation(timeout: float) -> ConversationHandler[BotContext]:
    """/campaign: title, deadline, units, what to send, confirm."""
    return OPENING.handler(
        "campaign",
        campaign,
        {
            TITLE: [MessageHandler(TEXT, got_title)],
            DEADLINE: [MessageHandler(TEXT, got_deadline)],
            UNITS: [CallbackQueryHandler(units_chosen, pattern=r"^cmp:(u|c):")],
            UNIT_LIST: [MessageHandler(TEXT, got_unit_list)],
            KIND: [CallbackQueryHandler(kind_chosen, pattern=r"^cmp:k:")],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=r"^cmp:ok$"),
                CallbackQueryHandler(OPENING.cancel, pattern=r"^cmp:no$"),
            ],
        },
        timeout,
    )


@requires("admin")
async def campaigns(update: Update, context: BotContext, who: Identity) -> None:
    """/campaigns: the newest campaigns and how far each has got."""
    found = recent_campaigns(services(context).db)
    if not found:
        await answer(update, "尚无催报事项。发送 /campaign 发起。")
        return
    lines = ["<b>催报事项</b>"]
    lines += [
        f"{campaign_ref(i)} {esc(title)}：截止 {deadline}，已报 {done}/{units}，/campaign {i}"
        for i, title, deadline, units, done in found
    ]
    await answer(update, "\n".join(lines))


@requires("liaison")
@refusing(ConversationHandler.END)
async def begin_answer(update: Update, context: BotContext, who: Identity) -> int:
    """/answer ID, or /answer to pick among the unit's campaigns."""
    svc = services(context)
    words = arguments(context)
    ANSWER.data(context).clear()
    if words:
        asked = requested(svc.db, who, parse_campaign_id(words[0]))
        return await _ask_answer(update, context, asked.id, asked.title, asked.kind)
    assert who.unit_id is not None
    owed = owed_by(svc.db, who.unit_id, svc.today())
    if not owed:
        await answer(update, f"{esc(who.unit_name)}目前没有需要报送的催报事项。")
        return ConversationHandler.END
    rows = [
        [InlineKeyboardButton(f"{campaign_ref(o.id)} {o.title[:30]}", callback_data=f"ans:{o.id}")]
        for o in owed
    ]
    await answer(update, "请选择要报送的催报事项：", reply_markup=InlineKeyboardMarkup(rows))
    return PICK


@refusing(ConversationHandler.END)
async def answer_picked(update: Update, context: BotContext) -> int:
    """A campaign pressed."""
    svc = services(context)
    query = update.callback_query
    assert query is not None and query.data is not None
    await edit(update, None)
    asked = requested(svc.db, caller(update, context), int(query.data.split(":", 1)[1]))
    return await _ask_answer(update, context, asked.id, asked.title, asked.kind)


async def _ask_answer(
    update: Update, context: BotContext, campaign_id: int, title: str, kind: str
) -> int:
    ANSWER.data(context).update(id=campaign_id, kind=kind)
    wanted = f"{KIND_NAMES[kind]}{ANSWER_HINTS.get(kind, '')}"
    await answer(update, f"<b>{campaign_ref(campaign_id)}</b> {esc(title)}\n请发送{wanted}。")
    return SEND


async def got_answer(update: Update, context: BotContext) -> int:
    """A text or a file: checked (a template must pass), recorded, confirmed."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    draft = ANSWER.data(context)
    who = caller(update, context)
    file, content = None, None
    if message.document is not None:
        name = message.document.file_name or "附件"
        try:
            check_attachment(name, message.document.file_size)
        except UserError as exc:
            await refuse(update, str(exc))
            return SEND
        if draft["kind"] == "template" and PurePath(name).suffix.lower() != ".xlsx":
            await refuse(update, "请发送填好的年度报告模板（.xlsx 文件）。")
            return SEND
        file = (message.document.file_id, name)
        if draft["kind"] == "template":
            content = await download(context, message.document, MAX_ATTACHMENT_BYTES)
    elif message.photo:
        file = (message.photo[-1].file_id, "图片.jpg")
    if draft["kind"] == "article":
        return await _answer_commission(update, context, who, draft["id"], file)
    try:
        done = await asyncio.to_thread(
            functools.partial(
                answer_campaign,
                svc.db,
                who,
                draft["id"],
                svc.today(),
                text=message.text or message.caption,
                file=file,
                content=content,
            )
        )
    except UserError as exc:
        await refuse(update, f"{exc}\n请改正后重新发送，或 /cancel 取消。")
        return SEND
    ANSWER.drop(context)
    times = f"（第 {done.number} 次报送，以最新一次为准）" if done.number > 1 else ""
    late = f"已超过截止日期 {done.campaign.deadline}，记为逾期报送。" if done.late else ""
    ref = f"<b>{campaign_ref(done.campaign.id)}</b> {esc(done.campaign.title)}"
    await answer(update, f"已收到 {ref} 的报送{times}。{late}")
    return ConversationHandler.END


async def _answer_commission(
    update: Update,
    context: BotContext,
    who: Identity,
    campaign_id: int,
    file: tuple[str, str] | None,
) -> int:
    """约稿: the text (or a file's caption) is the article's title; it goes to review."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    try:
        done = await asyncio.to_thread(
            answer_commission,
            svc.db,
            svc.rules,
            who,
            campaign_id,
            message.text or message.caption or "",
            svc.today(),
            svc.identities.office(svc.db, svc.settings.admin_ids),
            CHAT_WORDING,
            file,
        )
    except UserError as exc:
        await refuse(update, f"{exc}\n请改正后重新发送，或 /cancel 取消。")
        return SEND
    ANSWER.drop(context)
    late = f"已超过截止日期 {done.deadline}，记为逾期报送。" if done.late else ""
    await answer(
        update,
        f"已收到约稿 <b>{campaign_ref(done.campaign_id)}</b> {esc(done.campaign_title)}："
        f"{submitted_text(done.article.id, done.article.title)}{late}",
    )
    return ConversationHandler.END


def answer_conversation(timeout: float) -> ConversationHandler[BotContext]:
    """/answer: pick a campaign, then send what it asks for."""
    sent = TEXT | filters.Document.ALL | filters.PHOTO
    return ANSWER.handler(
        "answer",
        begin_answer,
        {
            PICK: [CallbackQueryHandler(answer_picked, pattern=r"^ans:\d+$")],
            SEND: [MessageHandler(sent, got_answer)],
        },
        timeout,
    )


async def report_template(update: Update, context: BotContext) -> None:
    """/report_template: the annual report's template, for anyone the bot knows."""
    who = caller(update, context)
    if not who.roles:
        await answer(update, ROLE_REFUSALS["liaison"])
        return
    await send_file(
        update,
        template_xlsx(),
        "政府信息公开工作年度报告模板.xlsx",
        "填写黄色单元格后发回给我即可检查；作为催报答复请使用 /answer。",
    )


async def check_report(update: Update, context: BotContext, content: bytes, name: str) -> None:
    """A filled template sent on its own: the check's verdict, and the report if it passes
    (a ``UserError`` is the caller's to refuse)."""
    report = await asyncio.to_thread(read_report, name, content)
    await answer(
        update,
        f"检查通过：{esc(report.unit)}{report.year}年年度报告的数据勾稽关系正确。已生成报告全文：",
    )
    document = await asyncio.to_thread(report_docx, report)
    await send_file(update, document, f"{report.unit}{report.year}年政府信息公开工作年度报告.docx")
