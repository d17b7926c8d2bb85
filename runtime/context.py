"""The bot's typed context: what every handler and job finds in ``context.bot_data``.

PTB builds ``bot_data`` from ``CONTEXT_TYPES``, so it is a ``BotState`` (named fields, typed)
rather than a dict of string keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from telegram.ext import CallbackContext, ContextTypes, ExtBot, JobQueue

from runtime.services import Services


@dataclass
class BotState:
    """The application's services, its delivery and lease settings, and what this process
    has found out while running. PTB creates it empty; ``bot.app`` fills it in."""

    services: Services | None = None
    # Delivery: how often the outbox is drained, Telegram's overall rate (0: none), the first
    # retry's delay, how long a claimed row stays this process's.
    delivery_interval: float = 0.0
    delivery_rate: float = 0.0
    retry_base: float = 0.0
    delivery_hold: float = 0.0
    lease_seconds: float = 0.0
    after_update: Callable[[], None] | None = None
    on_lead: Callable[[BotContext], Awaitable[None]] | None = None
    # Found out while running.
    caught_up: bool = False  # the start-up catch-up has decided what was due
    leader: bool = False  # this process holds the jobs' lease
    conflict: bool = False  # another poller uses the token (said once)
    delivery_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delivery_kicked: bool = False
    delivery_again: bool = False
    delivery_slot: float = 0.0
    pruned_at: float = 0.0


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]):
    """PTB's callback context with ``bot_data`` typed as ``BotState``."""


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotState)


def job_queue(context: BotContext) -> JobQueue[BotContext]:
    """The application's job queue, typed for callbacks that take a ``BotContext``."""
    queue = context.job_queue
    assert queue is not None, "the application was built without a job queue"
    return cast("JobQueue[BotContext]", queue)
