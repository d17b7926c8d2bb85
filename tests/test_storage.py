"""The schema: constraints held by the database itself, and migrations that match the models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import Article, Base, Publication, Unit


def test_migrations_create_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(db: Database) -> None:
    db.upgrade()
    assert db.is_current()


def test_unit_name_is_unique_in_the_database(db: Database) -> None:
    with db.session() as session:
        session.add(Unit(name="甲局", category="区直部门", display_order=1))
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Unit(name="甲局", category="街道", display_order=2))


def test_article_is_published_at_most_once_per_platform_in_the_database(db: Database) -> None:
    with db.session() as session:
        unit = Unit(name="甲局", category="区直部门", display_order=1)
        article = Article(unit=unit, title="稿", year=2020, submitted_on=dt.date(2020, 3, 1))
        article.publications.append(Publication(platform="city", recorded_by="t"))
        session.add(article)
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Publication(article_id=article.id, platform="city", recorded_by="t"))


def test_unknown_article_status_is_refused_by_the_database(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        unit = Unit(name="甲局", category="区直部门", display_order=1)
        session.add(
            Article(
                unit=unit, title="稿", year=2020, submitted_on=dt.date(2020, 3, 1), status="lost"
            )
        )
