"""inbox: indexes over open updates only

Handled updates stay in the inbox for a week; the claim looks only at open ones (and, for
each, at earlier open ones of the same chat), so its indexes hold open rows only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('pending', 'processing')")


def upgrade() -> None:
    op.drop_index("ix_inbox_chat", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.create_index(
        "ix_inbox_open", "inbox", ["update_id"], sqlite_where=OPEN, postgresql_where=OPEN
    )
    op.create_index(
        "ix_inbox_chat",
        "inbox",
        ["chat_key", "update_id"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_chat", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.create_index("ix_inbox_open", "inbox", ["status", "update_id"])
    op.create_index("ix_inbox_chat", "inbox", ["chat_key", "update_id"])
