"""报送任务: articles each unit owes per week or per month, scored per period from what it
submitted (the rules file's ``[quota]``).

A week runs Monday to Sunday and belongs to the month that holds its Thursday (as ISO 8601
gives a week to a year), so a week across two months is counted once, in one of them. A period
still running is judged only in the unit's favour: the base and the extras once the quota is
met, nothing taken away before the period ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.periods import Period
from domain.rules import QuotaRules
from storage.db import Database
from storage.repos import Repo, repository

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class QuotaPeriod:
    """One week or month of the quota: [start, end)."""

    start: dt.date
    end: dt.date


def quota_periods(quota: QuotaRules, period: Period) -> list[QuotaPeriod]:
    """The weeks or months the ranking ``period`` judges."""
    if quota.per == "month":
        months = []
        month = period.first
        while month <= period.last:
            months.append(QuotaPeriod(month.first_day, month.next().first_day))
            month = month.next()
        return months
    # The first Monday whose Thursday is inside the period.
    thursday = period.start + dt.timedelta(days=(3 - period.start.weekday()) % 7)
    monday = thursday - dt.timedelta(days=3)
    weeks = []
    while monday + dt.timedelta(days=3) < period.end:
        weeks.append(QuotaPeriod(monday, monday + WEEK))
        monday += WEEK
    return weeks


def quota_period_of(quota: QuotaRules, day: dt.date) -> QuotaPeriod:
    """The week or month ``day`` falls in."""
    if quota.per == "month":
        first = day.replace(day=1)
        return QuotaPeriod(first, (first + dt.timedelta(days=32)).replace(day=1))
    monday = day - dt.timedelta(days=day.weekday())
    return QuotaPeriod(monday, monday + WEEK)


def quota_points(
    repo: Repo,
    quota: QuotaRules,
    period: Period,
    unit_ids: Iterable[int],
    as_of: dt.date | None,
) -> dict[int, Decimal]:
    """Per unit, what its quota earned (or cost) over ``period``; periods ending after
    ``as_of`` (today) are still running. ``as_of`` None judges every period as ended."""
    periods = quota_periods(quota, period)
    if not periods:
        return {}
    position = {
        part.start + dt.timedelta(days=d): i
        for i, part in enumerate(periods)
        for d in range((part.end - part.start).days)
    }
    submitted: dict[tuple[int, int], int] = {}
    for (unit_id, day), count in repo.articles.daily_counts(
        periods[0].start, periods[-1].end
    ).items():
        key = (unit_id, position[day])
        submitted[key] = submitted.get(key, 0) + count
    points: dict[int, Decimal] = {}
    for unit_id in unit_ids:
        total = Decimal(0)
        for i, part in enumerate(periods):
            count = submitted.get((unit_id, i), 0)
            if as_of is not None and as_of < part.end and count < quota.count:
                continue  # still running, not yet met: nothing decided
            total += quota.points(count)
        points[unit_id] = total
    return points


def quota_progress(db: Database, quota: QuotaRules, unit_id: int, today: dt.date) -> str:
    """``本周已报送 1 篇，还差 1 篇（每周 2 篇）``, or that the quota is met."""
    part = quota_period_of(quota, today)
    with repository(db) as repo:
        count = sum(repo.articles.daily_counts(part.start, part.end, unit_id).values())
    done = f"本{quota.noun}已报送 {count} 篇"
    if count >= quota.count:
        return f"{done}，已完成报送任务（每{quota.noun} {quota.count} 篇）。"
    return f"{done}，还差 {quota.count - count} 篇（每{quota.noun} {quota.count} 篇）。"
