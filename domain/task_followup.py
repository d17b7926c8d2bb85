"""跟踪调度: remind units with open tasks and no report this month; chase overdue tasks.

Both run every day and decide by the clock; every notice is an outbox row keyed by month,
unit or task and recipient, so a second run, or a restart, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain.ledger import LedgerRow, current_ledger
from domain.monthly import Chats
from domain.notice_wording import NoticeWording
from domain.notices import enqueue
from domain.periods import Month
from domain.rules import Rules
from domain.workdays import nth_working_day_before_end
from storage.db import Database
from storage.repos import repository


def run_task_reminders(
    db: Database, rules: Rules, now: dt.datetime, tz: ZoneInfo, wording: NoticeWording
) -> int:
    """From the N-th working day before the month ends: units with unfinished tasks in the
    ledger in force and no progress report this month are reminded, once per unit and month."""
    local = now.astimezone(tz)
    month = Month.of(local.date())
    schedule = rules.tasks
    day = nth_working_day_before_end(month, schedule.reminder_working_days_before_end)
    if local < dt.datetime.combine(day, schedule.reminder_time, tz):
        return 0
    open_tasks: dict[str, dict[str, int]] = {}
    for row in current_ledger(db, local.date()):
        if not row.done:
            roles = open_tasks.setdefault(row.unit, {})
            roles[row.role] = roles.get(row.role, 0) + 1
    if not open_tasks:
        return 0
    last_day = month.next().first_day - dt.timedelta(days=1)
    queued = 0
    with repository(db) as repo:
        reported = repo.progress.reports_by_unit(month.first_day, month.next().first_day)
        for unit in repo.units.ordered():
            if unit.name not in open_tasks or unit.name in reported:
                continue
            text = wording.task_reminder(
                unit.name, month, last_day, open_tasks[unit.name], rules.tasks.progress_counts
            )
            for user in repo.users.liaisons_of(unit.id):
                key = f"task-reminder:{month}:{unit.id}:to:{user.telegram_id}"
                queued += enqueue(repo, key, user.telegram_id, text)
    return queued


def run_overdue_notices(
    db: Database, now: dt.datetime, tz: ZoneInfo, chats: Chats, wording: NoticeWording
) -> int:
    """Tasks past their deadline with units that have not finished them go to the lead units'
    liaisons and the 督查室, once per task and month while they stay overdue."""
    local = now.astimezone(tz)
    month = Month.of(local.date())
    overdue: dict[int, list[LedgerRow]] = {}
    leads: dict[int, list[str]] = {}
    for row in current_ledger(db, local.date()):
        if row.role == "lead":
            leads.setdefault(row.task_id, []).append(row.unit)
        if row.overdue:
            overdue.setdefault(row.task_id, []).append(row)
    queued = 0
    with repository(db) as repo:
        units = repo.units.by_names()
        for task_id, rows in overdue.items():
            text = wording.task_overdue(rows, leads.get(task_id, []))
            targets = [
                user.telegram_id
                for name in leads.get(task_id, [])
                for user in repo.users.liaisons_of(units[name].id)
            ]
            if chats.supervision is not None:
                targets.append(chats.supervision)
            for chat in dict.fromkeys(targets):
                key = f"task-overdue:{task_id}:{month}:to:{chat}"
                queued += enqueue(repo, key, chat, text)
    return queued
