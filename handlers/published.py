"""/published: an upstream column's contents in chat, matched to the articles, previewed, and
recorded by a press (all sure matches at once, the doubtful ones one by one)."""

from __future__ import annotations

import asyncio
import html
import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.access import Identity
from domain.published import column_text, match_column, record_publications
from handlers.common import (
    STALE_BUTTON,
    acknowledge,
    answer,
    caller,
    download,
    edit,
    refuse,
    refusing,
    requires,
)
from handlers.conversations import Steps
from reports.published import column_match_html, recorded_lines
from reports.wording import CHAT_WORDING
from runtime.context import BotContext
from runtime.services import services

CHOOSING, PLATFORM = range(2)
# Doubtful lines offered as buttons in one message (Telegram allows about a hundred buttons).
DOUBTFUL_BUTTONS = 15
USAGE = (
    "用法：/published [平台]，换行后每行一个标题（从栏目页面复制即可，序号、日期会被忽略）；"
    "或发送 .txt/.docx/.xlsx 文件并写说明 /published [平台]。平台可写代码、名称或级别，"
    "如 看山东；不写则点按钮选择。"
)
STEPS = Steps(
    "published",
    expired="核对采用清单已因长时间未操作而结束，未点选的行未记录。",
    cancelled="已结束，未点选的行未记录。",
)


@requires("admin")
async def published_text(update: Update, context: BotContext, who: Identity) -> int:
    """/published 平台, then the titles on the following lines of the same message."""
    message = update.effective_message
    assert message is not None and message.text is not None
    first, _, rest = message.text.partition("\n")
    return await _preview(update, context, first.split(maxsplit=1)[1:], rest)


@requires("admin")
@refusing(ConversationHandler.END)
async def published_file(update: Update, context: BotContext, who: Identity) -> int:
    """A file of the column's contents, captioned /published 平台."""
    message = update.effective_message
    assert message is not None and message.document is not None
    name = message.document.file_name or "column.txt"
    content = await download(context, message.document)
    text = await asyncio.to_thread(column_text, name, content)
    caption = (message.caption or "").split(maxsplit=1)
    return await _preview(update, context, caption[1:], text)


@refusing(ConversationHandler.END)
async def _preview(update: Update, context: BotContext, platform: list[str], text: str) -> int:
    if not text.strip():
        await refuse(update, USAGE)
        return ConversationHandler.END
    svc = services(context)
    if not platform:
        # The column not named: kept, and asked for by button.
        draft = STEPS.data(context)
        draft.clear()
        draft.update(token=secrets.token_hex(4), text=text)
        rows = [
            [InlineKeyboardButton(p.short, callback_data=f"pcol:{draft['token']}:p:{p.code}")]
            for p in svc.rules.platforms
        ]
        rows.append([InlineKeyboardButton("取消", callback_data=f"pcol:{draft['token']}:done")])
        await answer(
            update, "这是哪个栏目刊发的？请选择：", reply_markup=InlineKeyboardMarkup(rows)
        )
        return PLATFORM
    matched = await asyncio.to_thread(
        match_column, svc.db, svc.rules, platform[0].strip(), text, svc.today().year
    )
    doubtful = {
        str(m.line_number): [c.article_id for c, _ in m.choices]
        for m in matched.tier("doubtful")[:DOUBTFUL_BUTTONS]
    }
    draft = STEPS.data(context)
    draft.clear()
    draft.update(
        token=secrets.token_hex(4),
        platform=matched.platform.code,
        sure=[m.best.article_id for m in matched.to_record() if m.best is not None],
        doubtful=doubtful,
    )
    await answer(update, column_match_html(matched), reply_markup=_keyboard(draft))
    return CHOOSING


def _keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    token = draft["token"]
    rows = []
    if draft["sure"]:
        label = f"全部记录（{len(draft['sure'])} 条）"
        rows.append([InlineKeyboardButton(label, callback_data=f"pcol:{token}:all")])
    for line, article_ids in draft["doubtful"].items():
        rows.append(
            [
                InlineKeyboardButton(f"第{line}行→#{n}", callback_data=f"pcol:{token}:{line}:{n}")
                for n in article_ids
            ]
        )
    rows.append([InlineKeyboardButton("完成", callback_data=f"pcol:{token}:done")])
    return InlineKeyboardMarkup(rows)


async def chosen(update: Update, context: BotContext) -> int:
    """全部记录, one doubtful line's article, or 完成."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = STEPS.data(context)
    _, token, *choice = query.data.split(":")
    if token != draft.get("token"):
        await acknowledge(query, STALE_BUTTON, alert=True)
        return CHOOSING
    if choice == ["done"]:
        return await STEPS.cancel(update, context)
    if choice[:1] == ["p"] and "text" in draft:
        await edit(update, None)
        return await _preview(update, context, choice[1:], draft.pop("text"))
    if choice == ["all"]:
        wanted, draft["sure"] = draft["sure"], []
    else:
        line, article = choice
        if line not in draft["doubtful"]:
            await acknowledge(query, STALE_BUTTON, alert=True)
            return CHOOSING
        wanted = [int(article)]
        del draft["doubtful"][line]
    svc = services(context)
    platform = svc.rules.by_code[draft["platform"]]
    done = await asyncio.to_thread(
        record_publications,
        svc.db,
        svc.rules,
        platform.code,
        wanted,
        f"tg:{caller(update, context).telegram_id}",
        svc.today(),
        CHAT_WORDING,
        hierarchy=svc.offices(),
    )
    left = bool(draft["sure"] or draft["doubtful"])
    await edit(update, None, _keyboard(draft) if left else None)
    await answer(update, "\n".join(recorded_lines(done, platform.short, escape=html.escape)))
    if not left:
        STEPS.drop(context)
        return ConversationHandler.END
    return CHOOSING


def conversation(timeout_seconds: float) -> ConversationHandler[BotContext]:
    """/published (text or a captioned file), then the presses."""
    document = MessageHandler(
        filters.Document.ALL & filters.CaptionRegex(r"^/published(\s|$)"), published_file
    )
    return STEPS.handler(
        "published",
        published_text,
        {
            CHOOSING: [CallbackQueryHandler(chosen, pattern=r"^pcol:")],
            PLATFORM: [CallbackQueryHandler(chosen, pattern=r"^pcol:")],
        },
        timeout_seconds,
        also=(document,),
    )
