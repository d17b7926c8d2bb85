"""The statements every update runs, built once and run on the session's connection.

SQLAlchemy takes several times longer to build an INSERT with ``.values(...)`` and run it
through the ORM session than SQLite takes to store the row (about 350 µs against 50 µs for a
statement built beforehand and given its values as parameters); a /submit runs a handful.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Insert, Table, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


@functools.cache
def insert_returning(table: Table, column: str) -> Insert:
    """``INSERT INTO table … RETURNING column``."""
    return insert(table).returning(table.c[column])


@functools.cache
def insert_unless_present(
    dialect: str, table: Table, returning: str | None = None, *conflict: str
) -> Insert:
    """``INSERT … ON CONFLICT [(conflict…)] DO NOTHING [RETURNING returning]``: a row whose
    key is taken is left out, no error raised."""
    insert_for = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_for(table).on_conflict_do_nothing(
        index_elements=[table.c[name] for name in conflict] or None
    )
    return statement.returning(table.c[returning]) if returning else statement


def run(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """Run a built statement with ``values`` in the session's transaction (Core: no ORM),
    after what the session holds unwritten (as the ORM would before any statement)."""
    session.flush()
    return session.connection().execute(statement, values)


def dialect_of(session: Session) -> str:
    """The name of the session's database dialect."""
    bind = session.get_bind()
    return bind.dialect.name
