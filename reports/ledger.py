"""The 台账 and tasks: as an .xlsx, JSON, a text table, and chat messages."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tabulate import tabulate

from domain.ledger import ROLE_LABELS, LedgerRow, TaskDetail, shorten, task_ref
from domain.progress import UnitTask
from domain.wording import some_units
from reports.chat import esc
from reports.xlsx import TableBook

LEDGER_HEADERS = [
    "任务编号",
    "部分",
    "工作任务",
    "任务",
    "单位",
    "单位类别",
    "分工",
    "完成时限",
    "报送次数",
    "最近进展日期",
    "最近进展",
    "状态",
]


def row_state(row: LedgerRow) -> str:
    """已完成, 逾期未完成, 推进中 or 未报送."""
    if row.done:
        return "已完成"
    if row.overdue:
        return "逾期未完成"
    return "推进中" if row.last else "未报送"


def ledger_xlsx(rows: Sequence[LedgerRow], title: str) -> bytes:
    """One sheet, one row per task and unit, with the latest report and its date."""
    book = TableBook()
    sheet = book.table("台账", title, LEDGER_HEADERS)
    for row in rows:
        sheet.append(
            [
                task_ref(row.task_id),
                row.section,
                row.subsection,
                row.task,
                row.unit,
                row.category,
                ROLE_LABELS[row.role],
                row.deadline,
                row.reports,
                row.last.reported_on if row.last else None,
                row.last.text if row.last else None,
                row_state(row),
            ]
        )
    return book.save()


def ledger_json(rows: Sequence[LedgerRow]) -> str:
    """A JSON array, one object per task and unit."""
    return json.dumps(
        [
            {
                "task_id": row.task_id,
                "section": row.section,
                "subsection": row.subsection,
                "task": row.task,
                "requirement": row.requirement,
                "deadline": row.deadline.isoformat() if row.deadline else None,
                "unit": row.unit,
                "category": row.category,
                "role": row.role,
                "reports": row.reports,
                "last_report_on": row.last.reported_on.isoformat() if row.last else None,
                "last_report": row.last.text if row.last else None,
                "done": row.done,
                "overdue": row.overdue,
            }
            for row in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


def ledger_text(rows: Sequence[LedgerRow]) -> str:
    """An aligned table for a terminal."""
    table = [
        [
            task_ref(row.task_id),
            shorten(row.task),
            row.unit,
            ROLE_LABELS[row.role],
            row.deadline or "",
            row.last.reported_on if row.last else "",
            row_state(row),
        ]
        for row in rows
    ]
    headers = ["编号", "任务", "单位", "分工", "完成时限", "最近进展", "状态"]
    return tabulate(table, headers=headers, tablefmt="simple") + "\n"


def ledger_overview(rows: Sequence[LedgerRow], limit: int) -> list[str]:
    """The 台账 in a few lines: tasks and assignments, counts by state, the overdue ones."""
    tasks = {row.task_id for row in rows}
    states: dict[str, int] = {}
    for row in rows:
        states[row_state(row)] = states.get(row_state(row), 0) + 1
    lines = [
        f"任务 {len(tasks)} 项，任务分工 {len(rows)} 条（单位 × 任务）。",
        "，".join(f"{state} {states.get(state, 0)} 条" for state in _STATES) + "。",
    ]
    overdue = [row for row in rows if row.overdue]
    if overdue:
        lines.append("逾期未完成：")
        lines += [
            f"⚠️ {task_ref(row.task_id)} {row.unit}（{ROLE_LABELS[row.role]}，时限 {row.deadline}）"
            for row in overdue[:limit]
        ]
        if len(overdue) > limit:
            lines.append(f"……共 {len(overdue)} 条。")
    return lines


def ledger_summary(rows: Sequence[LedgerRow], heading: str) -> str:
    """The chat message sent with the .xlsx: counts by state and the overdue lines."""
    lines = [f"<b>{esc(heading)}</b>"]
    for line in ledger_overview(rows, _CHAT_LINES):
        lines.append(f"<b>{line}</b>" if line == "逾期未完成：" else esc(line))
    lines.append("完整台账见附件 .xlsx。")
    return "\n".join(lines)


_STATES = ("已完成", "推进中", "未报送", "逾期未完成")
_CHAT_LINES = 20


def unit_tasks_message(unit: str, tasks: Sequence[UnitTask]) -> str:
    """/tasks: the unit's tasks, 牵头 first, with the last progress of each."""
    if not tasks:
        return f"{esc(unit)}目前没有分配的工作任务。"
    lines = [f"<b>{esc(unit)}的工作任务（{len(tasks)} 项）</b>"]
    for role in ("lead", "responsible"):
        mine = [t for t in tasks if t.role == role]
        if not mine:
            continue
        lines.append(f"\n<b>{ROLE_LABELS[role]}（{len(mine)} 项）</b>")
        for task in mine:
            flag = "✅" if task.done else "⚠️" if task.overdue else "•"
            line = f"{flag} <b>{task_ref(task.id)}</b> {esc(task.label)}"
            if task.deadline:
                line += f"（时限 {task.deadline}{'，已逾期' if task.overdue else ''}）"
            if task.last_on:
                line += f"\n    最近进展 {task.last_on}：{esc(shorten(task.last_text or ''))}"
            else:
                line += "\n    尚未报送进展"
            lines.append(line)
    lines.append("\n发送 /progress 报送进展。")
    return "\n".join(lines)


def task_message(task: TaskDetail) -> str:
    """/task ID: the task, its units and every report."""
    lines = [f"<b>{task_ref(task.id)}</b> {esc(task.section)}"]
    if task.subsection:
        lines.append(esc(task.subsection))
    if task.title:
        lines.append(f"<b>{esc(task.title)}</b>")
    lines.append(f"具体要求：{esc(task.requirement)}")
    if task.deadline:
        lines.append(f"完成时限：{task.deadline}")
    lines.append(f"牵头单位（{len(task.lead)}）：{esc('、'.join(task.lead))}")
    if task.responsible:
        lines.append(
            f"责任单位（{len(task.responsible)}）：{esc(some_units(task.responsible, 30))}"
        )
    if task.overdue_units:
        lines.append(
            f"⚠️ 逾期未完成（{len(task.overdue_units)}）：{esc(some_units(task.overdue_units, 30))}"
        )
    lines.append(f"\n<b>进展（{len(task.reports)} 条）</b>")
    if not task.reports:
        lines.append("尚无单位报送进展。")
    for report in task.reports:
        mark = "【已完成】" if report.final else ""
        files = f"（附件：{esc('、'.join(report.files))}）" if report.files else ""
        lines.append(f"{report.reported_on} {esc(report.unit)}{mark}：{esc(report.text)}{files}")
    return "\n".join(lines)
