"""Updates through the inbox: PTB's update queue backed by the database, and an application
that handles each update inside one unit of work.

PTB's updater (polling) and webhook server both ``put`` every update into the application's
queue before they confirm it to Telegram (the next ``getUpdates`` offset, the webhook's 200):
``InboxQueue.put`` records it durably there. The application's fetcher then ``get``s updates
claimed from the inbox, so what one process recorded another may handle, a restart handles
what was recorded and not finished, and one chat's updates go one at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.persistence import DatabasePersistence
from domain.inbox import (
    MAX_ATTEMPTS,
    claim_update,
    clean_payload,
    finish_update,
    record_update,
)
from domain.notices import alert_admins
from runtime.services import in_office
from storage.db import Database, UnitOfWork

log = logging.getLogger(__name__)


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue, kept in the inbox table."""

    def __init__(
        self, db: Database, holder: str, hold: dt.timedelta, admin_ids: frozenset[int]
    ) -> None:
        super().__init__()
        self.db = db
        self.holder = holder
        self.hold = hold
        self.admin_ids = admin_ids
        # Without news, look for updates other processes recorded (or left) this often.
        self.poll_seconds = 1.0
        self.bot: Any = None
        self._news = asyncio.Event()

    async def put(self, item: object) -> None:
        """Record an update before the caller confirms it; other items (PTB's stop signal)
        are queued in memory."""
        if isinstance(item, Update):
            await asyncio.to_thread(record_update, self.db, clean_payload(item.to_dict()))
        else:
            await super().put(item)
        self._news.set()

    async def get(self) -> object:
        """The next update this process may handle (claimed), or PTB's stop signal."""
        while True:
            if not super().empty():
                return super().get_nowait()
            self._news.clear()
            claimed = await asyncio.to_thread(claim_update, self.db, self.holder, self.hold)
            if claimed is not None:
                if claimed.attempts > MAX_ATTEMPTS:
                    await asyncio.to_thread(self._set_aside, claimed.update_id)
                    continue
                return Update.de_json(claimed.payload, self.bot)
            if not super().empty():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), self.poll_seconds)

    def task_done(self) -> None:
        """Handled updates are marked in the inbox, not counted here."""
        if self._unfinished_tasks > 0:  # type: ignore[attr-defined]
            super().task_done()

    def _set_aside(self, update_id: int) -> None:
        """An update that keeps failing (it may be what brings the process down)."""
        log.error("update %s failed %d times; set aside", update_id, MAX_ATTEMPTS)
        if finish_update(self.db, update_id, self.holder, "failed repeatedly"):
            alert_admins(
                self.db,
                f"inbox:{update_id}",
                f"⚠️ 一条消息（更新 {update_id}）处理 {MAX_ATTEMPTS} 次均失败，已搁置。详见日志。",
                self.admin_ids,
            )


class InboxApplication(Application):  # type: ignore[type-arg]
    """Handles each update in a unit of work: what it changed, the replies it queued, the
    conversation's new step and the inbox's mark are committed together, or not at all."""

    async def process_update(self, update: object) -> None:
        """Handle one update exactly once in the database; then deliver what it queued."""
        queue = self.update_queue
        if not isinstance(update, Update) or not isinstance(queue, InboxQueue):
            await super().process_update(update)
            return
        with queue.db.unit_of_work() as unit:
            with in_office(await asyncio.to_thread(self._office_of, update)):
                await super().process_update(update)
            if self.persistence is not None:
                await self.update_persistence()
            finished = await asyncio.to_thread(self._finish, unit, queue, update.update_id)
        if not finished:
            log.warning("update %s was taken over by another process; undone", update.update_id)
        after = self.bot_data.after_update
        if after is not None:
            after()

    def _office_of(self, update: Update) -> int | None:
        """The office of whoever sent the update: its handlers act as that office."""
        user = update.effective_user
        if user is None:
            return None
        svc = self.bot_data.services
        return svc.identities.get(svc.db, user.id, svc.settings.admin_ids).office_id

    def _finish(self, unit: UnitOfWork, queue: InboxQueue, update_id: int) -> bool:
        if isinstance(self.persistence, DatabasePersistence):
            self.persistence.write_pending()
        if not finish_update(queue.db, update_id, queue.holder):
            return False
        unit.commit()
        return True
