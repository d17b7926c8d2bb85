"""Engines, sessions, the unit of work of one update, and migrations."""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


def _json_text(value: object) -> str:
    """JSON columns as SQLAlchemy writes them, with points (``Decimal``) as numbers."""
    return json.dumps(value, default=_json_number)


def _json_number(value: object) -> int | float:
    if isinstance(value, Decimal):
        # Points have two decimal places at most: a float prints them back exactly (0.5, 0.1).
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class DatabaseError(Exception):
    """The database cannot be reached or is not at the schema this code expects."""


# How long a transaction waits for SQLite's write lock before "database is locked".
BUSY_SECONDS = 30.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; it may lose the last commits on power loss.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cursor.close()


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off and SQLAlchemy emits BEGIN (below): the
    # documented way to make SAVEPOINTs work with pysqlite.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock at once: a unit that reads and then writes can never
    # fail on a snapshot another connection changed meanwhile; others wait for it instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


WRITES = {"INSERT", "UPDATE", "DELETE", "REPLAC"}


class WriteTurns:
    """One SQLite write transaction at a time in this process, handed over at once.

    SQLite allows one writer; a connection that finds the lock taken sleeps in growing steps
    (1, 2, 5 … 100 ms) before trying again, and when that connection is the event loop's,
    every chat waits. Taking turns on a lock in the process wakes the next transaction the
    moment the last one ends. (Other processes, e.g. the command line, still meet SQLite's
    own lock and busy timeout.)
    """

    KEY = "gongkai_write_turn"

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self.timeout = timeout

    def take(self, connection: Any, *_args: Any) -> None:
        """Before a write transaction begins (once per transaction)."""
        if connection.info.get(self.KEY):
            return
        if not self._lock.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked (another transaction is open)")
        connection.info[self.KEY] = True

    def before_statement(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        """Reads never wait (WAL); the first write of a transaction takes the turn, where
        SQLite itself would take its write lock."""
        if statement.lstrip()[:6].upper() in WRITES:
            self.take(connection)

    def give_back(self, connection: Any, *_args: Any) -> None:
        """When the transaction ends (committed, rolled back, or its connection returned)."""
        if connection.info.pop(self.KEY, False):
            self._lock.release()

    def listen(self, engine: Engine, *, at_begin: bool) -> None:
        """Take turns for ``engine``'s write transactions: from their start (``at_begin``:
        units of work, which take SQLite's write lock at BEGIN) or their first write."""
        if at_begin:
            event.listen(engine, "begin", self.take)
        else:
            event.listen(engine, "before_cursor_execute", self.before_statement)
        event.listen(engine, "commit", self.give_back)
        event.listen(engine, "rollback", self.give_back)
        event.listen(engine.pool, "checkin", self._returned)

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(self.KEY, False):
            self._lock.release()


def make_engine(url: str, *, units: bool = False, turns: WriteTurns | None = None) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout.

    ``units``: the SQLite engine for units of work (savepoints, an immediate write lock).
    ``turns``: SQLite transactions of this process take turns (see ``WriteTurns``).
    """
    sqlite = url.startswith("sqlite")
    engine = create_engine(
        url,
        pool_pre_ping=not sqlite,
        # A unit of work's connection is used by the event loop and by worker threads in turn.
        connect_args={"check_same_thread": False} if sqlite else {},
        json_serializer=_json_text,
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if turns is not None:
            turns.listen(engine, at_begin=units)
        if units:
            event.listen(engine, "connect", _sqlite_manual_transactions)
            event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


class UnitOfWork:
    """Everything done while handling one update, committed (or not) as one transaction.

    While it is open, ``Database.session()`` in the task that opened it (and in the worker
    threads that task starts) joins its transaction under a SAVEPOINT, so a refused step
    undoes only itself. Jobs and other tasks never join it.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: Session | None = None
        self._task = _current_task()
        self._lock = threading.Lock()
        self.open = True
        self.sequence = 0

    @property
    def database(self) -> Database:
        """The database this unit writes to."""
        return self._database

    def joinable(self) -> bool:
        """Whether the caller may join this transaction (same task, or a thread it started)."""
        if not self.open:
            return False
        task = _current_task()
        return task is None or task is self._task

    @contextmanager
    def nested(self) -> Iterator[Session]:
        """A savepoint inside the unit's transaction."""
        with self._lock:
            if self._session is None:
                self._session = self._database.new_session()
            session = self._session
        with session.begin_nested():
            yield session

    def next_number(self) -> int:
        """A number unique within this unit (for keys of the replies it queues)."""
        self.sequence += 1
        return self.sequence

    def commit(self) -> None:
        """Make everything permanent at once."""
        if self._session is not None:
            self._session.commit()

    def close(self) -> None:
        """End the unit; what was not committed is rolled back."""
        self.open = False
        if self._session is not None:
            self._session.close()
            self._session = None


_UNIT: ContextVar[UnitOfWork | None] = ContextVar("gongkai_unit_of_work", default=None)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None  # a worker thread: no event loop here


class Database:
    """One engine and its session factory, seen from one office.

    The office (``office_id``) is the scope of every repository opened over it: units, and
    everything of theirs, of other offices are out of sight. ``scoped`` gives the same
    database seen from a given office; unscoped, it is seen from the root office.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._office_id: int | None = None
        turns = WriteTurns(BUSY_SECONDS) if url.startswith("sqlite") else None
        self.engine = make_engine(url, turns=turns)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        sqlite = self.engine.dialect.name == "sqlite"
        units = make_engine(url, units=True, turns=turns) if sqlite else None
        self._unit_engine = units
        self._unit_sessions = sessionmaker(units or self.engine, expire_on_commit=False)

    def scoped(self, office_id: int) -> Database:
        """This database seen from office ``office_id`` (same engines, same units of work)."""
        view = copy.copy(self)
        view._office_id = office_id
        return view

    @property
    def office_id(self) -> int | None:
        """The office this database is seen from; None for the root office."""
        return self._office_id

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        Inside ``unit_of_work`` it is a savepoint of that unit's transaction instead.
        """
        unit = _UNIT.get()
        if unit is not None and unit.joinable():
            with unit.nested() as session:
                yield session
            return
        with self._sessions() as session, session.begin():
            yield session

    def new_session(self) -> Session:
        """A session for a unit of work (the caller ends it)."""
        return self._unit_sessions()

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Open a unit of work for the current task; ``commit()`` it, or it rolls back.

        Never inside another: committing the inner one would make the outer's changes
        permanent before the rest of its update (use ``transaction``).
        """
        if self.current_unit() is not None:
            raise RuntimeError("a unit of work is already open here; use Database.transaction()")
        unit = UnitOfWork(self)
        token = _UNIT.set(unit)
        try:
            yield unit
        finally:
            _UNIT.reset(token)
            unit.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside as one transaction: the caller's unit of work when it is inside
        one (committed with the rest of that update, never before it), or a unit of its own
        committed when the block ends."""
        if self.current_unit() is not None:
            yield
            return
        with self.unit_of_work() as unit:
            yield
            unit.commit()

    @staticmethod
    def leave_unit() -> None:
        """For a job started while an update was being handled: never join its unit."""
        _UNIT.set(None)

    @staticmethod
    def current_unit() -> UnitOfWork | None:
        """The unit of work the caller is inside, if any."""
        unit = _UNIT.get()
        return unit if unit is not None and unit.joinable() else None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def check_reachable(self) -> None:
        """Raise ``DatabaseError`` with one line if the database cannot be opened."""
        try:
            with self.engine.connect():
                pass
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"无法连接数据库 {self.engine.url!r}：{reason}") from None

    def upgrade(self) -> None:
        """Create the schema or migrate it to the newest revision.

        On SQLite a migration that changes a table copies it and drops the original; with
        foreign keys enforced, that drop would delete (cascade to) every row referring to it,
        such as an article's publications. So they are off while migrating, and every
        reference is checked before the migration commits.
        """
        self.check_reachable()
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # On the driver's connection: inside a transaction SQLite ignores this pragma.
                _driver(connection).execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise DatabaseError("升级后数据库中有失效的引用，已撤销本次升级")
            finally:
                if sqlite:
                    _driver(connection).execute("PRAGMA foreign_keys=ON")

    def is_current(self) -> bool:
        """Whether the database is at the newest migration."""
        current, head = self.revisions()
        return current == head

    def revisions(self) -> tuple[str | None, str | None]:
        """The database's migration and the newest one shipped (None: never migrated)."""
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision(), head

    def display_url(self) -> str:
        """The URL without its password, for operators' eyes."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._unit_engine is not None:
            self._unit_engine.dispose()


def _driver(connection: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy one."""
    return connection.connection.driver_connection


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    return config
