"""The inbox: every update is kept before Telegram is told it arrived, and handled from here.

Handling an update and marking it handled happen in one transaction (the update's unit of
work), so an update is handled exactly once in the database, whatever crashes or how many
processes share it. Updates of one chat are handled in order, one at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.text import strip_invisible
from storage.db import Database
from storage.repos import repository
from storage.service_repos import Claimed

# An update that has already brought its process down this many times is set aside.
MAX_ATTEMPTS = 3


def chat_key(payload: dict[str, Any]) -> int | None:
    """The chat (or, failing that, the user) whose updates must be handled in order."""
    for kind in MESSAGE_KINDS:
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


MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")


def clean_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An update with control and invisible characters taken out of every string (a NUL
    cannot be stored, a zero-width space would make a title look like another), before it
    is kept or handled.

    Where a message's text changed, its entities would point at the wrong characters: only a
    leading command's is kept, its length measured again.
    """
    cleaned: dict[str, Any] = _without_invisible(payload)
    for kind in MESSAGE_KINDS:
        original, message = payload.get(kind), cleaned.get(kind)
        if not isinstance(message, dict) or not isinstance(original, dict):
            continue
        for text_key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
            text = message.get(text_key)
            if not isinstance(text, str) or text == original.get(text_key):
                continue
            if original.get(text_key) and not text.strip():
                text = message[text_key] = " "  # still a message, refused as empty
            entities = message.pop(entities_key, None) or []
            first = entities[0] if entities else {}
            if first.get("type") == "bot_command" and first.get("offset") == 0 and text[:1] == "/":
                command = text.split(maxsplit=1)[0]
                message[entities_key] = [{**first, "length": len(command.encode("utf-16-le")) // 2}]
    return cleaned


def _without_invisible(value: Any) -> Any:
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, dict):
        return {key: _without_invisible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_invisible(item) for item in value]
    return value


def record_update(db: Database, payload: dict[str, Any]) -> bool:
    """Keep an update (once: a re-delivery is recognised by its ``update_id``)."""
    with repository(db) as repo:
        return repo.inbox.record(int(payload["update_id"]), payload, chat_key(payload))


def claim_update(db: Database, holder: str, hold: dt.timedelta) -> Claimed | None:
    """The next update ``holder`` may handle, taken for ``hold``; None when there is none."""
    now = dt.datetime.now(dt.UTC)
    with repository(db) as repo:
        return repo.inbox.claim(holder, now, now + hold)


def finish_update(db: Database, update_id: int, holder: str, error: str | None = None) -> bool:
    """Mark the update handled (inside its unit of work); False if another process took it
    over meanwhile, in which case the unit must be rolled back."""
    status = "done" if error is None else "failed"
    with repository(db) as repo:
        return repo.inbox.finish(update_id, holder, status, error)


def release_claims(db: Database, holder: str) -> int:
    """Void every claim but ``holder``'s: on SQLite (one process) whoever else held them is
    gone."""
    with repository(db) as repo:
        return repo.inbox.release_others(holder)


def prune_inbox(db: Database, keep: dt.timedelta) -> int:
    """Forget updates handled longer ago than ``keep``."""
    with repository(db) as repo:
        return repo.inbox.prune(dt.datetime.now(dt.UTC) - keep)


def backlog(db: Database) -> tuple[int, int]:
    """Updates not yet handled and messages not yet sent."""
    with repository(db) as repo:
        updates = repo.inbox.backlog()
        waiting = updates.get("pending", 0) + updates.get("processing", 0)
        return waiting, repo.outbox.pending_count()
