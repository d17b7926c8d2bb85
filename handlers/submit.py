"""/submit: an article step by step (title, link, file, columns, confirm) or in one line."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.access import Identity
from domain.attachments import ARTICLE_FILES, ARTICLE_FILES_HINT, check_attachment
from domain.duplicates import Similar, similar_titles
from domain.review import check_link, ensure_title_is_new, submit_article, validate_title
from domain.rules import Rules
from handlers.common import acknowledge, answer, arguments, caller, edit, refuse, refusing, requires
from handlers.conversations import TEXT, Steps
from reports.chat import esc
from reports.wording import CHAT_WORDING
from runtime.context import BotContext
from runtime.services import services

TITLE, LINK, FILE, PLATFORMS, CONFIRM, DUPLICATE = range(6)
SKIP = InlineKeyboardMarkup([[InlineKeyboardButton("跳过", callback_data="sub:skip")]])


def submitted_text(article_id: int, title: str) -> str:
    """The liaison's receipt."""
    return f"已报送 <b>#{article_id}</b>《{esc(title)}》，等待政务公开办公室审核。"


STEPS = Steps(
    "draft", expired="报送已因长时间未操作而取消，未保存任何内容。需要时请重新发送 /submit。"
)


def platforms_keyboard(rules: Rules, chosen: list[str]) -> InlineKeyboardMarkup:
    """Toggle buttons for the upstream columns, then 完成."""
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅ ' if p.code in chosen else ''}{p.short}", callback_data=f"sub:p:{p.code}"
            )
        ]
        for p in rules.platforms
    ]
    rows.append([InlineKeyboardButton("完成", callback_data="sub:done")])
    return InlineKeyboardMarkup(rows)


@requires("liaison")
@refusing(ConversationHandler.END)
async def begin(update: Update, context: BotContext, who: Identity) -> int:
    """/submit: in one line records at once; alone starts the steps."""
    title = " ".join(arguments(context)).strip()
    if title:
        STEPS.data(context).clear()
        alike = await _alike(context, who, validate_title(title))
        if any(s.same_unit for s in alike):
            return await _ask_duplicate(update, context, title, alike, then="submit")
        return await _submit_now(update, context, who, title, alike)
    STEPS.data(context).clear()
    await answer(update, "请发送稿件标题（不超过 200 字）。随时发送 /cancel 取消。")
    return TITLE


@refusing(TITLE, suffix="请重新发送标题，或 /cancel 取消。")
async def got_title(update: Update, context: BotContext) -> int:
    """The title: checked for length and for a twin this year."""
    svc = services(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    who = caller(update, context)
    title = validate_title(message.text)
    assert who.unit_id is not None
    ensure_title_is_new(svc.db, who.unit_id, svc.today().year, title)
    alike = await _alike(context, who, title)
    if any(s.same_unit for s in alike):
        return await _ask_duplicate(update, context, title, alike, then="link")
    STEPS.data(context)["title"] = title
    return await _ask_link(update)


async def _ask_link(update: Update) -> int:
    await answer(
        update, "请发送稿件的网页链接（http:// 或 https://），没有请点“跳过”。", reply_markup=SKIP
    )
    return LINK


async def _alike(context: BotContext, who: Identity, title: str) -> list[Similar]:
    svc = services(context)
    if who.unit_id is None:
        return []  # not bound: submit_article refuses it
    # Off the event loop: the title is compared with every title of the year (a city's are
    # tens of thousands), and other chats go on meanwhile.
    year = svc.today().year
    return await asyncio.to_thread(similar_titles, svc.db, svc.rules, who.unit_id, year, title)


async def _ask_duplicate(
    update: Update,
    context: BotContext,
    title: str,
    alike: list[Similar],
    then: str,
) -> int:
    """A title very like one the unit sent this year: ask before going on."""
    STEPS.data(context).update(title=title, then=then)
    own = [s for s in alike if s.same_unit][:3]
    lines = ["<b>是否重复报送？</b>本单位今年已报送相似的稿件："]
    lines += [f"#{s.article_id}《{esc(s.title)}》（相似度 {s.score:.0f}）" for s in own]
    lines.append(f"本次标题：《{esc(title)}》")
    keyboard = _go_on_or_cancel("不是重复，继续报送", "dup")
    await answer(update, "\n".join(lines), reply_markup=keyboard)
    return DUPLICATE


async def not_a_duplicate(update: Update, context: BotContext) -> int:
    """继续报送: a one-line /submit is recorded now; step by step goes on to the link."""
    draft = STEPS.data(context)
    await edit(update, None)
    if draft.get("then") != "submit":
        draft.pop("then", None)
        return await _ask_link(update)
    who = caller(update, context)
    title = draft["title"]
    STEPS.drop(context)
    return await _submit_now(update, context, who, title, await _alike(context, who, title))


@refusing(ConversationHandler.END)
async def _submit_now(
    update: Update,
    context: BotContext,
    who: Identity,
    title: str,
    alike: list[Similar],
) -> int:
    """A one-line /submit: record it and give the receipt."""
    svc = services(context)
    office = svc.identities.office(svc.db, svc.settings.admin_ids)
    article = submit_article(
        svc.db, svc.rules, who, title, svc.today(), office, CHAT_WORDING, alike=alike
    )
    await answer(update, submitted_text(article.id, article.title))
    return ConversationHandler.END


@refusing(LINK, suffix="请重新发送，或点“跳过”。")
async def got_link(update: Update, context: BotContext) -> int:
    """The link, checked."""
    message = update.effective_message
    assert message is not None and message.text is not None
    STEPS.data(context)["link"] = check_link(message.text)
    return await _ask_file(update)


async def skip_link(update: Update, context: BotContext) -> int:
    """No link."""
    STEPS.data(context)["link"] = None
    return await _ask_file(update)


async def _ask_file(update: Update) -> int:
    await answer(
        update, "请发送稿件文件（.docx、.pdf 或图片），没有请点“跳过”。", reply_markup=SKIP
    )
    return FILE


@refusing(FILE)
async def got_file(update: Update, context: BotContext) -> int:
    """A document or photo: type and size checked; the file stays on Telegram's side."""
    message = update.effective_message
    assert message is not None
    draft = STEPS.data(context)
    if message.document is not None:
        name = message.document.file_name or "稿件"
        check_attachment(name, message.document.file_size, ARTICLE_FILES, ARTICLE_FILES_HINT)
        draft["file_id"], draft["file_name"] = message.document.file_id, name
    elif message.photo:
        draft["file_id"], draft["file_name"] = message.photo[-1].file_id, "图片.jpg"
    else:
        await refuse(update, "请发送文件，或点“跳过”。")
        return FILE
    return await _ask_platforms(update, context)


async def skip_file(update: Update, context: BotContext) -> int:
    """No file."""
    draft = STEPS.data(context)
    draft["file_id"] = draft["file_name"] = None
    return await _ask_platforms(update, context)


async def _ask_platforms(update: Update, context: BotContext) -> int:
    STEPS.data(context)["platforms"] = []
    await answer(
        update,
        "拟投哪些上级平台？可多选，选好后点“完成”。",
        reply_markup=platforms_keyboard(services(context).rules, []),
    )
    return PLATFORMS


async def toggle_platform(update: Update, context: BotContext) -> int:
    """A column pressed: chosen or unchosen."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.split(":", 2)[2]
    chosen: list[str] = STEPS.data(context)["platforms"]
    if code in chosen:
        chosen.remove(code)
    else:
        chosen.append(code)
    await acknowledge(query)
    await edit(update, None, platforms_keyboard(services(context).rules, chosen))
    return PLATFORMS


async def platforms_done(update: Update, context: BotContext) -> int:
    """Show the summary to confirm."""
    svc = services(context)
    draft = STEPS.data(context)
    names = "、".join(svc.rules.by_code[c].short for c in draft["platforms"]) or "未选择"
    lines = [
        "<b>请确认报送内容</b>",
        f"标题：《{esc(draft['title'])}》",
        f"链接：{esc(draft.get('link') or '无')}",
        f"文件：{esc(draft.get('file_name') or '无')}",
        f"拟投平台：{esc(names)}",
    ]
    await answer(update, "\n".join(lines), reply_markup=_go_on_or_cancel("确认报送", "ok"))
    return CONFIRM


def _go_on_or_cancel(label: str, step: str) -> InlineKeyboardMarkup:
    """A button to go on and 取消."""
    buttons = [
        InlineKeyboardButton(label, callback_data=f"sub:{step}"),
        InlineKeyboardButton("取消", callback_data="sub:no"),
    ]
    return InlineKeyboardMarkup([buttons])


@refusing(ConversationHandler.END)
async def confirm(update: Update, context: BotContext) -> int:
    """确认报送: record the article."""
    svc = services(context)
    draft = STEPS.data(context)
    who = caller(update, context)
    try:
        article = submit_article(
            svc.db,
            svc.rules,
            who,
            draft["title"],
            svc.today(),
            svc.identities.office(svc.db, svc.settings.admin_ids),
            CHAT_WORDING,
            link=draft.get("link"),
            file_id=draft.get("file_id"),
            file_name=draft.get("file_name"),
            intended_for=tuple(draft["platforms"]),
            alike=await _alike(context, who, draft["title"]),
        )
    finally:
        STEPS.drop(context)
    query = update.callback_query
    assert query is not None
    await acknowledge(query, "已报送")
    await edit(update, submitted_text(article.id, article.title))
    return ConversationHandler.END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel outside a conversation."""
    await answer(update, "当前没有进行中的操作。")


def conversation(timeout_seconds: float) -> ConversationHandler[BotContext]:
    """The /submit conversation."""
    return STEPS.handler(
        "submit",
        begin,
        {
            TITLE: [MessageHandler(TEXT, got_title)],
            LINK: [
                MessageHandler(TEXT, got_link),
                CallbackQueryHandler(skip_link, pattern=r"^sub:skip$"),
            ],
            FILE: [
                MessageHandler(filters.Document.ALL | filters.PHOTO, got_file),
                CallbackQueryHandler(skip_file, pattern=r"^sub:skip$"),
                MessageHandler(TEXT, got_file),
            ],
            PLATFORMS: [
                CallbackQueryHandler(toggle_platform, pattern=r"^sub:p:"),
                CallbackQueryHandler(platforms_done, pattern=r"^sub:done$"),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=r"^sub:ok$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^sub:no$"),
            ],
            DUPLICATE: [
                CallbackQueryHandler(not_a_duplicate, pattern=r"^sub:dup$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^sub:no$"),
            ],
        },
        timeout_seconds,
    )
