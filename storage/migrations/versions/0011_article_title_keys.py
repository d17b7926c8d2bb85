"""articles.title_key: one title per unit and year, judged on the normalised title

A title that differs from another only in spaces, case, full-width forms or the punctuation an
input method chose (“” or "", 《》 or <<>>) is the same article. Existing rows get their keys
here; where two already share one, the later keeps its own by its number, so nothing is lost.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00
"""

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from domain.text import title_key

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("title", sa.String),
    sa.column("title_key", sa.String),
)


def _tallies_revision() -> ModuleType:
    """Migration 0002, whose SQLite triggers keep article_tallies."""
    path = Path(__file__).with_name("0002_article_tallies.py")
    spec = importlib.util.spec_from_file_location("tallies_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _recreate_articles(change: Callable[[BatchOperations], None]) -> None:
    """Change the articles table; on SQLite that copies the table, which drops its triggers,
    so the tallies' triggers are made again on the copy."""
    with op.batch_alter_table("articles") as batch:
        change(batch)
    if op.get_bind().dialect.name == "sqlite":
        for statement in _tallies_revision().SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("title_key", sa.String(length=600), nullable=True))
    connection = op.get_bind()
    seen: set[tuple[int, int, str]] = set()
    keys = []
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.unit_id, articles.c.year, articles.c.title).order_by(
            articles.c.id
        )
    )
    for article_id, unit_id, year, title in rows:
        key = title_key(title)
        if (unit_id, year, key) in seen:
            mark = f"#{article_id}"
            key = key[: 600 - len(mark)] + mark
        seen.add((unit_id, year, key))
        keys.append({"row_id": article_id, "key": key})
    if keys:
        connection.execute(
            articles.update()
            .where(articles.c.id == sa.bindparam("row_id"))
            .values(title_key=sa.bindparam("key")),
            keys,
        )

    def keyed(batch: BatchOperations) -> None:
        batch.alter_column("title_key", existing_type=sa.String(length=600), nullable=False)
        batch.drop_constraint("uq_articles_unit_year_title", type_="unique")
        batch.create_unique_constraint(
            "uq_articles_unit_year_title_key", ["unit_id", "year", "title_key"]
        )

    _recreate_articles(keyed)


def downgrade() -> None:
    def unkeyed(batch: BatchOperations) -> None:
        batch.drop_constraint("uq_articles_unit_year_title_key", type_="unique")
        batch.create_unique_constraint("uq_articles_unit_year_title", ["unit_id", "year", "title"])
        batch.drop_column("title_key")

    _recreate_articles(unkeyed)
