"""无持续进展: consecutive complete months in which a unit made no progress.

Progress is an article submitted in the month and, when the rules say so
(``tasks.progress_counts``, the default), a progress report on one of the unit's tasks.

A unit's streak counts back from the last complete month, month by month, while the unit
made no progress, but never past the month the unit came into the system (its first article
or its creation, whichever is earlier): before that there is nothing to judge it by. A unit
recorded only after the month being judged (history imported later) is judged from the
system's first article on.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.periods import Month
from domain.rules import Rules
from storage.db import Database
from storage.repos import Repo

LOOK_BACK = 24


@dataclass(frozen=True)
class Streak:
    """A unit's stagnation streak as of a month."""

    unit: str
    category: str
    months: int
    last_active: Month | None


def stagnation_streaks(db: Database, last_complete: Month, rules: Rules) -> list[Streak]:
    """Every active unit's streak as of ``last_complete``, in display order."""
    start, end = last_complete.shifted(-LOOK_BACK).first_day, last_complete.next().first_day
    with db.session() as session:
        repo = Repo(session)
        units = repo.units.ordered()
        active = repo.articles.active_months(start, end)
        first_months = repo.articles.first_months()
        if rules.tasks.progress_counts:
            for unit_id, days in repo.progress.active_days(start, end).items():
                active.setdefault(unit_id, set()).update(Month.of(d).first_day for d in days)
            for unit_id, day in repo.progress.first_days().items():
                first_months[unit_id] = min(first_months.get(unit_id, day), day)
    system_first = Month.of(min(first_months.values())) if first_months else None
    streaks = []
    for unit in units:
        months_with = {Month.of(day) for day in active.get(unit.id, ())}
        since = Month.of(unit.created_at.date())
        if since > last_complete and system_first is not None:
            since = system_first
        first = first_months.get(unit.id)
        if first is not None:
            since = min(since, Month.of(first))
        count, month = 0, last_complete
        while count < LOOK_BACK and month >= since and month not in months_with:
            count += 1
            month = month.previous()
        latest = max(months_with) if months_with else None
        streaks.append(Streak(unit.name, unit.category, count, latest))
    return streaks


def streak_of(db: Database, unit_name: str, last_complete: Month, rules: Rules) -> Streak:
    """One unit's streak."""
    return next(s for s in stagnation_streaks(db, last_complete, rules) if s.unit == unit_name)
