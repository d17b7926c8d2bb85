"""The jobs' lease: of several processes on one database, one runs the scheduled jobs.

Every process renews or tries to take the lease a few times per lease period; the holder
runs the jobs, and on taking it over (its holder died, or at start) first catches up on what
came due meanwhile. Delivery is not leased: outbox rows are claimed one by one instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from domain.inbox import prune_inbox, release_claims
from domain.leases import JOBS, take_lease
from domain.notices import release_others_messages
from runtime.context import BotContext
from runtime.services import outside_update, services

log = logging.getLogger(__name__)
LEASE_JOB = "jobs-lease"
# Handled updates are kept this long (for ``gongkai status`` and investigations).
INBOX_KEPT = dt.timedelta(days=7)
PRUNE_EVERY = 3600.0

Job = Callable[[BotContext], Coroutine[Any, Any, None]]


async def keep_lease(context: BotContext) -> None:
    """Renew (or take) the jobs' lease; on becoming the holder, catch up."""
    outside_update()
    svc = services(context)
    hold = dt.timedelta(seconds=context.bot_data.lease_seconds)
    held = await asyncio.to_thread(take_lease, svc.db, JOBS, svc.holder, hold)
    was = context.bot_data.leader
    context.bot_data.leader = held
    if held and not was:
        log.info("this process (%s) now runs the scheduled jobs", svc.holder)
        if svc.db.dialect == "sqlite":
            # SQLite serves one process: the lease was free, so whoever else held claims is
            # gone (this process may have claimed an update or messages already: kept).
            await asyncio.to_thread(release_claims, svc.db, svc.holder)
            await asyncio.to_thread(release_others_messages, svc.db, svc.holder)
        on_lead = context.bot_data.on_lead
        if on_lead is not None:
            await on_lead(context)
    elif was and not held:
        log.warning("this process (%s) lost the jobs' lease", svc.holder)
    if held and time.monotonic() >= context.bot_data.pruned_at + PRUNE_EVERY:
        context.bot_data.pruned_at = time.monotonic()
        await asyncio.to_thread(prune_inbox, svc.db, INBOX_KEPT)


def leader_only(job: Job) -> Job:
    """Run a scheduled job only in the process holding the jobs' lease."""

    @functools.wraps(job)
    async def guarded(context: BotContext) -> None:
        if context.bot_data.leader:
            await job(context)

    return guarded
