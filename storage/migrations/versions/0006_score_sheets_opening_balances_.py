"""score sheets, opening balances, evaluations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:29:00.738030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_evaluations_score")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_evaluations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "year", name=op.f("pk_evaluations")),
    )
    op.create_table(
        "opening_balances",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_opening_balances_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "year", name=op.f("pk_opening_balances")),
    )
    op.create_table(
        "score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_score_sheets_total")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_score_sheets_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_sheets")),
        sa.UniqueConstraint("unit_id", "month", name="uq_score_sheets_unit_month"),
    )
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.create_index("ix_score_sheets_month", ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_index("ix_score_sheets_month")

    op.drop_table("score_sheets")
    op.drop_table("opening_balances")
    op.drop_table("evaluations")
