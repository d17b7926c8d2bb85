"""The services handlers and jobs reach the domain through, kept in the application's
``bot_data``; who users are, remembered briefly."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from domain.access import Identity, identify
from domain.hierarchy import Hierarchy
from domain.monthly import Chats
from domain.notices import office_chats
from domain.offices import office_view
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
        self._offices: dict[int | None, tuple[float, list[int]]] = {}

    def office(self, db: Database, admin_ids: frozenset[int]) -> list[int]:
        """The chats of the admins of ``db``'s office, which hear of every new submission."""
        now = time.monotonic()
        found = self._offices.get(db.office_id)
        if found is None or found[0] <= now:
            found = (now + self.ttl, office_chats(db, admin_ids))
            self._offices[db.office_id] = found
        return found[1]

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
            self._offices.clear()
        else:
            self._known.pop(telegram_id, None)


@dataclass(frozen=True)
class Services:
    """Long-lived collaborators, kept in ``bot_data``: no session ever lives here.

    The application keeps the root office's; ``for_office`` gives another office's view:
    the database as that office sees it, its rules, its chats and no deployment admins.
    """

    settings: Settings
    rules: Rules
    db: Database
    clock: Clock
    # Who this process is in claims and leases (host, process id, a random part).
    holder: str
    identities: Identities = field(default_factory=Identities)
    # A child office's name (None: the root office, configured by the environment).
    office_name: str | None = None
    # A child office's view of the whole tree (the root's builds its own).
    tree: Hierarchy | None = None
    _views: dict[int, Services] = field(default_factory=dict, repr=False)

    def offices(self) -> Hierarchy:
        """Every office's rules and the deployment's admins, for changes that cross offices."""
        if self.tree is not None:
            return self.tree
        return Hierarchy(
            lambda office_id: self.for_office(office_id).rules, self.settings.admin_ids
        )

    def for_office(self, office_id: int | None) -> Services:
        """The services as office ``office_id`` uses them (None, or the root: these)."""
        if office_id is None:
            return self
        view = self._views.get(office_id)
        if view is None:
            office = office_view(self.db, office_id)
            if office.parent is None:
                view = self
            else:
                settings = self.settings.model_copy(
                    update={
                        "admin_ids": frozenset(),
                        "bulletin_chat_id": office.bulletin_chat_id,
                        "supervision_chat_id": office.supervision_chat_id,
                    }
                )
                view = replace(
                    self,
                    settings=settings,
                    rules=office.rules(self.rules),
                    db=self.db.scoped(office_id),
                    office_name=office.name,
                    tree=self.offices(),
                    _views={},
                )
            self._views[office_id] = view
        return view

    def now(self) -> dt.datetime:
        """The current instant in the configured time zone."""
        return self.clock().astimezone(self.settings.tz)

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.now().date()


# The office whose user sent the update being handled (None: the root office's, or a stranger).
_OFFICE: ContextVar[int | None] = ContextVar("gongkai_office", default=None)


def services(context: BotContext) -> Services:
    """The services of the office the update being handled belongs to."""
    return deployment(context).for_office(_OFFICE.get())


def deployment(context: BotContext) -> Services:
    """The services the application was built with: the root office's."""
    found = context.bot_data.services
    assert found is not None, "the application was built without its services"
    return found


@contextmanager
def in_office(office_id: int | None) -> Iterator[None]:
    """Handle what runs inside as office ``office_id``'s (its services, its data)."""
    token = _OFFICE.set(office_id)
    try:
        yield
    finally:
        _OFFICE.reset(token)


def chats_of(svc: Services) -> Chats:
    """Where the monthly routine sends things."""
    settings = svc.settings
    return Chats(
        settings.bulletin_chat_id, settings.supervision_chat_id, settings.admin_ids, svc.office_name
    )


def outside_update() -> None:
    """Called first by every job: a job started while an update was being handled never
    joins that update's unit of work."""
    Database.leave_unit()


def wall_clock() -> dt.datetime:
    """The real instant (UTC): delivery's retries and leases follow real time, even when the
    routine's clock is set elsewhere (the demo plays July in half a minute)."""
    return dt.datetime.now(dt.UTC)
