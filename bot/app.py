"""Building the Telegram Application: the same builder for ``gongkai run``, tests and the demo."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    Defaults,
)

from bot.persistence import DatabasePersistence
from bot.updates import InboxApplication, InboxQueue
from domain.access import identify
from domain.leases import JOBS, release_lease
from domain.rules import Rules
from handlers.onboarding import set_menu
from handlers.registry import register
from jobs.delivery import JOB_NAME, deliver_outbox
from jobs.lease import LEASE_JOB, keep_lease
from jobs.monthly import catch_up_on_lead, schedule_monthly
from runtime.context import CONTEXT_TYPES, BotContext, BotState
from runtime.services import Clock, Services
from runtime.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)
DEFAULT_MENU = [BotCommand("start", "开始 / 绑定单位"), BotCommand("help", "帮助")]


def system_clock() -> dt.datetime:
    """The real time."""
    return dt.datetime.now(dt.UTC)


def build_application(
    settings: Settings,
    rules: Rules,
    db: Database,
    *,
    clock: Clock = system_clock,
    submit_timeout: float = 600.0,
    delivery_interval: float = 5.0,
    overall_rate: float = 30.0,
    retry_base: float = 1.0,
    claim_seconds: float = 60.0,
    lease_seconds: float = 30.0,
) -> Application:  # type: ignore[type-arg]
    """The bot: handlers, rate limiter, HTML defaults, the inbox, the outbox delivery job.

    ``overall_rate`` is Telegram's cap on messages per second across all chats; 0 lifts it
    (benchmarks against a local sandbox measure the bot, not Telegram's limit). Failed
    deliveries are retried after 2, 4, 8 … × ``retry_base`` seconds. An update or an outbox
    row a process took is someone else's to take ``claim_seconds`` later (its process died);
    the jobs' lease is held for ``lease_seconds`` and renewed three times as often.
    """
    if not settings.bot_token:
        raise ValueError("GONGKAI_BOT_TOKEN is required")
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    claim = dt.timedelta(seconds=claim_seconds)
    queue = InboxQueue(db, holder, claim, settings.admin_ids)
    builder = (
        ApplicationBuilder()
        .application_class(InboxApplication)
        .token(settings.bot_token)
        .update_queue(queue)
        .persistence(DatabasePersistence(db))
        .context_types(CONTEXT_TYPES)
        # Every message goes through the outbox, which waits out a 429's retry_after itself
        # (and records it); retrying here as well would hide it from the outbox.
        .rate_limiter(AIORateLimiter(overall_max_rate=overall_rate, max_retries=0))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.api_server:
        root = settings.api_server.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    application = builder.build()
    queue.bot = application.bot
    state: BotState = application.bot_data
    state.services = Services(settings, rules, db, clock, holder)
    state.delivery_interval = delivery_interval
    state.retry_base = retry_base
    state.delivery_rate = overall_rate
    state.delivery_hold = claim_seconds
    state.lease_seconds = lease_seconds
    state.after_update = lambda: _kick_delivery(application)
    register(application, submit_timeout=submit_timeout)
    return application


async def start_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Initialise and start the application inside a running event loop, as PTB's
    ``run_*`` would, without the updater."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def stop_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what ``start_application`` started."""
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()


async def start_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start an application and its long polling inside a running event loop.

    For the console, the demo and the tests, which share their loop with the sandbox.
    """
    await start_application(application)
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)


async def stop_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what ``start_polling`` started."""
    assert application.updater is not None
    await application.updater.stop()
    await stop_application(application)


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A clean stop gives the jobs' lease up, so another process need not wait for it."""
    services = application.bot_data.services
    await asyncio.to_thread(release_lease, services.db, JOBS, services.holder)


def _kick_delivery(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After an update, deliver what it queued without waiting for the next round; one
    delivery is arranged at a time (a burst's replies and notices go out together)."""
    if application.bot_data.delivery_kicked or application.job_queue is None:
        return
    application.bot_data.delivery_kicked = True
    application.job_queue.run_once(_kicked_delivery, 0, name=f"{JOB_NAME}-now")


async def _kicked_delivery(context: BotContext) -> None:
    context.bot_data.delivery_kicked = False
    await deliver_outbox(context)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menus, the repeating delivery and lease jobs registered under fixed names."""
    services = application.bot_data.services
    await application.bot.set_my_commands(DEFAULT_MENU)
    for admin_id in sorted(services.settings.admin_ids):
        await set_menu(
            application.bot,
            identify(services.db, admin_id, services.settings.admin_ids),
            services.rules,
        )
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    application.job_queue.run_repeating(
        deliver_outbox,
        interval=application.bot_data.delivery_interval,
        first=0,
        name=JOB_NAME,
        # Late runs are harmless (the outbox is durable): run them, but only once.
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    schedule_monthly(application.job_queue, services)
    application.bot_data.on_lead = catch_up_on_lead
    for job in application.job_queue.get_jobs_by_name(LEASE_JOB):
        job.schedule_removal()
    application.job_queue.run_repeating(
        keep_lease,
        interval=application.bot_data.lease_seconds / 3,
        name=LEASE_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    # A repeating job cannot start at once (APScheduler): its first run is a job of its own.
    application.job_queue.run_once(keep_lease, 0, name=LEASE_JOB)
