"""What the benchmarks share: an empty, migrated database to fill."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import text

from storage.db import Database


def fresh_database(url: str | None, name: str) -> Database:
    """A new temporary SQLite file, or the given database emptied (PostgreSQL: its schema)."""
    db = Database(url or f"sqlite:///{Path(tempfile.mkdtemp()) / name}")
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    return db
