"""What every handler shares: the services, the caller's identity, role checks, replies."""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.settings import Settings
from domain.access import Identity, identify
from domain.arguments import parse_id
from domain.errors import UserError
from domain.notices import Buttons, Reply, office_chats, queue_replies
from domain.rules import Rules
from storage.db import Database

log = logging.getLogger(__name__)
# A button whose conversation has ended, or whose entry is no longer the one waiting.
STALE_BUTTON = "此按钮已失效，请重新发送命令"
Clock = Callable[[], dt.datetime]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]
RoleHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Identity], Coroutine[Any, Any, Any]]


# How long the bot trusts a known user's roles before asking the database again. A role
# revoked from the command line takes effect within this time; a stranger is never cached, so
# a role just granted takes effect at once.
IDENTITY_TTL = 5.0


class Identities:
    """Who users are, and who the office is, remembered briefly: every update needs it, and
    it rarely changes."""

    def __init__(self, ttl: float = IDENTITY_TTL) -> None:
        self.ttl = ttl
        self._known: dict[int, tuple[float, Identity]] = {}
        self._office: tuple[float, list[int]] = (0.0, [])

    def office(self, db: Database, admin_ids: frozenset[int]) -> list[int]:
        """The admins' chats, which hear of every new submission."""
        now = time.monotonic()
        if self._office[0] <= now:
            self._office = (now + self.ttl, office_chats(db, admin_ids))
        return self._office[1]

    def get(self, db: Database, telegram_id: int, admin_ids: frozenset[int]) -> Identity:
        """The user's identity, from memory if fresh, else from the database."""
        now = time.monotonic()
        found = self._known.get(telegram_id)
        if found is not None and found[0] > now:
            return found[1]
        who = identify(db, telegram_id, admin_ids)
        if who.roles:
            self._known[telegram_id] = (now + self.ttl, who)
        return who

    def forget(self, telegram_id: int | None = None) -> None:
        """Drop one user (or everyone) after a change that affects them."""
        if telegram_id is None:
            self._known.clear()
            self._office = (0.0, [])
        else:
            self._known.pop(telegram_id, None)


@dataclass(frozen=True)
class Services:
    """Long-lived collaborators, kept in ``bot_data``: no session ever lives here."""

    settings: Settings
    rules: Rules
    db: Database
    clock: Clock
    # Who this process is in claims and leases (host, process id, a random part).
    holder: str
    identities: Identities = field(default_factory=Identities)

    def now(self) -> dt.datetime:
        """The current instant in the configured time zone."""
        return self.clock().astimezone(self.settings.tz)

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.now().date()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services the application was built with."""
    found: Services = context.bot_data["services"]
    return found


def caller(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Identity:
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

    The wrapped handler receives the caller's identity as its third argument.
    """

    def decorate(handler: RoleHandler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            who = caller(update, context)
            if not allowed(who, role):
                await answer(update, ROLE_REFUSALS[role])
                return None
            return await handler(update, context, who)

        return guarded

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


async def send_replies(update: Update, replies: list[Reply]) -> None:
    """Answers go through the outbox: inside the update's unit of work they are committed
    with the change they report and sent after it, retried until Telegram takes them, so a
    failed send is never taken for a failed change. Outside one (a job), they go at once."""
    unit = Database.current_unit()
    if unit is not None:
        queue_replies(unit.database, f"reply:{update.update_id}:{unit.next_number()}", replies)
        return
    for reply in replies:
        await send_reply(update.get_bot(), reply)


async def send_reply(bot: Bot, reply: Reply) -> None:
    """One reply or outbox row to Telegram: a message, a document, or an edit."""
    markup = keyboard(reply.buttons)
    if reply.edit_message_id is not None:
        if reply.text:
            await bot.edit_message_text(
                reply.text, reply.chat_id, reply.edit_message_id, reply_markup=markup
            )
        else:
            await bot.edit_message_reply_markup(
                reply.chat_id, reply.edit_message_id, reply_markup=markup
            )
    elif reply.document is not None and reply.picture:
        picture = InputFile(reply.document, filename=reply.document_name)
        await bot.send_photo(
            reply.chat_id, picture, caption=reply.text or None, reply_markup=markup
        )
    elif reply.document is not None:
        document = InputFile(reply.document, filename=reply.document_name)
        await bot.send_document(
            reply.chat_id, document, caption=reply.text or None, reply_markup=markup
        )
    else:
        await bot.send_message(reply.chat_id, reply.text, reply_markup=markup)


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """The inline keyboard of rows of ``[label, callback_data]`` (None for none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


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


async def download(
    context: ContextTypes.DEFAULT_TYPE, document: Document, limit: int = MAX_READ_BYTES
) -> bytes:
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


def arguments(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """The command's arguments as typed."""
    return list(context.args or [])


def parse_article_id(text: str) -> int:
    """``12`` or ``#12`` → 12; anything else is a ``UserError``."""
    return parse_id(text, "稿件", "#12")
