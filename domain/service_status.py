"""The service as its operator sees it: database, the jobs' holder, backlogs, what is due next.

Read by ``gongkai status`` and the webhook server's ``GET /healthz``; it only reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from domain.leases import JOBS
from domain.monthly import bulletin_due
from domain.periods import Month, as_utc
from domain.rules import Rules
from domain.workdays import nth_working_day_before_end
from storage.db import Database, DatabaseError
from storage.repos import repository

# Shown of the messages given up on; the rest are counted.
UNDELIVERABLE_SHOWN = 3


@dataclass(frozen=True)
class JobsHolder:
    """The process holding the jobs' lease, and until when."""

    holder: str
    expires_at: dt.datetime
    live: bool


@dataclass(frozen=True)
class Undeliverable:
    """A message given up on."""

    message_id: int
    chat_id: int
    error: str


@dataclass(frozen=True)
class LastBulletin:
    """The latest month with a bulletin record."""

    month: Month
    status: str
    published_at: dt.datetime | None


@dataclass(frozen=True)
class ServiceStatus:
    """Everything ``gongkai status`` shows; ``error`` set when the database cannot be read."""

    now: dt.datetime
    database: str
    error: str | None = None
    revision: str | None = None
    head: str | None = None
    jobs: JobsHolder | None = None
    inbox: dict[str, int] = field(default_factory=dict)
    inbox_oldest: dt.datetime | None = None
    outbox: dict[str, int] = field(default_factory=dict)
    outbox_oldest: dt.datetime | None = None
    undeliverable: list[Undeliverable] = field(default_factory=list)
    last_bulletin: LastBulletin | None = None
    next_due: list[tuple[str, dt.datetime]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """The database answers and is at the newest schema (what a load balancer asks)."""
        return self.error is None and self.revision == self.head

    @property
    def inbox_waiting(self) -> int:
        """Updates recorded and not yet handled."""
        return self.inbox.get("pending", 0) + self.inbox.get("processing", 0)


def next_due(rules: Rules, now: dt.datetime, tz: ZoneInfo) -> list[tuple[str, dt.datetime]]:
    """The next bulletin and the next month-end reminder after ``now``, soonest first
    (``("bulletin", when)``, ``("reminder", when)``)."""
    _, bulletin_at = bulletin_due(now, rules, tz)
    if bulletin_at <= now:
        _, bulletin_at = bulletin_due(bulletin_at + dt.timedelta(days=32), rules, tz)
    month = Month.of(now.astimezone(tz).date())
    schedule = rules.schedule
    reminder_at = now
    while reminder_at <= now:
        day = nth_working_day_before_end(month, schedule.reminder_working_days_before_end)
        reminder_at = dt.datetime.combine(day, schedule.reminder_time, tz)
        month = month.next()
    return sorted([("bulletin", bulletin_at), ("reminder", reminder_at)], key=lambda d: d[1])


def read_status(db: Database, rules: Rules, now: dt.datetime, tz: ZoneInfo) -> ServiceStatus:
    """What the service looks like now; never raises for a database that does not answer."""
    due = next_due(rules, now, tz)
    try:
        db.check_reachable()
        revision, head = db.revisions()
    except DatabaseError as exc:
        return ServiceStatus(now, db.display_url(), error=str(exc), next_due=due)
    if revision != head:
        return ServiceStatus(now, db.display_url(), revision=revision, head=head, next_due=due)
    with repository(db) as repo:
        lease = repo.leases.get(JOBS)
        jobs = (
            JobsHolder(lease.holder, as_utc(lease.expires_at), as_utc(lease.expires_at) > now)
            if lease is not None
            else None
        )
        issue = repo.bulletins.latest()
        last = (
            LastBulletin(
                Month.of(issue.month),
                issue.status,
                as_utc(issue.published_at) if issue.published_at else None,
            )
            if issue is not None
            else None
        )
        return ServiceStatus(
            now,
            db.display_url(),
            revision=revision,
            head=head,
            jobs=jobs,
            inbox=repo.inbox.backlog(),
            inbox_oldest=_aware_or_none(repo.inbox.oldest_open()),
            outbox=repo.outbox.counts(),
            outbox_oldest=_aware_or_none(repo.outbox.oldest_pending()),
            undeliverable=[
                Undeliverable(m.id, m.chat_id, m.last_error or "")
                for m in repo.outbox.undeliverable(UNDELIVERABLE_SHOWN)
            ],
            last_bulletin=last,
            next_due=due,
        )


def _aware_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    return as_utc(moment) if moment is not None else None
