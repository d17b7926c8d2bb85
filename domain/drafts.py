"""Drafts and conversation states of step-by-step commands, kept across restarts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from storage.db import Database
from storage.repos import repository


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return str(value)


def _untagged(value: dict[str, Any]) -> Any:
    if set(value) == {"$date"}:
        return dt.date.fromisoformat(value["$date"])
    return value


def to_json(data: Any) -> Any:
    """Drafts as JSON: dates tagged so that they come back as dates, tuples as lists."""
    return json.loads(json.dumps(data, default=_tagged))


def from_json(data: Any) -> Any:
    """Drafts read back from JSON."""
    return json.loads(json.dumps(data), object_hook=_untagged)


def load_user_data(db: Database) -> dict[int, dict[Any, Any]]:
    """Every user's drafts."""
    with repository(db) as repo:
        return {user: from_json(data) for user, data in repo.drafts.user_data().items()}


def load_conversations(db: Database, name: str) -> dict[str, Any]:
    """Every open conversation of one kind, by its key (JSON)."""
    with repository(db) as repo:
        return repo.drafts.conversations(name)


def save_drafts(
    db: Database, users: dict[int, dict[Any, Any]], conversations: dict[tuple[str, str], Any]
) -> None:
    """Replace users' drafts and conversations' states (``None`` ends a conversation).

    Drafts are stored as JSON (``to_json``).
    """
    with repository(db) as repo:
        drafts = repo.drafts
        for user_id, data in users.items():
            drafts.set_user_data(user_id, to_json(data))
        for (name, key), state in conversations.items():
            drafts.set_conversation(name, key, state)
