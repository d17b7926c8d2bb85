"""Importing a file whose kind is told by its header: units, articles, a 任务分解表, score
sheets or third-party evaluations."""

from __future__ import annotations

from domain.articles import ARTICLE_COLUMNS, import_articles
from domain.errors import UserError
from domain.evaluations import EVALUATION_ALIASES, EVALUATION_COLUMNS, import_evaluations
from domain.rules import Rules
from domain.score_sheets import import_score_sheets, score_aliases
from domain.tabular import header_of
from domain.tasks import TASK_ALIASES, TASK_COLUMNS, import_tasks
from domain.units import UNIT_COLUMNS, import_units
from storage.db import Database


def import_file(
    db: Database,
    rules: Rules,
    name: str,
    content: bytes,
    actor: str,
    year: int,
    override: bool = False,
) -> str:
    """Import units, articles or tasks (for ``year``), whichever the header names; return the
    summary."""
    columns = header_of(name, content)
    header = {TASK_ALIASES.get(column, column) for column in columns}
    if set(TASK_COLUMNS) <= header:
        return import_tasks(db, name, content, rules, year, actor).summary()
    scores = {score_aliases(rules).get(column, column) for column in columns}
    if {"unit", "month", *(d.name for d in rules.scores.dimensions)} <= scores:
        return import_score_sheets(db, name, content, rules, actor).summary()
    evaluations = {EVALUATION_ALIASES.get(column, column) for column in columns}
    if set(EVALUATION_COLUMNS) <= evaluations:
        return import_evaluations(db, name, content, actor).summary()
    if set(ARTICLE_COLUMNS) <= header:
        return import_articles(db, name, content, rules, actor, override).summary()
    if set(UNIT_COLUMNS) <= header:
        return import_units(db, name, content, actor).summary()
    raise UserError(
        f"{name}：无法识别的文件。单位文件的表头应为 {','.join(UNIT_COLUMNS)}；"
        f"稿件文件的表头应为 {','.join(ARTICLE_COLUMNS)}；"
        f"任务分解表的表头应含 {','.join(TASK_COLUMNS)}；"
        f"月度评分表的表头应为 unit,month,{','.join(d.name for d in rules.scores.dimensions)}；"
        f"第三方评估表的表头应为 {','.join(EVALUATION_COLUMNS)}。"
    )
