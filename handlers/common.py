"""What every handler shares: the services, the caller's identity, role checks, replies."""

from __future__ import annotations

import datetime as dt
import functools
import html
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.settings import Settings
from domain.access import Identity, identify
from domain.errors import UserError
from domain.notices import office_chats
from domain.rules import Rules
from storage.db import Database

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


async def answer(update: Update, text: str, **kwargs: Any) -> None:
    """Reply with HTML ``text`` (already escaped) in the chat the update came from.

    A text longer than one message is sent in pieces cut at line ends; buttons go with the
    last piece.
    """
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None
    pieces = split_text(text)
    for piece in pieces[:-1]:
        await chat.send_message(piece)
    await chat.send_message(pieces[-1], **kwargs)


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


async def refuse(update: Update, message: str) -> None:
    """Reply with a user-facing error message, escaped."""
    await answer(update, f"⚠️ {html.escape(message)}")


def arguments(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """The command's arguments as typed."""
    return list(context.args or [])


def parse_article_id(text: str) -> int:
    """``12`` or ``#12`` → 12; anything else is a ``UserError``."""
    cleaned = text.strip().lstrip("#＃")
    if not cleaned.isdigit():
        raise UserError(f"稿件编号应为数字，例如 #12，而不是“{text}”。")
    return int(cleaned)
