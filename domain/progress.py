"""进展: a liaison reports progress on one of the unit's tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.access import Identity
from domain.errors import UserError
from domain.ledger import ledger_rows, shorten, task_label, task_ref
from storage.db import Database
from storage.models import ProgressReport
from storage.repos import repository

PROGRESS_MAX = 2000
FILES_MAX = 10


@dataclass(frozen=True)
class UnitTask:
    """One of a unit's tasks, as /tasks lists it."""

    id: int
    label: str
    role: str
    deadline: dt.date | None
    last_on: dt.date | None
    last_text: str | None
    done: bool
    overdue: bool


def check_progress_text(text: str) -> str:
    """The report's text, stripped; empty or too long is a ``UserError``."""
    value = text.strip()
    if not value:
        raise UserError("进展内容不能为空。")
    if len(value) > PROGRESS_MAX:
        raise UserError(f"进展内容过长（{len(value)} 字，最多 {PROGRESS_MAX} 字），请精简后重发。")
    return value


def require_own_task(db: Database, who: Identity, task_id: int) -> str:
    """The task's label, if it is one of the caller's unit's tasks; otherwise a ``UserError``."""
    with repository(db) as repo:
        task = repo.tasks.get(task_id)
        if task is None:
            raise UserError(f"没有编号为 {task_ref(task_id)} 的任务。可用 /tasks 查看本单位任务。")
        if who.unit_id is None or repo.tasks.role_of(task_id, who.unit_id) is None:
            raise UserError(
                f"{task_ref(task_id)} 不是{who.unit_name or '您所在单位'}牵头或负责的任务，"
                "不能报送进展。可用 /tasks 查看本单位任务。"
            )
        return task_label(task)


def record_progress(
    db: Database,
    who: Identity,
    task_id: int,
    text: str,
    files: list[tuple[str, str]],
    final: bool,
    today: dt.date,
) -> int:
    """Record the unit's report on a task, audited; return its number."""
    body = check_progress_text(text)
    if len(files) > FILES_MAX:
        raise UserError(f"每次最多附 {FILES_MAX} 个文件。")
    require_own_task(db, who, task_id)
    with repository(db) as repo:
        report = ProgressReport(
            task_id=task_id,
            unit_id=who.unit_id,
            reported_by=who.telegram_id,
            reported_on=today,
            text=body,
            final=final,
            files=[[file_id, name] for file_id, name in files],
        )
        repo.add(report)
        repo.flush()
        repo.audit.record(
            f"tg:{who.telegram_id}",
            "progress.report",
            "task",
            task_id,
            None,
            {"report": report.id, "unit": who.unit_name, "final": final, "files": len(files)},
        )
        return report.id


def unit_tasks(db: Database, unit_id: int, today: dt.date) -> list[UnitTask]:
    """The unit's tasks of the ledger year, 牵头 first, with the last report of each."""
    return [
        UnitTask(
            id=row.task_id,
            label=shorten(row.task),
            role=row.role,
            deadline=row.deadline,
            last_on=row.last.reported_on if row.last else None,
            last_text=row.last.text if row.last else None,
            done=row.done,
            overdue=row.overdue,
        )
        for row in ledger_rows(db, today, unit_id=unit_id)
    ]
