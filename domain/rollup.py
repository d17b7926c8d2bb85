"""汇总: an office's view of the offices below it. Each district's own figures (what its units
submitted, what it forwarded) beside what it sent up and how the office above scored it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.periods import Period
from domain.ranking import Ranking, rank_units
from domain.rules import Rules
from storage.db import Database
from storage.repos import repository


@dataclass(frozen=True)
class RollUpRow:
    """One office below, over a period."""

    rank: int
    office: str
    # In the office below: its units' articles, and those it forwarded (上报) or had published.
    submitted: int
    forwarded: int
    # At this office: the articles it sent up, by this office's best platform, and their score.
    sent_up: int
    by_platform: dict[str, int]
    score: Decimal


@dataclass(frozen=True)
class RollUp:
    """The offices directly below ``db``'s office, ranked as it ranks them (their units)."""

    period: Period
    rows: list[RollUpRow]

    @property
    def title(self) -> str:
        """The table's title: ``2021年1—6月下级机关信息报送汇总``."""
        return f"{self.period.dated_label}下级机关信息报送汇总"


def roll_up(db: Database, rules: Rules, period: Period, ranking: Ranking | None = None) -> RollUp:
    """Each office directly below: its own counts, then its standing here (``rank_units`` of
    this office, so the order and score are exactly this office's ranking; a caller that has
    ranked the period already, as the bulletin has, passes its ``ranking``)."""
    ranked = ranking if ranking is not None else rank_units(db, rules, period)
    standings = {row.unit: row for row in ranked.rows}
    rows = []
    with repository(db) as repo:
        children = repo.offices.children()
        for office in children:
            below = repo.seen_from(office.id).articles
            unit = office.unit.name if office.unit is not None else ""
            standing = standings.get(unit)
            rows.append(
                RollUpRow(
                    standing.rank if standing else 0,
                    office.name,
                    below.count_in(period.start, period.end),
                    below.forwarded_in(period.start, period.end),
                    standing.submitted if standing else 0,
                    dict(standing.by_platform) if standing else {},
                    standing.score if standing else Decimal(0),
                )
            )
    rows.sort(key=lambda row: (row.rank == 0, row.rank))
    return RollUp(period, rows)
