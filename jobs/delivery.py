"""Delivery: drains the outbox within Telegram's limits, retrying what can be retried.

Retries are timed by the wall clock, not the injected business clock: a test that sets the
date to July 2020 still wants a message queued now to go out now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from domain.notices import (
    Pending,
    backoff,
    claim_messages,
    mark_sent,
    mark_undeliverable,
    merge_for_chats,
    postpone,
    release_messages,
)
from reports.wording import CHAT_WORDING
from runtime.context import BotContext
from runtime.sending import send_reply
from runtime.services import outside_update, services, wall_clock

log = logging.getLogger(__name__)
JOB_NAME = "outbox-delivery"
# Deliver at 97% of the overall limit: Telegram counts in windows we cannot see.
PACE_MARGIN = 0.97


async def deliver_outbox(context: BotContext) -> None:
    """Send every due message once; one run at a time in this process, whoever triggers it;
    rows are claimed, so other processes send other rows."""
    outside_update()
    lock = context.bot_data.delivery_lock
    if lock.locked():
        context.bot_data.delivery_again = True
        return
    async with lock:
        while True:
            context.bot_data.delivery_again = False
            if not await _deliver_due(context) and not context.bot_data.delivery_again:
                return


async def _deliver_due(context: BotContext) -> bool:
    """One batch; True when a full batch went out and more may be waiting."""
    svc = services(context)
    hold = dt.timedelta(seconds=context.bot_data.delivery_hold)
    batch = await asyncio.to_thread(claim_messages, svc.db, svc.holder, wall_clock(), hold, 50)
    done: set[int] = set()
    try:
        for group in merge_for_chats(batch):
            if len(group) > 1 and await _deliver_merged(context, group):
                done.update(m.id for m in group)
                continue
            for message in group:
                done.add(message.id)
                if not await _deliver(context, message):
                    return False
    finally:
        left = [m.id for m in batch if m.id not in done]
        if left:  # a 429 cut the batch short: the rest is anyone's again
            await asyncio.to_thread(release_messages, svc.db, left)
    return len(batch) == 50


async def _deliver_merged(context: BotContext, group: list[Pending]) -> bool:
    """Send several texts for one chat as one message; False (nothing recorded) when that
    fails, so that each goes alone and meets its own error handling."""
    await _pace(context)
    try:
        await context.bot.send_message(group[0].chat_id, "\n\n".join(m.text for m in group))
    except TelegramError as exc:
        log.info(
            "merged outbox messages to %s failed: %s; sending one by one", group[0].chat_id, exc
        )
        return False
    await asyncio.to_thread(mark_sent, services(context).db, [m.id for m in group], wall_clock())
    return True


async def _pace(context: BotContext) -> None:
    """Space sends evenly just under the overall rate, so a broadcast never bursts into a 429."""
    rate = context.bot_data.delivery_rate
    if not rate:
        return
    interval = 1.0 / (rate * PACE_MARGIN)
    slot = context.bot_data.delivery_slot
    now = time.monotonic()
    if slot > now:
        await asyncio.sleep(slot - now)
    # The next slot follows this one, not the moment we woke: oversleeping does not add up.
    context.bot_data.delivery_slot = max(slot, now) + interval


async def _deliver(context: BotContext, message: Pending) -> bool:
    """Send one message; False when Telegram asks the whole bot to slow down."""
    svc = services(context)
    await _pace(context)
    try:
        await send_reply(context.bot, message.reply)
    except RetryAfter as exc:
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        until = wall_clock() + dt.timedelta(seconds=seconds)
        await asyncio.to_thread(postpone, svc.db, message.id, until, f"429: {exc}", counts=False)
        return False
    except BadRequest as exc:
        if message.edit_message_id is not None and "not modified" in str(exc):
            pass  # the edit was made before (a retry after a lost answer)
        else:
            await _undeliverable(context, message, exc)
            return True
    except Forbidden as exc:
        await _undeliverable(context, message, exc)
        return True
    except (NetworkError, TelegramError) as exc:
        until = wall_clock() + backoff(message.attempts + 1, context.bot_data.retry_base)
        log.info("outbox %s to %s failed: %s; retry %s", message.id, message.chat_id, exc, until)
        await asyncio.to_thread(postpone, svc.db, message.id, until, str(exc))
        return True
    await asyncio.to_thread(mark_sent, svc.db, [message.id], wall_clock())
    return True


async def _undeliverable(context: BotContext, message: Pending, exc: TelegramError) -> None:
    svc = services(context)
    log.warning("outbox %s to %s undeliverable: %s", message.id, message.chat_id, exc)
    await asyncio.to_thread(
        mark_undeliverable, svc.db, message.id, str(exc), svc.settings.admin_ids, CHAT_WORDING
    )
