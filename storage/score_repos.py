"""Repositories of the score sheets (月度评分), opening balances and third-party evaluations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Evaluation, OpeningBalance, ScoreSheet
from storage.scope import Scope


class ScoreSheets:
    """月度评分 and the opening balances beside them."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def by_keys(self, keys: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], ScoreSheet]:
        """Sheets already recorded, by (unit, month)."""
        wanted = set(keys)
        if not wanted:
            return {}
        months = {month for _, month in wanted}
        query = select(ScoreSheet).where(ScoreSheet.month.in_(months))
        return {
            (s.unit_id, s.month): s
            for s in self.session.scalars(query)
            if (s.unit_id, s.month) in wanted
        }

    def of_month(self, month: dt.date) -> dict[int, ScoreSheet]:
        """The month's sheets by unit."""
        query = select(ScoreSheet).where(
            ScoreSheet.month == month, self.scope.owns(ScoreSheet.unit_id)
        )
        return {sheet.unit_id: sheet for sheet in self.session.scalars(query)}

    def totals(self, start: dt.date, end: dt.date) -> dict[int, Decimal]:
        """Per unit, the sum of monthly totals for months in [start, end)."""
        query = (
            select(ScoreSheet.unit_id, func.sum(ScoreSheet.total))
            .where(
                ScoreSheet.month >= start,
                ScoreSheet.month < end,
                self.scope.owns(ScoreSheet.unit_id),
            )
            .group_by(ScoreSheet.unit_id)
        )
        return {unit_id: Decimal(total) for unit_id, total in self.session.execute(query)}

    def latest_month(self) -> dt.date | None:
        """The newest month with a sheet."""
        query = select(func.max(ScoreSheet.month)).where(self.scope.owns(ScoreSheet.unit_id))
        return self.session.scalar(query)

    def openings(self, year: int) -> dict[int, OpeningBalance]:
        """The year's opening balances by unit."""
        query = select(OpeningBalance).where(
            OpeningBalance.year == year, self.scope.owns(OpeningBalance.unit_id)
        )
        return {balance.unit_id: balance for balance in self.session.scalars(query)}


class Evaluations:
    """社会客观效果评估 scores."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def of_year(self, year: int) -> dict[int, Evaluation]:
        """The year's third-party scores by unit."""
        query = select(Evaluation).where(
            Evaluation.year == year, self.scope.owns(Evaluation.unit_id)
        )
        return {evaluation.unit_id: evaluation for evaluation in self.session.scalars(query)}
