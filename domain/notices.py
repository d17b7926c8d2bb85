"""The outbox: messages the bot sends on its own are rows first, delivered by a job.

A notice is keyed; queuing the same key twice keeps the first, so a retried action or a
restarted job never sends anything twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.notice_wording import NoticeWording
from storage.db import Database
from storage.models import PRIORITY_NOTICE, PRIORITY_REPLY
from storage.repos import Repo, repository
from storage.scope import local_key

Buttons = list[list[list[str]]]


def enqueue(
    repo: Repo,
    key: str,
    chat_id: int,
    text: str,
    document: bytes | None = None,
    document_name: str | None = None,
    buttons: Buttons | None = None,
    *,
    priority: int = PRIORITY_NOTICE,
    edit_message_id: int | None = None,
    picture: bool = False,
) -> bool:
    """Queue an HTML message (optionally with a document or buttons) unless ``key`` is queued.

    ``buttons`` is an inline keyboard as rows of ``[label, callback_data]``; with
    ``edit_message_id`` the message replaces that one's text (or, with no text, its buttons).
    """
    return repo.outbox.queue(
        key=key[:200],
        chat_id=chat_id,
        text=text,
        document=document,
        document_name=document_name,
        buttons=buttons,
        priority=priority,
        edit_message_id=edit_message_id,
        picture=picture,
    )


@dataclass(frozen=True)
class Reply:
    """An answer to a user's update: text, a document, or an edit of an earlier message."""

    chat_id: int
    text: str
    buttons: Buttons | None = None
    document: bytes | None = None
    document_name: str | None = None
    edit_message_id: int | None = None
    picture: bool = False  # the document is an image to show, not a file


def queue_replies(db: Database, key: str, replies: Sequence[Reply]) -> None:
    """Queue answers ahead of notices, in order; inside an update's unit of work they are
    committed with the change they report, so they go out exactly when it happened."""
    with repository(db) as repo:
        for number, reply in enumerate(replies):
            enqueue(
                repo,
                f"{key}:{number}",
                reply.chat_id,
                reply.text,
                reply.document,
                reply.document_name,
                reply.buttons,
                priority=PRIORITY_REPLY,
                edit_message_id=reply.edit_message_id,
                picture=reply.picture,
            )


def enqueue_many(repo: Repo, key: str, chat_ids: Iterable[int], text: str) -> int:
    """Queue the same text to several chats, one keyed row each; returns how many were new."""
    return sum(enqueue(repo, f"{key}:to:{chat_id}", chat_id, text) for chat_id in chat_ids)


def admin_chats(repo: Repo, admin_ids: frozenset[int]) -> list[int]:
    """Every admin, from the environment and the database."""
    return sorted(admin_ids | repo.users.ids_with_role("admin"))


def office_chats(db: Database, admin_ids: frozenset[int]) -> list[int]:
    """``admin_chats`` in a session of its own."""
    with repository(db) as repo:
        return admin_chats(repo, admin_ids)


@dataclass(frozen=True)
class Pending:
    """A queued message ready to go."""

    id: int
    key: str
    chat_id: int
    text: str
    document: bytes | None
    document_name: str | None
    attempts: int
    buttons: Buttons | None
    priority: int = PRIORITY_NOTICE
    edit_message_id: int | None = None
    picture: bool = False

    @property
    def reply(self) -> Reply:
        """What goes to Telegram."""
        return Reply(
            self.chat_id,
            self.text,
            self.buttons,
            self.document,
            self.document_name,
            self.edit_message_id,
            self.picture,
        )

    @property
    def mergeable(self) -> bool:
        """A plain notice, which may share a message with others for the same chat."""
        return (
            self.priority == PRIORITY_NOTICE
            and self.document is None
            and not self.buttons
            and self.edit_message_id is None
        )


def claim_messages(
    db: Database, holder: str, now: dt.datetime, hold: dt.timedelta, limit: int = 50
) -> list[Pending]:
    """Take queued messages whose time has come (replies first) for ``holder`` to send."""
    with repository(db) as repo:
        return [
            Pending(
                m.id,
                m.key,
                m.chat_id,
                m.text,
                m.document,
                m.document_name,
                m.attempts,
                m.buttons,
                m.priority,
                m.edit_message_id,
                m.picture,
            )
            for m in repo.outbox.claim(holder, now, now + hold, limit)
        ]


def release_messages(db: Database, message_ids: Sequence[int]) -> None:
    """Give claimed rows back unsent (a batch cut short)."""
    with repository(db) as repo:
        repo.outbox.release(message_ids)


def release_others_messages(db: Database, holder: str) -> None:
    """Void every claim but ``holder``'s: the SQLite lease holder voiding claims of a process
    that is gone (its own batch is being sent)."""
    with repository(db) as repo:
        repo.outbox.release_others(holder)


def mark_sent(db: Database, message_ids: Sequence[int], now: dt.datetime) -> None:
    """Telegram accepted the message (or the messages sent as one)."""
    with repository(db) as repo:
        repo.outbox.mark_sent(message_ids, now)


MERGED_MAX = 3500


def merge_for_chats(batch: list[Pending]) -> list[list[Pending]]:
    """Group plain notices due for the same chat into one message each (at most ``MERGED_MAX``
    characters), keeping every chat's order: Telegram lets a bot send one message a second to a
    chat, so a burst of notices to the office goes as one. Replies, edits, documents and
    messages with buttons go alone, and end the chat's open group."""
    groups: list[list[Pending]] = []
    open_group: dict[int, list[Pending]] = {}
    for message in batch:
        plain = message.mergeable
        group = open_group.get(message.chat_id)
        if plain and group is not None:
            size = sum(len(m.text) + 2 for m in group) + len(message.text)
            if size <= MERGED_MAX:
                group.append(message)
                continue
        group = [message]
        groups.append(group)
        if plain:
            open_group[message.chat_id] = group
        else:
            open_group.pop(message.chat_id, None)
    return groups


def postpone(
    db: Database, message_id: int, until: dt.datetime, error: str, *, counts: bool = True
) -> None:
    """Try again later; a flood-control wait (``counts=False``) is not a failed attempt."""
    with repository(db) as repo:
        message = repo.outbox.get(message_id)
        if message is not None:
            message.next_attempt_at, message.last_error = until, error[:1000]
            message.claimed_by = message.claimed_until = None
            if counts:
                message.attempts += 1


def backoff(attempts: int, base: float = 1.0) -> dt.timedelta:
    """How long to wait after the n-th failure: 2, 4, 8 … times ``base`` seconds, ≤ 10 minutes."""
    return dt.timedelta(seconds=min(base * 2 ** max(attempts, 1), 600))


def mark_undeliverable(
    db: Database, message_id: int, error: str, admin_ids: frozenset[int], wording: NoticeWording
) -> None:
    """Telegram refuses the message for good (blocked, no such chat): record it, tell admins."""
    with repository(db) as repo:
        message = repo.outbox.get(message_id)
        if message is None:
            return
        message.status, message.last_error = "undeliverable", error[:1000]
        message.claimed_by = message.claimed_until = None
        message.attempts += 1
        repo.audit.record(
            "system",
            "outbox.undeliverable",
            "outbox",
            message.id,
            None,
            {"chat_id": message.chat_id, "error": error[:200]},
        )
        if local_key(message.key).startswith("alert:"):
            return  # an alert that cannot reach an admin raises no further alert
        text = wording.undeliverable(message.chat_id, error, message.text)
        for admin in admin_chats(repo, admin_ids):
            enqueue(repo, f"alert:undeliverable:{message.id}:to:{admin}", admin, text)


def alert_admins(db: Database, key: str, text: str, admin_ids: frozenset[int]) -> None:
    """Queue an alert (HTML) to every admin, once per key."""
    with repository(db) as repo:
        for admin in admin_chats(repo, admin_ids):
            enqueue(repo, f"alert:{key}:to:{admin}", admin, text)
