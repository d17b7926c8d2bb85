"""articles.origin_id: an office's article is another's, forwarded to it by a child office

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 23:45:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic.operations import BatchOperations

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _title_keys_revision() -> ModuleType:
    """Migration 0011, which changes the articles table with its tallies' triggers kept."""
    path = Path(__file__).with_name("0011_article_title_keys.py")
    spec = importlib.util.spec_from_file_location("title_keys_0011", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    def with_origin(batch: BatchOperations) -> None:
        batch.add_column(sa.Column("origin_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_articles_origin_id_articles", "articles", ["origin_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_articles_origin_id", ["origin_id"], unique=True)

    _title_keys_revision()._recreate_articles(with_origin)


def downgrade() -> None:
    def without_origin(batch: BatchOperations) -> None:
        batch.drop_index("ix_articles_origin_id")
        batch.drop_constraint("fk_articles_origin_id_articles", type_="foreignkey")
        batch.drop_column("origin_id")

    _title_keys_revision()._recreate_articles(without_origin)
