"""排名: per unit and period, counts by platform and the score, ranked (seed 002 附件1)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from domain.errors import UserError
from domain.periods import Period
from domain.rules import Rules
from storage.db import Database
from storage.repos import Repo


@dataclass(frozen=True)
class UnitScore:
    """One row of the ranking."""

    rank: int
    unit: str
    category: str
    submitted: int
    published: int
    unpublished: int
    by_platform: dict[str, int]
    article_points: int
    adjustments: Decimal

    @property
    def score(self) -> Decimal:
        """Article points plus adjustments."""
        return self.article_points + self.adjustments


@dataclass(frozen=True)
class Ranking:
    """A ranking for a period, best first; equal scores keep the units' configured order."""

    period: Period
    category: str | None
    rows: list[UnitScore]


def rank_units(db: Database, rules: Rules, period: Period, category: str | None = None) -> Ranking:
    """Rank the units for ``period`` from one aggregate over its articles."""
    codes = [p.code for p in rules.platforms]
    with db.session() as session:
        repo = Repo(session)
        units = repo.units.ordered(include_inactive=True)
        if category is not None and category not in {u.category for u in units}:
            known = "、".join(repo.units.categories()) or "（尚无单位）"
            raise UserError(f"未知的单位类别“{category}”。现有类别：{known}")
        totals = repo.articles.totals_by_unit(period.start, period.end, codes)
        adjustments = repo.adjustments.totals_by_unit(period.start, period.end)
    unranked = []
    for order, unit in enumerate(units):
        if category is not None and unit.category != category:
            continue
        total = totals.get(unit.id)
        if not unit.active and total is None:
            continue
        by_platform = total.by_platform if total else dict.fromkeys(codes, 0)
        unranked.append(
            (
                order,
                UnitScore(
                    rank=0,
                    unit=unit.name,
                    category=unit.category,
                    submitted=total.submitted if total else 0,
                    published=sum(by_platform.values()),
                    unpublished=total.unpublished if total else 0,
                    by_platform=by_platform,
                    article_points=total.points if total else 0,
                    adjustments=adjustments.get(unit.id, Decimal(0)),
                ),
            )
        )
    unranked.sort(key=lambda pair: (-pair[1].score, pair[0]))
    rows: list[UnitScore] = []
    for position, (_, row) in enumerate(unranked, start=1):
        shared = rows and rows[-1].score == row.score
        rank = rows[-1].rank if shared else position
        rows.append(replace(row, rank=rank))
    return Ranking(period, category, rows)
