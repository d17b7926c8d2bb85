"""The inbox: every update is kept before Telegram is told it arrived, and handled from here.

Handling an update and marking it handled happen in one transaction (the update's unit of
work), so an update is handled exactly once in the database, whatever crashes or how many
processes share it. Updates of one chat are handled in order, one at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.db import Database
from storage.repos import Repo
from storage.service_repos import Claimed

# An update that has already brought its process down this many times is set aside.
MAX_ATTEMPTS = 3


def chat_key(payload: dict[str, Any]) -> int | None:
    """The chat (or, failing that, the user) whose updates must be handled in order."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in payload:
            return int(payload[kind]["chat"]["id"])
    query = payload.get("callback_query")
    if query is not None:
        message = query.get("message")
        if message is not None:
            return int(message["chat"]["id"])
        return int(query["from"]["id"])
    for value in payload.values():
        if isinstance(value, dict):
            if isinstance(value.get("chat"), dict):
                return int(value["chat"]["id"])
            if isinstance(value.get("from"), dict):
                return int(value["from"]["id"])
    return None


def record_update(db: Database, payload: dict[str, Any]) -> bool:
    """Keep an update (once: a re-delivery is recognised by its ``update_id``)."""
    with db.session() as session:
        return Repo(session).inbox.record(int(payload["update_id"]), payload, chat_key(payload))


def claim_update(db: Database, holder: str, hold: dt.timedelta) -> Claimed | None:
    """The next update ``holder`` may handle, taken for ``hold``; None when there is none."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        return Repo(session).inbox.claim(holder, now, now + hold)


def finish_update(db: Database, update_id: int, holder: str, error: str | None = None) -> bool:
    """Mark the update handled (inside its unit of work); False if another process took it
    over meanwhile, in which case the unit must be rolled back."""
    status = "done" if error is None else "failed"
    with db.session() as session:
        return Repo(session).inbox.finish(update_id, holder, status, error)


def release_claims(db: Database) -> int:
    """A lone process starting takes back every claim its dead predecessor left."""
    with db.session() as session:
        return Repo(session).inbox.release_all()


def prune_inbox(db: Database, keep: dt.timedelta) -> int:
    """Forget updates handled longer ago than ``keep``."""
    with db.session() as session:
        return Repo(session).inbox.prune(dt.datetime.now(dt.UTC) - keep)


def backlog(db: Database) -> tuple[int, int]:
    """Updates not yet handled and messages not yet sent."""
    with db.session() as session:
        repo = Repo(session)
        updates = repo.inbox.backlog()
        waiting = updates.get("pending", 0) + updates.get("processing", 0)
        return waiting, repo.outbox.pending_count()
