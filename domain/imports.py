"""Importing a file whose kind is told by its header: units or articles."""

from __future__ import annotations

from domain.articles import ARTICLE_COLUMNS, import_articles
from domain.errors import UserError
from domain.rules import Rules
from domain.tabular import header_of
from domain.units import UNIT_COLUMNS, import_units
from storage.db import Database


def import_file(
    db: Database, rules: Rules, name: str, content: bytes, actor: str, override: bool = False
) -> str:
    """Import units or articles, whichever the header names; return the summary."""
    header = set(header_of(name, content))
    if set(ARTICLE_COLUMNS) <= header:
        return import_articles(db, name, content, rules, actor, override).summary()
    if set(UNIT_COLUMNS) <= header:
        return import_units(db, name, content, actor).summary()
    raise UserError(
        f"{name}：无法识别的文件。单位文件的表头应为 {','.join(UNIT_COLUMNS)}；"
        f"稿件文件的表头应为 {','.join(ARTICLE_COLUMNS)}。"
    )
