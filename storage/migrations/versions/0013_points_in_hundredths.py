"""articles.points and article_tallies.points in hundredths: points may be decimals (0.5)

The columns stay integers (sums exact on SQLite, fast on PostgreSQL); what they hold becomes
hundredths of a point (storage.models.Points). The tallies' update trigger is set aside while
the articles are rewritten, since the tallies are rewritten in the same way beside them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tallies_revision() -> ModuleType:
    """Migration 0002, whose triggers keep article_tallies."""
    path = Path(__file__).with_name("0002_article_tallies.py")
    spec = importlib.util.spec_from_file_location("tallies_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rescale(expression: str) -> None:
    """Rewrite both columns with ``expression`` (of ``points``), the trigger set aside."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE articles DISABLE TRIGGER articles_tally_update")
        op.execute(f"UPDATE articles SET points = {expression} WHERE points <> 0")
        op.execute("ALTER TABLE articles ENABLE TRIGGER articles_tally_update")
    else:
        op.execute("DROP TRIGGER articles_tally_update")
        op.execute(f"UPDATE articles SET points = {expression} WHERE points <> 0")
        op.execute(_tallies_revision().SQLITE_TRIGGERS[2])
    op.execute(f"UPDATE article_tallies SET points = {expression} WHERE points <> 0")


def upgrade() -> None:
    _rescale("points * 100")


def downgrade() -> None:
    # Whole points only before 0013: a fraction is dropped.
    _rescale("points / 100")
