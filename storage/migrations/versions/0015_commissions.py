"""约稿: campaigns of kind article, answers that are articles, penalties taken once

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kinds(kinds: str) -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint(op.f("ck_campaigns_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_campaigns_kind"), f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds("'file', 'text', 'template', 'article'")
    with op.batch_alter_table("campaign_answers") as batch:
        batch.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_campaign_answers_article_id_articles",
            "articles",
            ["article_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_campaign_answers_article", ["article_id"])
    with op.batch_alter_table("campaign_targets") as batch:
        batch.add_column(sa.Column("penalty_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_campaign_targets_penalty_id_adjustments",
            "adjustments",
            ["penalty_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_targets") as batch:
        batch.drop_constraint("fk_campaign_targets_penalty_id_adjustments", type_="foreignkey")
        batch.drop_column("penalty_id")
    with op.batch_alter_table("campaign_answers") as batch:
        batch.drop_index("ix_campaign_answers_article")
        batch.drop_constraint("fk_campaign_answers_article_id_articles", type_="foreignkey")
        batch.drop_column("article_id")
    op.execute("DELETE FROM campaigns WHERE kind = 'article'")
    _kinds("'file', 'text', 'template'")
