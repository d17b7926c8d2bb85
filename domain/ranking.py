"""排名: per unit and period, counts by platform and the score, ranked (seed 002 附件1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from domain.errors import UserError
from domain.periods import Period
from domain.quota import quota_points
from domain.rules import Rules
from storage.db import Database
from storage.repos import UnitArticleTotals, repository


class UnitScore(NamedTuple):
    """One row of the ranking (a tuple: ten thousand of them are built per ranking)."""

    rank: int
    unit: str
    category: str
    submitted: int
    published: int
    unpublished: int
    by_platform: dict[str, int]
    article_points: Decimal
    adjustments: Decimal
    # 领导批示 on the unit's articles of the period (their points are in article_points).
    endorsed: int = 0
    # What the 报送任务 ([quota]) earned or cost over the period.
    quota: Decimal = Decimal(0)

    @property
    def score(self) -> Decimal:
        """Article points plus adjustments plus the quota's points."""
        return self.article_points + self.adjustments + self.quota


@dataclass(frozen=True)
class Ranking:
    """A ranking for a period, best first; equal scores keep the units' configured order."""

    period: Period
    category: str | None
    rows: list[UnitScore]
    # The day it was ranked on: a quota's week or month still running is not held against a
    # unit (None: every one has ended).
    as_of: dt.date | None = None


def rank_units(
    db: Database,
    rules: Rules,
    period: Period,
    category: str | None = None,
    as_of: dt.date | None = None,
) -> Ranking:
    """Rank the units for ``period`` from one aggregate over the period's article tallies
    (and, with a ``[quota]``, the units' submissions per week or month, as of ``as_of``)."""
    codes = [p.code for p in rules.platforms]
    with repository(db) as repo:
        units = repo.units.listing()
        if category is not None and category not in {u.category for u in units}:
            known = (
                "、".join(dict.fromkeys(u.category for u in units if u.active)) or "（尚无单位）"
            )
            raise UserError(f"未知的单位类别“{category}”。现有类别：{known}")
        totals = repo.articles.totals_by_unit(period.start, period.end, codes)
        adjustments = repo.adjustments.totals_by_unit(period.start, period.end)
        endorsed = (
            repo.articles.endorsements_by_unit(period.start, period.end)
            if rules.endorsements
            else {}
        )
        quotas = (
            quota_points(repo, rules.quota, period, [u.id for u in units if u.active], as_of)
            if rules.quota
            else {}
        )
    nothing = UnitArticleTotals(0, 0, 0, Decimal(0), dict.fromkeys(codes, 0))
    zero = Decimal(0)
    scored = []
    for order, unit in enumerate(units):
        if category is not None and unit.category != category:
            continue
        total = totals.get(unit.id)
        if total is None:
            if not unit.active:
                continue
            total = nothing
        adjustment = adjustments.get(unit.id, zero)
        quota = quotas.get(unit.id, zero)
        score = total.points + adjustment + quota if adjustment or quota else total.points
        scored.append((-score, order, unit, total, adjustment, quota))
    scored.sort(key=lambda item: (item[0], item[1]))
    rows: list[UnitScore] = []
    rank = 0
    for position, (negative, _, unit, total, adjustment, quota) in enumerate(scored, start=1):
        if position == 1 or negative != scored[position - 2][0]:
            rank = position
        rows.append(
            UnitScore(
                rank=rank,
                unit=unit.name,
                category=unit.category,
                submitted=total.submitted,
                published=sum(total.by_platform.values()),
                unpublished=total.unpublished,
                by_platform=total.by_platform,
                article_points=total.points,
                adjustments=adjustment,
                endorsed=endorsed.get(unit.id, 0),
                quota=quota,
            )
        )
    return Ranking(period, category, rows, as_of)


@dataclass(frozen=True)
class PeriodStats:
    """Totals over a ranking: by platform and by unit category (seed 002's 基本情况)."""

    submitted: int
    published: int
    unpublished: int
    by_platform: dict[str, int]
    by_category: dict[str, tuple[int, int, Decimal]]  # submitted, published, score
    units_without: int
    units: int

    @property
    def share_without(self) -> int:
        """Units that submitted nothing, in whole percent of all units (rounded down)."""
        return self.units_without * 100 // self.units if self.units else 0


def summarize(ranking: Ranking) -> PeriodStats:
    """Add up a ranking's rows."""
    by_platform: dict[str, int] = {}
    by_category: dict[str, tuple[int, int, Decimal]] = {}
    for row in ranking.rows:
        for code, count in row.by_platform.items():
            by_platform[code] = by_platform.get(code, 0) + count
        submitted, published, score = by_category.get(row.category, (0, 0, Decimal(0)))
        by_category[row.category] = (
            submitted + row.submitted,
            published + row.published,
            score + row.score,
        )
    return PeriodStats(
        submitted=sum(r.submitted for r in ranking.rows),
        published=sum(r.published for r in ranking.rows),
        unpublished=sum(r.unpublished for r in ranking.rows),
        by_platform=by_platform,
        by_category=by_category,
        units_without=sum(1 for r in ranking.rows if r.submitted == 0),
        units=len(ranking.rows),
    )


def unit_standing(ranking: Ranking, unit: str) -> UnitScore | None:
    """The unit's row in the ranking."""
    return next((row for row in ranking.rows if row.unit == unit), None)


def last_months_period(period: Period) -> Period:
    """What ``period``'s ranking is compared with (较上月): the same span ending a month
    earlier, or the month before a one-month period."""
    if period.first == period.last:
        return Period(period.first.previous(), period.first.previous())
    return Period(period.first, period.last.previous())


def rank_changes(db: Database, rules: Rules, ranking: Ranking) -> dict[str, int | None]:
    """Per unit, how many places it rose (positive) or fell since last month's ranking of the
    same category; None for a unit that was not ranked then."""
    before = rank_units(
        db, rules, last_months_period(ranking.period), ranking.category, ranking.as_of
    )
    previous = {row.unit: row.rank for row in before.rows}
    return {
        row.unit: previous[row.unit] - row.rank if row.unit in previous else None
        for row in ranking.rows
    }
