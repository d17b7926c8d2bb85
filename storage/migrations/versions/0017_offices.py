"""offices: a tree of offices in one deployment; every unit belongs to one

Existing units go to a root office made here, named 本机关 until the operator renames it
(gongkai office rename). Unit names become unique within an office instead of everywhere; so
do task keys, bulletins of a month and 督办单 numbers. Campaigns and corrections belong to an
office too; everything that exists belongs to the root.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 23:20:00
"""

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROOT_NAME = "本机关"


def upgrade() -> None:
    offices = op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["offices.id"], name=op.f("fk_offices_parent_id_offices")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_offices_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("name", name=op.f("uq_offices_name")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_offices_unit_id")),
    )
    op.create_index(op.f("ix_offices_parent_id"), "offices", ["parent_id"])
    op.bulk_insert(
        offices,
        [{"name": ROOT_NAME, "created_by": "migration", "created_at": dt.datetime.now(dt.UTC)}],
    )
    root = op.get_bind().scalar(sa.text("SELECT min(id) FROM offices"))
    for table in OFFICE_TABLES:
        _belong_to_offices(table, root)
    with op.batch_alter_table("bulletin_documents") as batch:
        batch.drop_constraint(op.f("pk_bulletin_documents"), type_="primary")
        batch.create_primary_key(op.f("pk_bulletin_documents"), ["office_id", "month"])


class OfficeTable(NamedTuple):
    """A table that gains an office column: the unique constraint the office joins (and its
    new name and columns), or else whether the column wants an index of its own."""

    name: str
    unique: str | None = None
    by_office: tuple[str, list[str]] | None = None
    indexed: bool = True


OFFICE_TABLES = [
    OfficeTable("units", "uq_units_name", ("uq_units_office_name", ["office_id", "name"])),
    OfficeTable("tasks", "uq_tasks_key", ("uq_tasks_office_key", ["office_id", "key"])),
    OfficeTable("campaigns"),
    OfficeTable(
        "bulletin_issues",
        "uq_bulletin_issues_month",
        ("uq_bulletin_issues_office_month", ["office_id", "month"]),
    ),
    # The office leads its primary key (below): that is its index.
    OfficeTable("bulletin_documents", indexed=False),
    OfficeTable(
        "escalations",
        "uq_escalations_kind_year_number",
        ("uq_escalations_office_kind_year_number", ["office_id", "kind", "year", "number"]),
    ),
    OfficeTable("data_changes"),
]


def _belong_to_offices(table: OfficeTable, root: int) -> None:
    """Give ``table`` an office column, the root office for every row it has."""
    with op.batch_alter_table(table.name) as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute(sa.text(f"UPDATE {table.name} SET office_id = :root").bindparams(root=root))
    with op.batch_alter_table(table.name) as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        if table.unique is not None and table.by_office is not None:
            batch.drop_constraint(table.unique, type_="unique")
            batch.create_unique_constraint(*table.by_office)
        elif table.indexed:
            batch.create_index(f"ix_{table.name}_office_id", ["office_id"])
        batch.create_foreign_key(
            f"fk_{table.name}_office_id_offices", "offices", ["office_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("bulletin_documents") as batch:
        batch.drop_constraint(op.f("pk_bulletin_documents"), type_="primary")
        batch.create_primary_key(op.f("pk_bulletin_documents"), ["month"])
    for table in reversed(OFFICE_TABLES):
        with op.batch_alter_table(table.name) as batch:
            batch.drop_constraint(f"fk_{table.name}_office_id_offices", type_="foreignkey")
            if table.unique is not None and table.by_office is not None:
                batch.drop_constraint(table.by_office[0], type_="unique")
                batch.create_unique_constraint(table.unique, table.by_office[1][1:])
            elif table.indexed:
                batch.drop_index(f"ix_{table.name}_office_id")
            batch.drop_column("office_id")
    op.drop_index(op.f("ix_offices_parent_id"), table_name="offices")
    op.drop_table("offices")
