"""走势: a unit's or the whole area's submissions, publications and score month by month."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.periods import Month, Period
from domain.rules import Rules
from storage.db import Database
from storage.repos import repository


@dataclass(frozen=True)
class MonthTotals:
    """One month: articles submitted, at each best platform, and the points they and the
    month's adjustments give."""

    month: Month
    submitted: int
    by_platform: dict[str, int]
    score: Decimal

    @property
    def published(self) -> int:
        """Articles adopted by any platform (each once, at its highest)."""
        return sum(self.by_platform.values())


def monthly_totals(
    db: Database, rules: Rules, period: Period, unit_id: int | None = None
) -> list[MonthTotals]:
    """Every month of ``period``, for one unit or (``unit_id`` None) all units together."""
    codes = [p.code for p in rules.platforms]
    with repository(db) as repo:
        articles = repo.articles.totals_by_month(period.start, period.end, codes, unit_id)
        adjustments = repo.adjustments.totals_by_month(period.start, period.end, unit_id)
    months = []
    month = period.first
    while month <= period.last:
        total = articles.get(month.first_day)
        points = Decimal(total.points) if total else Decimal(0)
        months.append(
            MonthTotals(
                month=month,
                submitted=total.submitted if total else 0,
                by_platform=dict(total.by_platform) if total else dict.fromkeys(codes, 0),
                score=points + adjustments.get(month.first_day, Decimal(0)),
            )
        )
        month = month.next()
    return months
