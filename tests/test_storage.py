"""The schema: constraints held by the database itself, and migrations that match the models."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from domain.text import title_key
from storage.db import Database, alembic_config
from storage.models import Article, ArticleTally, Base, Publication, Unit
from storage.repos import Conflict, repository


def test_migrations_create_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(db: Database) -> None:
    db.upgrade()
    assert db.is_current()


@contextmanager
def at_revision(database: Database, revision: str) -> Iterator[Connection]:
    """The database migrated to ``revision`` only, with one unit (甲局, id 1), in one
    transaction: a database the release of that revision filled."""
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(
            text(
                "INSERT INTO units (id, name, category, display_order, active, created_at) "
                "VALUES (1, '甲局', '区直部门', 1, true, '2020-01-01 00:00:00')"
            )
        )
        yield connection


def test_upgrading_gives_existing_articles_title_keys_and_keeps_old_twins(env: str) -> None:
    database = Database(env)
    with at_revision(database, "0010") as connection:
        for n, title in enumerate(["“四项”举措", '"四项"举措', "另一篇"], start=1):
            connection.execute(
                text(
                    "INSERT INTO articles (id, unit_id, title, year, submitted_on, status, "
                    "points, created_at) VALUES (:id, 1, :title, 2020, '2020-03-01', "
                    "'submitted', 0, '2020-03-01 00:00:00')"
                ),
                {"id": n, "title": title},
            )
    database.upgrade()
    assert tallies(database) == recount(database)  # the tallies' triggers survive the change
    with database.session() as session:
        keys = {n: key for n, key in session.execute(select(Article.id, Article.title_key))}
    assert keys == {1: '"四项"举措', 2: '"四项"举措#2', 3: "另一篇"}
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            Article(
                unit_id=1,
                title="“四项”举措。",
                title_key=title_key("“四项”举措。"),
                year=2020,
                submitted_on=dt.date(2020, 4, 1),
            )
        )
    database.dispose()


def test_upgrading_keeps_every_articles_points_when_they_become_hundredths(env: str) -> None:
    database = Database(env)
    with at_revision(database, "0012") as connection:
        for n, (points, platform) in enumerate([(40, "national"), (2, None), (0, None)], 1):
            connection.execute(
                text(
                    "INSERT INTO articles (id, unit_id, title, title_key, year, submitted_on, "
                    "status, points, best_platform, created_at) VALUES (:id, 1, :t, :t, 2020, "
                    "'2020-03-01', :status, :points, :platform, '2020-03-01 00:00:00')"
                ),
                {
                    "id": n,
                    "t": f"稿{n}",
                    "status": "published" if platform else "forwarded" if points else "submitted",
                    "points": points,
                    "platform": platform,
                },
            )
    database.upgrade()
    with database.session() as session:
        points = {i: p for i, p in session.execute(select(Article.id, Article.points))}
        article = session.get(Article, 2)
        assert article is not None
        article.points = Decimal("0.5")  # the triggers go on keeping the tallies after the change
    assert points == {1: 40, 2: 2, 3: 0}
    assert tallies(database) == recount(database)
    assert sum(pts for _, pts in tallies(database).values()) == Decimal("40.5")
    database.dispose()


def test_points_finer_than_a_hundredth_are_refused_not_rounded(db: Database) -> None:
    with pytest.raises(StatementError, match=r"finer than 0\.01"), db.session() as session:
        unit = Unit(name="甲局", category="区直部门", display_order=1)
        session.add(
            Article(
                unit=unit,
                title="稿",
                title_key="稿",
                year=2020,
                submitted_on=dt.date(2020, 3, 1),
                points=Decimal("0.125"),
            )
        )


def test_unit_name_is_unique_in_the_database(db: Database) -> None:
    with db.session() as session:
        session.add(Unit(name="甲局", category="区直部门", display_order=1))
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Unit(name="甲局", category="街道", display_order=2))


def units_named(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(text("SELECT name FROM units ORDER BY name")))


def test_a_transaction_inside_an_update_is_committed_with_the_update_never_before(
    db: Database,
) -> None:
    with db.unit_of_work() as update:
        with db.transaction(), db.session() as session:
            session.add(Unit(name="甲局", category="区直部门", display_order=1))
        assert units_named(db) == []  # a crash here loses the change and its answer alike
        update.commit()
    assert units_named(db) == ["甲局"]
    with db.unit_of_work(), db.transaction(), db.session() as session:
        session.add(Unit(name="乙局", category="区直部门", display_order=2))
    assert units_named(db) == ["甲局"]  # the update rolled back: so did its transaction
    with db.transaction(), db.session() as session:  # outside an update: its own
        session.add(Unit(name="丙局", category="区直部门", display_order=3))
    assert units_named(db) == ["丙局", "甲局"]
    outer = db.unit_of_work()
    with outer, pytest.raises(RuntimeError, match="already open"), db.unit_of_work():
        pass


def test_a_batch_of_articles_meeting_one_written_meanwhile_is_a_conflict(db: Database) -> None:
    with db.session() as session:
        session.add(Unit(id=1, name="甲局", category="区直部门", display_order=1))
    row = {
        "unit_id": 1,
        "title": "稿",
        "title_key": "稿",
        "year": 2020,
        "submitted_on": dt.date(2020, 3, 1),
        "status": "submitted",
        "points": 0,
        "best_platform": None,
    }
    with repository(db) as repo:
        repo.articles.insert_many([row])
    # COPY on PostgreSQL, INSERT on SQLite: either way a Conflict, and nothing of the batch kept
    with pytest.raises(Conflict), repository(db) as repo:
        repo.articles.insert_many([{**row, "title": "另一篇", "title_key": "另一篇"}, row])
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_article_is_published_at_most_once_per_platform_in_the_database(db: Database) -> None:
    with db.session() as session:
        unit = Unit(name="甲局", category="区直部门", display_order=1)
        article = Article(
            unit=unit, title="稿", title_key="稿", year=2020, submitted_on=dt.date(2020, 3, 1)
        )
        article.publications.append(Publication(platform="city", recorded_by="t"))
        session.add(article)
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Publication(article_id=article.id, platform="city", recorded_by="t"))


def test_unknown_article_status_is_refused_by_the_database(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        unit = Unit(name="甲局", category="区直部门", display_order=1)
        session.add(
            Article(
                unit=unit,
                title="稿",
                title_key="稿",
                year=2020,
                submitted_on=dt.date(2020, 3, 1),
                status="lost",
            )
        )


def tallies(db: Database) -> dict[tuple[int, dt.date, str, str], tuple[int, int]]:
    with db.session() as session:
        rows = session.execute(
            select(
                ArticleTally.unit_id,
                ArticleTally.month,
                ArticleTally.status,
                ArticleTally.platform,
                ArticleTally.articles,
                ArticleTally.points,
            )
        ).all()
    return {(u, m, s, p): (n, pts) for u, m, s, p, n, pts in rows if n}


def recount(db: Database) -> dict[tuple[int, dt.date, str, str], tuple[int, int]]:
    counted: dict[tuple[int, dt.date, str, str], tuple[int, int]] = {}
    with db.session() as session:
        for article in session.scalars(select(Article)):
            key = (
                article.unit_id,
                article.submitted_on.replace(day=1),
                article.status,
                article.best_platform or "",
            )
            n, pts = counted.get(key, (0, 0))
            counted[key] = (n + 1, pts + article.points)
    return counted


def test_tallies_follow_a_batch_of_articles_written_at_once(db: Database) -> None:
    rng = random.Random(5)
    with db.session() as session:
        session.add_all(
            [Unit(id=i, name=f"单位{i}", category="街道", display_order=i) for i in (1, 2, 3)]
        )
    rows = [
        {
            "unit_id": rng.randint(1, 3),
            "title": f"稿{n}",
            "title_key": f"稿{n}",
            "year": 2020,
            "submitted_on": dt.date(2020, rng.randint(1, 12), rng.randint(1, 28)),
            "status": status,
            "points": {"forwarded": Decimal(2), "published": Decimal("10.5")}.get(status, 0),
            "best_platform": "city" if status == "published" else None,
        }
        for n, status in enumerate(
            rng.choice(["submitted", "forwarded", "published"]) for _ in range(400)
        )
    ]
    # COPY and one statement trigger on PostgreSQL, multi-row INSERTs and row triggers on SQLite
    with repository(db) as repo:
        repo.articles.insert_many(rows[:150])
    with repository(db) as repo:
        repo.articles.insert_many(rows[150:])
    assert tallies(db) == recount(db)
    assert sum(n for n, _ in tallies(db).values()) == 400


def test_tallies_follow_every_insert_update_and_delete_of_articles(db: Database) -> None:
    rng = random.Random(3)
    with db.session() as session:
        units = [Unit(name=f"单位{i}", category="街道", display_order=i) for i in range(3)]
        session.add_all(units)
        session.flush()
        for n in range(60):
            session.add(
                Article(
                    unit_id=rng.choice(units).id,
                    title=f"稿{n}",
                    title_key=f"稿{n}",
                    year=2020,
                    submitted_on=dt.date(2020, rng.randint(1, 12), rng.randint(1, 28)),
                    status="submitted",
                )
            )
    with db.session() as session:
        articles = list(session.scalars(select(Article)))
        for article in rng.sample(articles, 30):
            article.status = rng.choice(["forwarded", "published", "declined"])
            article.best_platform = "city" if article.status == "published" else None
            article.points = {"forwarded": 2, "published": 10}.get(article.status, 0)
        for article in rng.sample(articles, 10):
            article.submitted_on = dt.date(2020, rng.randint(1, 12), 15)
            article.unit_id = rng.choice(units).id
        for article in rng.sample(articles, 5):
            session.delete(article)
    assert tallies(db) == recount(db)
    assert sum(n for n, _ in tallies(db).values()) == 55
