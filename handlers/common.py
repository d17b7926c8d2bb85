"""What every handler shares: the services, the caller's identity, role checks, replies."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    Document,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError

from domain.access import Identity
from domain.arguments import parse_id
from domain.errors import UserError
from domain.notices import Buttons, Reply
from runtime.context import BotContext
from runtime.sending import send_replies
from runtime.services import services

log = logging.getLogger(__name__)
# A button whose conversation has ended, or whose entry is no longer the one waiting.
STALE_BUTTON = "此按钮已失效，请重新发送命令"
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
RoleHandler = Callable[[Update, BotContext, Identity], Coroutine[Any, Any, Any]]
H = TypeVar("H", bound=Callable[..., Coroutine[Any, Any, Any]])
# Telegram shows at most 200 characters in a button's alert.
ALERT_LIMIT = 190


def caller(update: Update, context: BotContext) -> Identity:
    """The roles of whoever sent the update."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    return svc.identities.get(svc.db, user.id, svc.settings.admin_ids)


ROLE_REFUSALS = {
    "admin": "此命令仅限政务公开办公室管理员使用。",
    "supervisor": "此命令仅限督查人员和管理员使用。",
    "liaison": "此命令仅限已绑定单位的联络员使用。请先通过管理员发给您的邀请链接绑定单位。",
}


def allowed(who: Identity, role: str) -> bool:
    """Whether ``who`` may use a command meant for ``role``."""
    return {
        "admin": who.is_admin,
        "supervisor": who.can_supervise,
        "liaison": who.is_liaison,
    }[role]


def requires(role: str) -> Callable[[RoleHandler], Handler]:
    """Refuse the update, changing nothing, unless the caller holds ``role``.

    The wrapped handler receives the caller's identity as its third argument. A ``UserError``
    it raises is the refusal the user reads (see ``refusing``); a conversation stays in the
    state it was in.
    """

    def decorate(handler: RoleHandler) -> Handler:
        @functools.wraps(handler)
        @refusing()
        async def guarded(update: Update, context: BotContext) -> Any:
            who = caller(update, context)
            if not allowed(who, role):
                await answer(update, ROLE_REFUSALS[role])
                return None
            return await handler(update, context, who)

        return guarded

    return decorate


def refusing(then: object = None, suffix: str = "", alert: bool = False) -> Callable[[H], H]:
    """A ``UserError`` the wrapped handler raises is what the user reads, and the handler
    returns ``then`` (a conversation's next state; ``None`` stays where it was).

    The reason comes as a reply, with ``suffix`` (what to do next); with ``alert``, a pressed
    button shows it as an alert on the button instead. What the domain did under the refused
    step is undone with it (its savepoint is rolled back).
    """

    def decorate(handler: H) -> H:
        @functools.wraps(handler)
        async def refused(update: Update, context: BotContext, *rest: Any) -> Any:
            try:
                return await handler(update, context, *rest)
            except UserError as exc:
                if alert and update.callback_query is not None:
                    await acknowledge(update.callback_query, str(exc)[:ALERT_LIMIT], alert=True)
                else:
                    await refuse(update, f"{exc}{suffix}")
                return then

        return refused  # type: ignore[return-value]

    return decorate


MESSAGE_BUDGET = 4000
# Files the bot reads itself (tables to import, a column's titles): an office's are far smaller.
MAX_READ_BYTES = 5 * 1024 * 1024


def buttons_of(markup: InlineKeyboardMarkup | None) -> Buttons | None:
    """An inline keyboard as rows of ``[label, callback_data]``, as the outbox keeps it."""
    if markup is None:
        return None
    return [
        [[button.text, str(button.callback_data)] for button in row]
        for row in markup.inline_keyboard
    ]


async def answer(
    update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Reply with HTML ``text`` (already escaped) in the chat the update came from.

    A text longer than one message is sent in pieces cut at line ends; buttons go with the
    last piece. The reply is queued with the change it reports (see ``send_replies``).
    """
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    chat = update.effective_chat
    assert chat is not None
    pieces = split_text(text)
    replies = [Reply(chat.id, piece) for piece in pieces[:-1]]
    replies.append(Reply(chat.id, pieces[-1], buttons_of(reply_markup)))
    await send_replies(update, replies)


async def send_file(
    update: Update, content: bytes, filename: str, caption: str | None = None
) -> None:
    """Send a file into the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await send_replies(update, [Reply(chat.id, caption or "", None, content, filename)])


async def send_picture(update: Update, png: bytes, filename: str, caption: str = "") -> None:
    """Show an image (a chart) in the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await send_replies(update, [Reply(chat.id, caption, None, png, filename, picture=True)])


async def edit(
    update: Update, text: str | None, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the text (or, with ``text=None``, only the buttons) of the message whose
    button was pressed."""
    query = update.callback_query
    assert query is not None and query.message is not None
    message = query.message
    buttons = buttons_of(reply_markup)
    reply = Reply(message.chat.id, text or "", buttons, edit_message_id=message.message_id)
    await send_replies(update, [reply])


async def acknowledge(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press (stops the client's spinner); a failure here changes nothing."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.info("could not answer a button press: %s", exc)


def split_text(text: str, budget: int = MESSAGE_BUDGET) -> list[str]:
    """Cut ``text`` at line ends into pieces of at most ``budget`` characters."""
    pieces: list[str] = []
    while len(text) > budget:
        cut = text.rfind("\n", 0, budget)
        cut = cut if cut > 0 else budget
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


async def download(context: BotContext, document: Document, limit: int = MAX_READ_BYTES) -> bytes:
    """A document's content; a ``UserError`` before anything is fetched when it is larger
    than ``limit``."""
    size = document.file_size or 0
    if size > limit:
        raise UserError(f"文件过大（{size // 1024} KB），最大 {limit // 2**20} MB。")
    file = await context.bot.get_file(document.file_id)
    return bytes(await file.download_as_bytearray())


async def refuse(update: Update, message: str) -> None:
    """Reply with a user-facing error message, escaped."""
    await answer(update, f"⚠️ {html.escape(message)}")


def arguments(context: BotContext) -> list[str]:
    """The command's arguments as typed."""
    return list(context.args or [])


def parse_article_id(text: str) -> int:
    """``12`` or ``#12`` → 12; anything else is a ``UserError``."""
    return parse_id(text, "稿件", "#12")
