"""Waiting for the bot in tests: one way to wait for something to happen, and one way to wait
until nothing more will (instead of loops and fixed sleeps in each test)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.sandbox import Sandbox
from domain.inbox import backlog
from storage.db import Database

T = TypeVar("T")


async def eventually(
    check: Callable[[], T | Awaitable[T]], *, timeout: float = 10.0, what: str = "the condition"
) -> T:
    """``check()``'s first truthy result, asked every 50 ms; fails after ``timeout`` seconds
    naming ``what`` and the last result."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s (last: {found!r})")
        await asyncio.sleep(0.05)


async def settled(
    sandbox: Sandbox, db: Database | None = None, *, quiet: float = 0.5, timeout: float = 30.0
) -> None:
    """Wait until no update is left to handle, no message is left to send (when ``db`` is
    given), and the bot has said nothing for ``quiet`` seconds: a second copy of anything
    would have come by then."""
    deadline = time.monotonic() + timeout
    seen, since = len(sandbox.log), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        busy = db is not None and await asyncio.to_thread(backlog, db) != (0, 0)
        if busy or len(sandbox.log) != seen:
            seen, since = len(sandbox.log), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    raise AssertionError(f"the bot did not settle within {timeout} s")
