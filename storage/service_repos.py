"""The service's own bookkeeping: the inbox of updates, leases, conversations kept for later."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from storage.models import ConversationState, InboxUpdate, Lease, UserDraft
from storage.statements import dialect_of, insert_unless_present, run


class Claimed(NamedTuple):
    """An update taken for handling."""

    update_id: int
    payload: dict[str, Any]
    attempts: int


OPEN = ("pending", "processing")

# Built once: every update is finished with it (see ``storage.statements``).
_INBOX = cast(Table, InboxUpdate.__table__)
_FINISH = (
    update(_INBOX)
    .where(
        _INBOX.c.update_id == bindparam("finished"),
        _INBOX.c.claimed_by == bindparam("holder"),
        _INBOX.c.status == "processing",
    )
    .values(
        status=bindparam("new_status"),
        done_at=func.now(),
        claimed_until=None,
        last_error=bindparam("error"),
    )
)


class Inbox:
    """Updates recorded before they are confirmed to Telegram, handled from here."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, update_id: int, payload: dict[str, Any], chat_key: int | None) -> bool:
        """Keep an update unless it is already kept (a re-delivery); whether it was new.

        Telegram numbers updates in sequence but starts again at random after a week
        without any, so a handled row under the same number with other content is replaced.
        """
        values = {
            "update_id": update_id,
            "payload": payload,
            "chat_key": chat_key,
            "status": "pending",
            "attempts": 0,
            "received_at": dt.datetime.now(dt.UTC),
        }
        statement = insert_unless_present(dialect_of(self.session), _INBOX)
        if run(self.session, statement, values).rowcount:
            return True
        kept = self.session.get(InboxUpdate, update_id, with_for_update=True)
        if kept is None or kept.payload == payload or kept.status not in ("done", "failed"):
            return False
        kept.payload, kept.chat_key, kept.status, kept.attempts = payload, chat_key, "pending", 0
        kept.claimed_by = kept.claimed_until = kept.done_at = kept.last_error = None
        kept.received_at = dt.datetime.now(dt.UTC)
        return True

    def claim(self, holder: str, now: dt.datetime, until: dt.datetime) -> Claimed | None:
        """Take the oldest update nobody is handling whose chat has nothing earlier open.

        An update held past its claim (its process died) may be taken again. On PostgreSQL
        rows another process is taking are skipped, not waited for.
        """
        earlier = aliased(InboxUpdate)
        blocked = exists().where(
            earlier.chat_key == InboxUpdate.chat_key,
            earlier.update_id < InboxUpdate.update_id,
            earlier.status.in_(OPEN),
        )
        candidate = (
            select(InboxUpdate.update_id)
            .where(
                # Stated as well as implied, so the partial indexes over open rows apply.
                InboxUpdate.status.in_(OPEN),
                or_(
                    InboxUpdate.status == "pending",
                    and_(InboxUpdate.status == "processing", InboxUpdate.claimed_until < now),
                ),
                ~blocked,
            )
            .order_by(InboxUpdate.update_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        found = self.session.scalar(candidate)
        if found is None:
            return None
        row = self.session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id == found, InboxUpdate.status.in_(OPEN))
            .values(
                status="processing",
                claimed_by=holder,
                claimed_until=until,
                attempts=InboxUpdate.attempts + 1,
            )
            .returning(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.attempts)
            .execution_options(synchronize_session=False)
        ).first()
        return Claimed(row[0], row[1], row[2]) if row is not None else None

    def finish(self, update_id: int, holder: str, status: str, error: str | None = None) -> bool:
        """Mark an update handled by ``holder``; False if it is no longer theirs."""
        values = {
            "finished": update_id,
            "holder": holder,
            "new_status": status,
            "error": error[:1000] if error else None,
        }
        return bool(run(self.session, _FINISH, values).rowcount)

    def release_others(self, holder: str) -> int:
        """Give back every claim but ``holder``'s (a lone process starting: whoever else held
        them is gone; what it has claimed itself meanwhile is being handled)."""
        result = self.session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.status == "processing", InboxUpdate.claimed_by != holder)
            .values(status="pending", claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def backlog(self) -> dict[str, int]:
        """How many updates are in each status."""
        query = select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status)
        return {status: n for status, n in self.session.execute(query)}

    def oldest_open(self) -> dt.datetime | None:
        """When the oldest update not yet handled arrived."""
        query = select(func.min(InboxUpdate.received_at)).where(InboxUpdate.status.in_(OPEN))
        return self.session.scalar(query)

    def prune(self, before: dt.datetime) -> int:
        """Forget handled updates received before ``before``."""
        result = self.session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.status.in_(("done", "failed")), InboxUpdate.received_at < before
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class Leases:
    """Named leases: who holds them, until when."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, name: str, holder: str, now: dt.datetime, until: dt.datetime) -> bool:
        """Take or renew the lease if free, expired or already ours."""
        free = insert_unless_present(dialect_of(self.session), cast(Table, Lease.__table__))
        values = {"name": name, "holder": holder, "acquired_at": now, "expires_at": until}
        run(self.session, free, values)
        taken = self.session.execute(
            update(Lease)
            .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
            .values(
                holder=holder,
                expires_at=until,
                acquired_at=case((Lease.holder == holder, Lease.acquired_at), else_=now),
            )
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            return False
        lease = self.session.get(Lease, name)
        return lease is not None and lease.holder == holder

    def release(self, name: str, holder: str) -> None:
        """Give the lease up (a clean stop), so another process need not wait for it."""
        self.session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))

    def get(self, name: str) -> Lease | None:
        """The lease as it stands."""
        return self.session.get(Lease, name)


class Drafts:
    """Conversation states and users' drafts, written at the end of each update."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def conversations(self, name: str) -> dict[str, Any]:
        """Every open conversation of one kind: key → state."""
        query = select(ConversationState.key, ConversationState.state).where(
            ConversationState.name == name
        )
        return {key: state for key, state in self.session.execute(query)}

    def set_conversation(self, name: str, key: str, state: Any) -> None:
        """Record where a conversation stands; ``None`` ends it."""
        self.session.execute(
            delete(ConversationState).where(
                ConversationState.name == name, ConversationState.key == key
            )
        )
        if state is not None:
            self.session.execute(
                insert(ConversationState).values(
                    name=name, key=key, state=state, updated_at=func.now()
                )
            )

    def user_data(self) -> dict[int, dict[str, Any]]:
        """Every user's drafts."""
        query = select(UserDraft.user_id, UserDraft.data)
        return {user_id: data for user_id, data in self.session.execute(query)}

    def set_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        """Replace a user's drafts; empty ones are forgotten."""
        self.session.execute(delete(UserDraft).where(UserDraft.user_id == user_id))
        if data:
            self.session.execute(
                insert(UserDraft).values(user_id=user_id, data=data, updated_at=func.now())
            )
