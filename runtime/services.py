"""The services handlers and jobs reach the domain through, kept in the application's
``bot_data``; who users are, remembered briefly."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.access import Identity, identify
from domain.monthly import Chats
from domain.notices import office_chats
from domain.rules import Rules
from runtime.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from runtime.context import BotContext

Clock = Callable[[], dt.datetime]


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


def services(context: BotContext) -> Services:
    """The services the application was built with."""
    found = context.bot_data.services
    assert found is not None, "the application was built without its services"
    return found


def chats_of(svc: Services) -> Chats:
    """Where the monthly routine sends things."""
    settings = svc.settings
    return Chats(settings.bulletin_chat_id, settings.supervision_chat_id, settings.admin_ids)


def outside_update() -> None:
    """Called first by every job: a job started while an update was being handled never
    joins that update's unit of work."""
    Database.leave_unit()


def wall_clock() -> dt.datetime:
    """The real instant (UTC): delivery's retries and leases follow real time, even when the
    routine's clock is set elsewhere (the demo plays July in half a minute)."""
    return dt.datetime.now(dt.UTC)
