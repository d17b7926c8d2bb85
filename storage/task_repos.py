"""Repositories of the task ledger: tasks, their units, and progress reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import ProgressReport, Task, TaskAssignment, Unit
from storage.scope import Scope


class LedgerLine(NamedTuple):
    """One task and one of its units: a row of the 台账."""

    task: Task
    unit: Unit
    role: str


class Tasks:
    """工作任务 and who carries them."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def by_keys(self, keys: Iterable[str]) -> dict[str, Task]:
        """Tasks already imported, by key, with their assignments."""
        wanted = list(keys)
        found: dict[str, Task] = {}
        for start in range(0, len(wanted), 500):
            query = (
                select(Task)
                .where(
                    self.scope.is_office(Task.office_id),
                    Task.key.in_(wanted[start : start + 500]),
                )
                .options(selectinload(Task.assignments))
            )
            found.update({task.key: task for task in self.session.scalars(query)})
        return found

    def get(self, task_id: int) -> Task | None:
        """A task with its assignments and their units."""
        query = (
            select(Task)
            .where(Task.id == task_id, self.scope.is_office(Task.office_id))
            .options(selectinload(Task.assignments).joinedload(TaskAssignment.unit))
        )
        return self.session.scalars(query).one_or_none()

    def role_of(self, task_id: int, unit_id: int) -> str | None:
        """The unit's role in the task, or None when the task is not the unit's."""
        return self.session.scalar(
            select(TaskAssignment.role).where(
                TaskAssignment.task_id == task_id, TaskAssignment.unit_id == unit_id
            )
        )

    def latest_year(self) -> int | None:
        """The newest year that has tasks."""
        query = select(func.max(Task.year)).where(self.scope.is_office(Task.office_id))
        return self.session.scalar(query)

    def ledger(self, year: int, unit_id: int | None = None) -> list[LedgerLine]:
        """Every task of the year and each of its units: in table order, lead units first."""
        lead_first = case((TaskAssignment.role == "lead", 0), else_=1)
        query = (
            select(Task, Unit, TaskAssignment.role)
            .join(TaskAssignment, TaskAssignment.task_id == Task.id)
            .join(Unit, Unit.id == TaskAssignment.unit_id)
            .where(Task.year == year, self.scope.is_office(Task.office_id))
        )
        if unit_id is not None:
            query = query.where(TaskAssignment.unit_id == unit_id).order_by(
                lead_first, Task.position
            )
        else:
            query = query.order_by(Task.position, lead_first, Unit.display_order)
        return [LedgerLine(*row) for row in self.session.execute(query)]

    def has_year(self, year: int) -> bool:
        """Whether any task belongs to ``year``."""
        query = select(Task.id).where(Task.year == year, self.scope.is_office(Task.office_id))
        return self.session.scalar(query.limit(1)) is not None


class ProgressReports:
    """进展 reported on tasks."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def of_task(self, task_id: int) -> list[ProgressReport]:
        """A task's reports, oldest first."""
        query = (
            select(ProgressReport)
            .where(ProgressReport.task_id == task_id)
            .order_by(ProgressReport.reported_on, ProgressReport.id)
        )
        return list(self.session.scalars(query))

    def latest(self, year: int) -> dict[tuple[int, int], ProgressReport]:
        """The newest report per (task, unit) for the year's tasks."""
        newest = (
            select(func.max(ProgressReport.id))
            .join(Task, Task.id == ProgressReport.task_id)
            .where(Task.year == year, self.scope.is_office(Task.office_id))
            .group_by(ProgressReport.task_id, ProgressReport.unit_id)
        )
        query = select(ProgressReport).where(ProgressReport.id.in_(newest))
        return {(r.task_id, r.unit_id): r for r in self.session.scalars(query)}

    def finished(self, year: int) -> set[tuple[int, int]]:
        """(task, unit) pairs with a final report."""
        query = (
            select(ProgressReport.task_id, ProgressReport.unit_id)
            .join(Task, Task.id == ProgressReport.task_id)
            .where(
                Task.year == year,
                self.scope.is_office(Task.office_id),
                ProgressReport.final.is_(True),
            )
            .distinct()
        )
        return {(task_id, unit_id) for task_id, unit_id in self.session.execute(query)}

    def counts(self, year: int) -> dict[tuple[int, int], int]:
        """How many reports each (task, unit) has made."""
        query = (
            select(ProgressReport.task_id, ProgressReport.unit_id, func.count())
            .join(Task, Task.id == ProgressReport.task_id)
            .where(Task.year == year, self.scope.is_office(Task.office_id))
            .group_by(ProgressReport.task_id, ProgressReport.unit_id)
        )
        return {(t, u): n for t, u, n in self.session.execute(query)}

    def active_days(self, start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
        """Per unit, the days in [start, end) on which it reported progress."""
        query = (
            select(ProgressReport.unit_id, ProgressReport.reported_on)
            .where(
                ProgressReport.reported_on >= start,
                ProgressReport.reported_on < end,
                self.scope.owns(ProgressReport.unit_id),
            )
            .distinct()
        )
        days: dict[int, set[dt.date]] = {}
        for unit_id, day in self.session.execute(query):
            days.setdefault(unit_id, set()).add(day)
        return days

    def reports_by_unit(self, start: dt.date, end: dt.date) -> dict[str, int]:
        """Per unit name, how many reports it made in [start, end)."""
        query = (
            select(Unit.name, func.count())
            .join(ProgressReport, ProgressReport.unit_id == Unit.id)
            .where(
                ProgressReport.reported_on >= start,
                ProgressReport.reported_on < end,
                Unit.office_id == self.scope.office,
            )
            .group_by(Unit.name)
        )
        return {name: n for name, n in self.session.execute(query)}

    def first_recorded(self) -> dt.datetime | None:
        """When the system recorded its first progress report."""
        query = select(func.min(ProgressReport.created_at)).where(
            self.scope.owns(ProgressReport.unit_id)
        )
        return self.session.scalar(query)

    def first_days(self) -> dict[int, dt.date]:
        """Per unit, the day of its first report."""
        query = (
            select(ProgressReport.unit_id, func.min(ProgressReport.reported_on))
            .where(self.scope.owns(ProgressReport.unit_id))
            .group_by(ProgressReport.unit_id)
        )
        return {unit_id: day for unit_id, day in self.session.execute(query)}
