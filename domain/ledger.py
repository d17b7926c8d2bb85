"""台账: what each unit owes on each task, what it reported, and what is overdue.

A task is overdue for a unit when its deadline has passed and the unit has not sent a final
report (one marked 已完成). The ledger year is the clock's year when it has tasks, otherwise
the newest year that has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.errors import UserError
from domain.periods import Month
from domain.wording import parse_ref
from storage.db import Database
from storage.models import ProgressReport, Task
from storage.repos import Repo, repository

ROLE_LABELS = {"lead": "牵头", "responsible": "责任"}
LABEL_MAX = 40


def task_label(task: Task) -> str:
    """A short name for a task: its title, or the start of its requirement."""
    return shorten(task.title or task.requirement)


def shorten(text: str) -> str:
    """``text`` cut to a label's length."""
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def task_ref(task_id: int) -> str:
    """How every message names a task: ``T12``."""
    return f"T{task_id}"


def parse_task_id(text: str) -> int:
    """``12``, ``T12``, ``t12`` or ``#12`` → 12; anything else is a ``UserError``."""
    return parse_ref(text, "T", "任务")


@dataclass(frozen=True)
class LastReport:
    """The newest report of a unit on a task."""

    reported_on: dt.date
    text: str
    final: bool


@dataclass(frozen=True)
class LedgerRow:
    """One task and one of its units, as the 台账 lists it."""

    task_id: int
    section: str
    subsection: str
    task: str
    requirement: str
    deadline: dt.date | None
    unit: str
    category: str
    role: str
    reports: int
    last: LastReport | None
    overdue: bool

    @property
    def done(self) -> bool:
        """Whether the unit reported the task finished."""
        return self.last is not None and self.last.final


def ledger_year(repo: Repo, today: dt.date) -> int:
    """The year the ledger shows: this year if it has tasks, else the newest that has."""
    latest = repo.tasks.latest_year()
    if latest is None:
        raise UserError(
            "尚未导入任务分解表。管理员可在聊天中发送任务分解表文件，"
            "或运行 gongkai import tasks 文件 导入。"
        )
    return today.year if repo.tasks.has_year(today.year) else latest


def ledger_rows(
    db: Database, today: dt.date, unit_id: int | None = None, year: int | None = None
) -> list[LedgerRow]:
    """The 台账: every task of the year with each of its units (or one unit's tasks)."""
    with repository(db) as repo:
        year = year or ledger_year(repo, today)
        latest = repo.progress.latest(year)
        finished = repo.progress.finished(year)
        counts = repo.progress.counts(year)
        rows = []
        for line in repo.tasks.ledger(year, unit_id):
            key = (line.task.id, line.unit.id)
            report = latest.get(key)
            deadline = line.task.deadline
            rows.append(
                LedgerRow(
                    task_id=line.task.id,
                    section=line.task.section,
                    subsection=line.task.subsection,
                    task=line.task.title or line.task.requirement,
                    requirement=line.task.requirement,
                    deadline=deadline,
                    unit=line.unit.name,
                    category=line.unit.category,
                    role=line.role,
                    reports=counts.get(key, 0),
                    last=_last(report),
                    overdue=deadline is not None and deadline < today and key not in finished,
                )
            )
        return rows


def _last(report: ProgressReport | None) -> LastReport | None:
    if report is None:
        return None
    return LastReport(report.reported_on, report.text, report.final)


@dataclass(frozen=True)
class UnitReport:
    """A report as a task's page shows it."""

    unit: str
    reported_on: dt.date
    text: str
    final: bool
    files: list[str]


@dataclass(frozen=True)
class TaskDetail:
    """A task with every unit's part and reports."""

    id: int
    year: int
    section: str
    subsection: str
    title: str
    requirement: str
    deadline: dt.date | None
    lead: list[str]
    responsible: list[str]
    reports: list[UnitReport]
    overdue_units: list[str]


def task_detail(db: Database, task_id: int, today: dt.date) -> TaskDetail:
    """A task by number, or a ``UserError``."""
    with repository(db) as repo:
        task = repo.tasks.get(task_id)
        if task is None:
            raise UserError(f"没有编号为 {task_ref(task_id)} 的任务。可用 /ledger 查看台账。")
        assignments = sorted(task.assignments, key=lambda a: a.unit.display_order)
        reports = repo.progress.of_task(task_id)
        finished = {r.unit_id for r in reports if r.final}
        overdue = task.deadline is not None and task.deadline < today
        return TaskDetail(
            id=task.id,
            year=task.year,
            section=task.section,
            subsection=task.subsection,
            title=task.title,
            requirement=task.requirement,
            deadline=task.deadline,
            lead=[a.unit.name for a in assignments if a.role == "lead"],
            responsible=[a.unit.name for a in assignments if a.role == "responsible"],
            reports=[
                UnitReport(r.unit.name, r.reported_on, r.text, r.final, [n for _, n in r.files])
                for r in reports
            ],
            overdue_units=[
                a.unit.name for a in assignments if overdue and a.unit_id not in finished
            ],
        )


@dataclass(frozen=True)
class MonthProgress:
    """The task section of a monthly bulletin: who reported in the month, who did not."""

    year: int
    tasks: int
    units: int
    reported: list[tuple[str, int]]
    silent: list[str]
    finished: int
    assignments: int
    overdue: list[tuple[str, list[str]]]


def month_progress(db: Database, month: Month, today: dt.date) -> MonthProgress | None:
    """Progress on the month's year's tasks, by unit; None when that year has no tasks."""
    rows = ledger_rows_for_year(db, month.year, today)
    if not rows:
        return None
    with repository(db) as repo:
        active = repo.progress.reports_by_unit(month.first_day, month.next().first_day)
        named = {row.unit for row in rows}
        units = [unit.name for unit in repo.units.ordered() if unit.name in named]
    reported = [(unit, active[unit]) for unit in units if unit in active]
    overdue: dict[int, tuple[str, list[str]]] = {}
    for row in rows:
        if row.overdue:
            overdue.setdefault(row.task_id, (row.task, []))[1].append(row.unit)
    return MonthProgress(
        year=month.year,
        tasks=len({row.task_id for row in rows}),
        units=len(units),
        reported=reported,
        silent=[unit for unit in units if unit not in active],
        finished=sum(row.done for row in rows),
        assignments=len(rows),
        overdue=[(f"{task_ref(i)} {label}", names) for i, (label, names) in overdue.items()],
    )


def current_ledger(db: Database, today: dt.date) -> list[LedgerRow]:
    """The ledger in force (see ``ledger_year``); empty when no tasks were ever imported."""
    with repository(db) as repo:
        if repo.tasks.latest_year() is None:
            return []
    return ledger_rows(db, today)


def ledger_rows_for_year(db: Database, year: int, today: dt.date) -> list[LedgerRow]:
    """The 台账 of ``year`` (empty when it has no tasks)."""
    with repository(db) as repo:
        if not repo.tasks.has_year(year):
            return []
    return ledger_rows(db, today, year=year)
