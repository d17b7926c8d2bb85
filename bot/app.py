"""Building the Telegram Application: the same builder for ``gongkai run``, tests and the demo."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot.settings import Settings
from domain.access import identify
from domain.rules import Rules
from handlers.common import Clock, Services
from handlers.onboarding import set_menu
from handlers.registry import register
from jobs.delivery import JOB_NAME, deliver_outbox
from jobs.monthly import schedule_monthly
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
) -> Application:  # type: ignore[type-arg]
    """The bot: handlers, rate limiter, HTML defaults, the outbox delivery job.

    ``overall_rate`` is Telegram's cap on messages per second across all chats; 0 lifts it
    (benchmarks against a local sandbox measure the bot, not Telegram's limit). Failed
    deliveries are retried after 2, 4, 8 … × ``retry_base`` seconds.
    """
    if not settings.bot_token:
        raise ValueError("GONGKAI_BOT_TOKEN is required")
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .rate_limiter(AIORateLimiter(overall_max_rate=overall_rate, max_retries=0))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
    )
    if settings.api_server:
        root = settings.api_server.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    application = builder.build()
    application.bot_data["services"] = Services(settings, rules, db, clock)
    application.bot_data["delivery_interval"] = delivery_interval
    application.bot_data["retry_base"] = retry_base
    application.bot_data["delivery_rate"] = overall_rate
    register(
        application,
        submit_timeout=submit_timeout,
        after_every_update=TypeHandler(Update, _kick_delivery),
    )
    return application


async def start_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start an application inside a running event loop, as ``run_polling`` would.

    For the console, the demo and the tests, which share their loop with the sandbox.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)


async def stop_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what ``start_polling`` started."""
    assert application.updater is not None
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


# Notices queued by a burst of updates wait this long, so that they go out together.
KICK_DELAY = 0.1


async def _kick_delivery(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After an update, deliver what it queued without waiting for the next round; one
    delivery is arranged at a time."""
    if context.bot_data.get("delivery_kicked"):
        return
    context.bot_data["delivery_kicked"] = True
    assert context.job_queue is not None
    context.job_queue.run_once(_kicked_delivery, KICK_DELAY, name=f"{JOB_NAME}-now")


async def _kicked_delivery(context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data["delivery_kicked"] = False
    await deliver_outbox(context)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menus, and the repeating delivery job registered under a fixed name."""
    services: Services = application.bot_data["services"]
    await application.bot.set_my_commands(DEFAULT_MENU)
    for admin_id in sorted(services.settings.admin_ids):
        await set_menu(
            application.bot, identify(services.db, admin_id, services.settings.admin_ids)
        )
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    application.job_queue.run_repeating(
        deliver_outbox,
        interval=application.bot_data["delivery_interval"],
        first=0,
        name=JOB_NAME,
        # Late runs are harmless (the outbox is durable): run them, but only once.
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    schedule_monthly(application.job_queue, services)
