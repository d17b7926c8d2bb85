"""Shared fixtures: a real database (SQLite, or PostgreSQL when configured) and a network guard."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.examples import example_rules
from domain.rules import Rules, load_rules
from storage.db import Database
from tests.botworld import World, running_bot

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GAOXIN = EXAMPLES / "gaoxin-2020"
PG_URL = os.environ.get("GONGKAI_TEST_DATABASE_URL")


def _allowed(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket stays on this machine
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that is not to this machine: no test may reach Telegram."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _allowed(address):
            raise AssertionError(f"network access outside 127.0.0.1 attempted: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _allowed(address):
            raise AssertionError(f"network access outside 127.0.0.1 attempted: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or the PostgreSQL test database wiped clean."""
    if PG_URL:
        db = Database(PG_URL)
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.dispose()
        yield PG_URL
    else:
        yield f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> str:
    """A clean environment for the CLI: no stray ``GONGKAI_*`` or ``.env``, our database."""
    for name in list(os.environ):
        if name.startswith("GONGKAI_") and name != "GONGKAI_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGKAI_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def db(env: str) -> Iterator[Database]:
    """A migrated, empty database."""
    database = Database(env)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def rules() -> Rules:
    """The 高新区 office's rules: the built-in ones (seed 002's 附件3), escalating from May 2020."""
    return example_rules()


@pytest.fixture
def gaoxin(db: Database) -> Database:
    """The 高新区 2020 example, imported through the command line."""
    assert main(["import", "units", str(GAOXIN / "units.csv")]) == 0
    assert main(["import", "articles", str(GAOXIN / "articles.csv")]) == 0
    return db


# The bot's clock in the 高新区 chats: a Tuesday in August 2020, before the bulletin is due.
GAOXIN_NOW = dt.datetime(2020, 8, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
async def world(gaoxin: Database, rules: Rules) -> AsyncIterator[World]:
    """The real bot on the sandbox over the 高新区 example (modules with another office or
    another day define their own)."""
    async with running_bot(gaoxin, rules, now=GAOXIN_NOW) as running:
        yield running


JINING = EXAMPLES / "jining-2021"


@pytest.fixture
def jining_rules(monkeypatch: pytest.MonkeyPatch, env: str) -> Rules:
    """The 济宁 2021 rules file (its collective names), for the CLI and for direct calls."""
    monkeypatch.setenv("GONGKAI_RULES", str(JINING / "rules.toml"))
    return load_rules(JINING / "rules.toml")


@pytest.fixture
def jining(db: Database, jining_rules: Rules) -> Database:
    """The 济宁 2021 units and 任务分解表 (seed 001), imported through the command line."""
    assert main(["import", "units", str(JINING / "units.csv")]) == 0
    assert main(["import", "tasks", "--year", "2021", str(JINING / "tasks.csv")]) == 0
    return db


YANSHI = EXAMPLES / "yanshi-2020"
JINING_2020 = EXAMPLES / "jining-2020"


@pytest.fixture
def yanshi_rules(monkeypatch: pytest.MonkeyPatch, env: str) -> Rules:
    """The 偃师 2020 rules (its score sheets' wording)."""
    monkeypatch.setenv("GONGKAI_RULES", str(YANSHI / "rules.toml"))
    return load_rules(YANSHI / "rules.toml")


@pytest.fixture
def yanshi(db: Database, yanshi_rules: Rules) -> Database:
    """Seed 004's units and December 2020 score sheets, the year before as opening balances."""
    assert main(["import", "units", str(YANSHI / "units.csv")]) == 0
    assert main(["import", "scores", str(YANSHI / "scores.csv")]) == 0
    return db


@pytest.fixture
def jining_2020_rules(monkeypatch: pytest.MonkeyPatch, env: str) -> Rules:
    """The 济宁 2020 assessment rules (seed 000)."""
    monkeypatch.setenv("GONGKAI_RULES", str(JINING_2020 / "rules.toml"))
    return load_rules(JINING_2020 / "rules.toml")


@pytest.fixture
def jining_2020(db: Database, jining_2020_rules: Rules) -> Database:
    """The data set that reproduces seed 000: units, score sheets, third-party scores."""
    assert main(["import", "units", str(JINING_2020 / "units.csv")]) == 0
    assert main(["import", "scores", str(JINING_2020 / "scores.csv")]) == 0
    assert main(["import", "evaluations", str(JINING_2020 / "evaluations.csv")]) == 0
    return db
