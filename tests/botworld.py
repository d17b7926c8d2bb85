"""The real bot against the sandbox Bot API, on the test database: a world tests can play in."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.app import build_application, start_polling, stop_polling
from bot.sandbox import Limits, Sandbox, SandboxUser
from domain.rules import Rules
from runtime.settings import Settings
from storage.db import Database
from tests.waiting import eventually, settled

ADMIN_ID = 1000
SUPERVISOR_ID = 2000
BULLETIN_CHAT = -100500
SUPERVISION_CHAT = -100600


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward."""
        self.now += dt.timedelta(**delta)


@dataclass
class World:
    """A running bot, the sandbox it talks to, its database and its clock."""

    sandbox: Sandbox
    application: Application[Any, Any, Any, Any, Any, Any]
    db: Database
    clock: FakeClock
    rules: Rules
    people: dict[int, SandboxUser] = field(default_factory=dict)

    @property
    def admin(self) -> SandboxUser:
        """The office's admin (from GONGKAI_ADMIN_IDS)."""
        return self.person(ADMIN_ID, "办公室")

    async def caught_up(self) -> None:
        """Wait until the start-up catch-up job has run, so that moving the clock afterwards
        cannot hand it a date it would act on."""
        await eventually(
            lambda: self.application.bot_data.caught_up, timeout=20, what="the catch-up"
        )

    async def remaining(self, person: SandboxUser) -> list[str]:
        """Once the bot has settled, the first lines of what it said to ``person`` that the
        test has not read yet (now read)."""
        await self.settled()
        return [m.text.split("\n")[0] for m in person.unread()]

    async def nothing_unread(self) -> None:
        """Fail if the bot said something to someone that the test never read: an answer
        nobody looked at is an answer nobody checked."""
        await settled(self.sandbox, self.db, quiet=0.2)
        unread = {
            user_id: [m.text[:80] or "（文件）" for m in person.unread()]
            for user_id, person in self.people.items()
        }
        unread = {user_id: texts for user_id, texts in unread.items() if texts}
        assert not unread, f"messages the test never read: {unread}"

    async def settled(self) -> None:
        """Wait until the bot has nothing left to handle or send and has gone quiet."""
        await settled(self.sandbox, self.db)

    async def liaison(self, unit: str, user_id: int) -> SandboxUser:
        """Someone bound to ``unit`` the way liaisons are: the admin's invite, then /start."""
        await self.admin.says(f"/invite {unit}")
        code = (await self.admin.reply()).text.split("/start ")[-1].strip()
        liaison = self.person(user_id, f"{unit}联络员")
        await liaison.says(f"/start {code}")
        assert "绑定成功" in (await liaison.reply()).text
        return liaison

    def person(self, user_id: int, name: str = "") -> SandboxUser:
        """Anyone, the same object each time (it remembers what it has read)."""
        if user_id not in self.people:
            self.people[user_id] = self.sandbox.user(user_id, name or f"用户{user_id}")
        return self.people[user_id]


@asynccontextmanager
async def running_bot(
    db: Database,
    rules: Rules,
    *,
    now: dt.datetime,
    submit_timeout: float = 600.0,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
) -> AsyncIterator[World]:
    """Start the real application (polling) on a sandbox, new or given; stop what it started."""
    async with AsyncExitStack() as stack:
        if sandbox is None:
            sandbox = await stack.enter_async_context(Sandbox(limits=limits))
        sandbox.group(BULLETIN_CHAT, "政务公开工作群")
        sandbox.group(SUPERVISION_CHAT, "督查室")
        settings = Settings(
            bot_token=sandbox.token,
            database_url=db.url,
            api_server=sandbox.url,
            admin_ids=frozenset({ADMIN_ID}),
            bulletin_chat_id=BULLETIN_CHAT,
            supervision_chat_id=SUPERVISION_CHAT,
        )
        clock = FakeClock(now)
        application = build_application(
            settings,
            rules,
            db,
            clock=clock,
            submit_timeout=submit_timeout,
            delivery_interval=0.2,
            retry_base=0.1,
        )
        world = World(sandbox, application, db, clock, rules)
        world.admin  # noqa: B018  (the admin's chat exists before the bot writes to it)
        await start_polling(application)
        try:
            # Whatever was due at start is decided before the test acts (the jobs' lease is
            # taken and the catch-up has run), so a test's own messages come after it.
            await world.caught_up()
            yield world
            await world.nothing_unread()
        finally:
            await stop_polling(application)
