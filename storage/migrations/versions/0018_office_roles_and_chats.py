"""roles are held in an office; an office has its own bulletin and supervision chats

Existing roles are the root office's. The root's chats stay in the environment
(GONGKAI_BULLETIN_CHAT_ID, GONGKAI_SUPERVISION_CHAT_ID) unless set here.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    root = op.get_bind().scalar(sa.text("SELECT min(id) FROM offices WHERE parent_id IS NULL"))
    with op.batch_alter_table("role_grants") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE role_grants SET office_id = :root").bindparams(root=root))
    with op.batch_alter_table("role_grants") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index("ix_role_grants_office_id", ["office_id"])
        batch.create_foreign_key(
            "fk_role_grants_office_id_offices", "offices", ["office_id"], ["id"]
        )
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("bulletin_chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("supervision_chat_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("supervision_chat_id")
        batch.drop_column("bulletin_chat_id")
    with op.batch_alter_table("role_grants") as batch:
        batch.drop_constraint("fk_role_grants_office_id_offices", type_="foreignkey")
        batch.drop_index("ix_role_grants_office_id")
        batch.drop_column("office_id")
