"""任务分解表: importing a table of tasks with their lead and responsible units.

The file reads like seed 001's table: 部分 (section), 工作任务 (sub-section), 牵头部门,
责任单位, 具体要求, and optionally 任务 (a short title) and 完成时限 (deadline). As in a Word or
Excel table with merged cells, a blank 部分 or 工作任务 continues the one above, and a row with
only a 部分 opens a section. Units are matched by name (see ``domain.unit_lists``); the import
is all or nothing, every unknown name reported with its line.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from domain.errors import ImportRejected, RowError
from domain.periods import parse_day
from domain.rules import Rules
from domain.tabular import SourceRow, read_rows
from domain.unit_lists import KnownUnit, UnitLists
from storage.db import Database
from storage.models import Task, TaskAssignment
from storage.repos import Repo, repository

TASK_COLUMNS = ("部分", "牵头部门", "责任单位", "具体要求")
TASK_OPTIONAL = ("工作任务", "任务", "完成时限")
TASK_ALIASES = {
    "section": "部分",
    "一级任务": "部分",
    "subsection": "工作任务",
    "二级任务": "工作任务",
    "task": "任务",
    "lead": "牵头部门",
    "牵头单位": "牵头部门",
    "responsible": "责任单位",
    "requirement": "具体要求",
    "deadline": "完成时限",
}
REQUIREMENT_MAX = 2000
HEADING_MAX = 200


@dataclass(frozen=True)
class TaskRow:
    """A task as the file gives it, with its units resolved."""

    line: int
    section: str
    subsection: str
    title: str
    requirement: str
    lead_text: str
    responsible_text: str
    deadline: dt.date | None
    lead: tuple[int, ...]
    responsible: tuple[int, ...]

    def key(self, year: int) -> str:
        """What makes the task the same task when the table is imported again."""
        digest = hashlib.sha256(
            "\x1f".join([str(year), self.section, self.subsection, self.requirement]).encode()
        )
        return digest.hexdigest()


@dataclass
class TaskImportResult:
    """What an import of a 任务分解表 did."""

    year: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assignments: int = 0
    units: set[int] = field(default_factory=set)

    def summary(self) -> str:
        """One Chinese paragraph for the user."""
        return (
            f"{self.year}年任务分解表导入完成：新增任务 {self.created} 项，更新 {self.updated} 项，"
            f"未变 {self.unchanged} 项；涉及单位 {len(self.units)} 个，"
            f"任务分工 {self.assignments} 条（单位 × 任务）。"
        )


def parse_deadline(text: str, year: int) -> dt.date:
    """``2021-12-31``, ``2021/12/31``, ``2021年12月31日``, ``2021年6月底``, ``年底前``."""
    value = text.strip().removesuffix("前").removesuffix("之")
    with contextlib.suppress(ValueError):
        return parse_day(value)
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(?:底|末)?", value)
    if match:
        y, m = int(match.group(1)), int(match.group(2))
        return dt.date(y, m, calendar.monthrange(y, m)[1])
    match = re.fullmatch(r"(?:(\d{4})年)?(?:年底|年末|底)", value)
    if match:
        return dt.date(int(match.group(1) or year), 12, 31)
    raise ValueError(text)


def parse_tasks(
    name: str, content: bytes, rules: Rules, units: list[KnownUnit], year: int
) -> list[TaskRow]:
    """Validate a 任务分解表; every bad line is reported and nothing returned if any."""
    lists = UnitLists(units, rules.tasks.collective)
    errors: list[RowError] = []
    rows: list[TaskRow] = []
    seen: dict[str, int] = {}
    section = subsection = ""
    for source in read_rows(
        name, content, TASK_COLUMNS, optional=TASK_OPTIONAL, aliases=TASK_ALIASES
    ):
        cells = source.cells
        if cells["部分"]:
            section, subsection = cells["部分"], ""
        if cells["工作任务"]:
            subsection = cells["工作任务"]
        if not any(cells[c] for c in ("任务", "牵头部门", "责任单位", "具体要求", "完成时限")):
            continue  # a heading row: it only opens a section or sub-section
        problems, row = _task_row(source, lists, section, subsection, year)
        errors += problems
        if row is None:
            continue
        key = row.key(year)
        if key in seen:
            errors.append(RowError(source.line, f"与第 {seen[key]} 行是同一项任务（重复）"))
            continue
        seen[key] = source.line
        rows.append(row)
    if errors:
        raise ImportRejected(name, errors)
    return rows


def _task_row(
    source: SourceRow, lists: UnitLists, section: str, subsection: str, year: int
) -> tuple[list[RowError], TaskRow | None]:
    cells, line = source.cells, source.line
    errors: list[RowError] = []
    if not section:
        errors.append(RowError(line, "缺少“部分”（本行及以上各行都没有填写）"))
    for label, value in (("部分", section), ("工作任务", subsection), ("任务", cells["任务"])):
        if len(value) > HEADING_MAX:
            errors.append(RowError(line, f"{label}过长（{len(value)} 字，最多 {HEADING_MAX} 字）"))
    requirement = cells["具体要求"]
    if not requirement:
        errors.append(RowError(line, "具体要求为空"))
    elif len(requirement) > REQUIREMENT_MAX:
        errors.append(
            RowError(line, f"具体要求过长（{len(requirement)} 字，最多 {REQUIREMENT_MAX} 字）")
        )
    deadline = None
    if cells["完成时限"]:
        try:
            deadline = parse_deadline(cells["完成时限"], year)
        except ValueError:
            errors.append(
                RowError(
                    line,
                    f"完成时限“{cells['完成时限']}”无法识别（示例：{year}-12-31、"
                    f"{year}年6月30日、{year}年6月底）",
                )
            )
    if not cells["牵头部门"]:
        errors.append(RowError(line, "牵头部门为空"))
    resolved = {}
    for column in ("牵头部门", "责任单位"):
        found = lists.resolve(cells[column])
        resolved[column] = found.unit_ids
        for unknown in found.unknown:
            hint = lists.suggestions(unknown)
            errors.append(RowError(line, f"{column}中的“{unknown}”不是已知单位{hint}"))
    if errors:
        return errors, None
    lead = tuple(resolved["牵头部门"])
    responsible = tuple(u for u in resolved["责任单位"] if u not in lead)
    return [], TaskRow(
        line=line,
        section=section,
        subsection=subsection,
        title=cells["任务"],
        requirement=requirement,
        lead_text=cells["牵头部门"],
        responsible_text=cells["责任单位"],
        deadline=deadline,
        lead=lead,
        responsible=responsible,
    )


def known_units(repo: Repo) -> list[KnownUnit]:
    """The active units, as name matching sees them."""
    return [KnownUnit(u.id, u.name, u.category) for u in repo.units.ordered()]


def import_tasks(
    db: Database, name: str, content: bytes, rules: Rules, year: int, actor: str
) -> TaskImportResult:
    """Create or update a table's tasks and their units, all or nothing, audited.

    A task already imported (same year, section, sub-section and requirement) is updated in
    place, its reports kept; tasks missing from the file are left as they are.
    """
    with repository(db) as repo:
        rows = parse_tasks(name, content, rules, known_units(repo), year)
        result = TaskImportResult(year)
        existing = repo.tasks.by_keys([row.key(year) for row in rows])
        for position, row in enumerate(rows, start=1):
            wanted = {u: "lead" for u in row.lead} | {u: "responsible" for u in row.responsible}
            result.assignments += len(wanted)
            result.units.update(wanted)
            task = existing.get(row.key(year))
            if task is None:
                task = Task(
                    office_id=repo.offices.current_id(), key=row.key(year), year=year, source=name
                )
                repo.add(task)
                before = None
            else:
                before = _state(task)
            task.position, task.section, task.subsection = position, row.section, row.subsection
            task.title, task.requirement, task.deadline = row.title, row.requirement, row.deadline
            task.lead_text, task.responsible_text = row.lead_text, row.responsible_text
            _assign(task, wanted)
            repo.flush()
            after = _state(task)
            if before is None:
                result.created += 1
                repo.audit.record(actor, "task.create", "task", task.id, None, after)
            elif before != after:
                result.updated += 1
                repo.audit.record(actor, "task.update", "task", task.id, before, after)
            else:
                result.unchanged += 1
    return result


def _assign(task: Task, wanted: dict[int, str]) -> None:
    current = {a.unit_id: a for a in task.assignments}
    for unit_id, assignment in current.items():
        if unit_id not in wanted:
            task.assignments.remove(assignment)
        else:
            assignment.role = wanted[unit_id]
    for unit_id, role in wanted.items():
        if unit_id not in current:
            task.assignments.append(TaskAssignment(unit_id=unit_id, role=role))


def _state(task: Task) -> dict[str, object]:
    return {
        "position": task.position,
        "section": task.section,
        "subsection": task.subsection,
        "title": task.title,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "lead": sorted(a.unit_id for a in task.assignments if a.role == "lead"),
        "responsible": sorted(a.unit_id for a in task.assignments if a.role == "responsible"),
    }
