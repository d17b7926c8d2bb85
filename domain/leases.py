"""Leases: the scheduled jobs run in one process at a time, taken over when it dies."""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from storage.repos import repository

JOBS = "jobs"


def take_lease(db: Database, name: str, holder: str, hold: dt.timedelta) -> bool:
    """Take or renew ``name`` for ``hold``; False while a live process holds it."""
    now = dt.datetime.now(dt.UTC)
    with repository(db) as repo:
        return repo.leases.take(name, holder, now, now + hold)


def release_lease(db: Database, name: str, holder: str) -> None:
    """Give a lease up on a clean stop."""
    with repository(db) as repo:
        repo.leases.release(name, holder)
