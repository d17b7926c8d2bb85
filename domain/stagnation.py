"""无持续进展: consecutive complete months in which a unit made no progress.

Progress is an article submitted in the month and, when the rules say so
(``tasks.progress_counts``, the default), a progress report on one of the unit's tasks.

A unit's streak counts back from the month judged, month by month, while the unit made no
progress, but never past the month the unit came into the system (its first article or its
creation, whichever is earlier): before that there is nothing to judge it by. A unit recorded
only after the month judged (history imported later) is judged from the system's first
article on. The count has no cap: a unit idle for years is idle for years.

Escalation (督办单, 全区通报) counts only the idle months since the office adopted the rule
(``[escalation] since``, by default the month the system first recorded an article): seed 002
starts 一月一通报 "从本月开始", so nobody is named for months before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.periods import Month
from domain.rules import Rules
from storage.db import Database
from storage.repos import repository

# The office calendar: a record made at 00:30 on 1 August in China belongs to August.
OFFICE_TZ = ZoneInfo("Asia/Shanghai")
# Past a year, "连续 N 个月" reads worse than the month it started.
COUNTED_IN_WORDS = 12


@dataclass(frozen=True)
class Streak:
    """A unit's stagnation streak as of a month."""

    unit: str
    category: str
    months: int
    last_active: Month | None
    as_of: Month
    # Of ``months``, those since escalation began: what 督办单 and 全区通报 go by.
    counted: int
    # What ``counted`` becomes if the unit stays idle through the next month too.
    counted_next: int

    @property
    def idle_since(self) -> Month | None:
        """The first month of the streak."""
        return self.as_of.shifted(1 - self.months) if self.months else None

    @property
    def wording(self) -> str:
        """``连续2个月无持续进展``, or ``自2020年7月以来无报送`` past a year."""
        return idle_wording(self.months, self.as_of)


def idle_period(months: int, as_of: Month) -> str:
    """How long a streak of ``months`` up to ``as_of`` has run: ``连续2个月``, or past a year
    the month it began, ``自2020年7月以来``."""
    if months > COUNTED_IN_WORDS:
        start = as_of.shifted(1 - months)
        return f"自{start.year}年{start.month}月以来"
    return f"连续{months}个月"


def idle_wording(months: int, as_of: Month) -> str:
    """``连续2个月无持续进展``, or ``自2020年7月以来无报送`` past a year."""
    if months <= 0:
        return "无连续无进展记录"
    if months > COUNTED_IN_WORDS:
        return f"{idle_period(months, as_of)}无报送"
    return f"{idle_period(months, as_of)}无持续进展"


def standing(streak: Streak, rules: Rules) -> str:
    """What the rule does to the unit for the month: ``督办``, ``全区通报`` or nothing."""
    if streak.counted >= rules.escalation.circular_after:
        return rules.bulletin.circular
    if streak.counted >= rules.escalation.supervision_after:
        return "督办"
    return ""


def outlook(streak: Streak, rules: Rules) -> str:
    """What follows if the unit makes no progress in the month after ``streak.as_of``."""
    rule, office = rules.escalation, rules.bulletin.supervision_office
    circular = rules.bulletin.circular
    then = streak.counted_next
    if then >= rule.circular_after:
        again = "再次" if streak.counted >= rule.circular_after else ""
        return f"本月仍无进展将{again}予以{circular}。"
    if then >= rule.supervision_after:
        return f"本月仍无进展将由{office}下发督办单。"
    return (
        f"连续{rule.supervision_after}个月无持续进展将由{office}下发督办单，"
        f"连续{rule.circular_after}个月将予以{circular}。"
    )


def escalation_start(db: Database, rules: Rules) -> Month | None:
    """The first month that counts toward escalation; ``None`` before anything is recorded."""
    configured = rules.escalation.since_month
    if configured is not None:
        return configured
    with repository(db) as repo:
        stamps = [repo.articles.first_recorded()]
        if rules.tasks.progress_counts:
            stamps.append(repo.progress.first_recorded())
    known = [stamp for stamp in stamps if stamp is not None]
    if not known:
        return None
    first = min(_aware(stamp) for stamp in known)
    return Month.of(first.astimezone(OFFICE_TZ).date())


def _aware(stamp: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC.
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def stagnation_streaks(db: Database, last_complete: Month, rules: Rules) -> list[Streak]:
    """Every active unit's streak as of ``last_complete``, in display order."""
    end = last_complete.next().first_day
    with repository(db) as repo:
        units = repo.units.ordered()
        first_months = repo.articles.first_months()
        earliest = min([*first_months.values(), *(u.created_at.date() for u in units)], default=end)
        active = repo.articles.active_months(earliest.replace(day=1), end)
        if rules.tasks.progress_counts:
            for unit_id, days in repo.progress.active_days(earliest.replace(day=1), end).items():
                active.setdefault(unit_id, set()).update(Month.of(d).first_day for d in days)
            for unit_id, day in repo.progress.first_days().items():
                first_months[unit_id] = min(first_months.get(unit_id, day), day)
    start = escalation_start(db, rules)
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
        while month >= since and month not in months_with:
            count += 1
            month = month.previous()
        counted = _countable(count, last_complete, start)
        counted_next = _countable(count + 1, last_complete.next(), start) if start else 1
        latest = max(months_with) if months_with else None
        streaks.append(
            Streak(unit.name, unit.category, count, latest, last_complete, counted, counted_next)
        )
    return streaks


def _countable(idle: int, as_of: Month, start: Month | None) -> int:
    """Of ``idle`` months up to ``as_of``, those from ``start`` on (none before escalation
    has a start)."""
    if start is None:
        return 0
    return min(idle, max(0, as_of.months_since(start) + 1))


def streak_of(db: Database, unit_name: str, last_complete: Month, rules: Rules) -> Streak:
    """One unit's streak."""
    return next(s for s in stagnation_streaks(db, last_complete, rules) if s.unit == unit_name)
