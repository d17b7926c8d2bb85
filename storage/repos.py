"""Repositories: the queries the domain needs, named after what they answer."""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import chain
from typing import Any, NamedTuple, cast

import psycopg
from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    any_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from storage.campaign_repos import Campaigns
from storage.db import Database
from storage.models import (
    Adjustment,
    Article,
    ArticleTally,
    AuditEntry,
    BulletinDocument,
    BulletinIssue,
    CampaignAnswer,
    DataChange,
    Endorsement,
    Escalation,
    Invite,
    OutboxMessage,
    Publication,
    RoleGrant,
    Setting,
    Unit,
    User,
    hundredths,
    utcnow,
)
from storage.office_repos import Offices
from storage.scope import Scope
from storage.score_repos import Evaluations, ScoreSheets
from storage.service_repos import Drafts, Inbox, Leases
from storage.statements import dialect_of, insert_returning, insert_unless_present, run
from storage.task_repos import ProgressReports, Tasks

# Rows per statement when many are written at once (an import of a city's history).
BATCH = 5_000
# Rows per INSERT statement on SQLite, within its limit of parameters in a statement.
SQLITE_ROWS, SQLITE_PARAMETERS = 1_000, 32_766
# SQLite's page cache while many rows are written (KiB).
SQLITE_BULK_CACHE_KB = 65_536


# What a view of an article shows besides its own row, loaded with it.
_ARTICLE_PARTS = (
    selectinload(Article.unit),
    selectinload(Article.publications),
    selectinload(Article.endorsements),
    selectinload(Article.commission_answers),
)


def write_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write many rows into ``table`` in the session's transaction.

    Past SQLAlchemy's statement building (for 100,000 rows, about as long as the database takes
    to store them), through the columns' own conversions for the database (points to
    hundredths, dates and times as SQLAlchemy stores them): on PostgreSQL by COPY; on SQLite by
    multi-row INSERTs of ``SQLITE_ROWS`` rows, which SQLite runs faster than one prepared
    INSERT per row. Every row has the first row's columns; ``created_at``, when they leave it
    out, is the moment of writing. Row triggers fire as for any INSERT.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    stamped = "created_at" not in names
    if stamped:
        names.append("created_at")
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    driver = connection.connection.driver_connection
    assert driver is not None
    given = names[:-1] if stamped else names
    stamp = utcnow()

    def converted(batch: Sequence[Mapping[str, Any]]) -> Iterator[tuple[Any, ...]]:
        """The batch's rows as the database takes them, converted a column at a time."""
        columns: list[Sequence[Any]] = [[row[name] for row in batch] for name in given]
        if stamped:
            columns.append([stamp] * len(batch))
        return zip(
            *(
                list(map(process, column)) if process else column
                for process, column in zip(convert, columns, strict=True)
            ),
            strict=True,
        )

    columns = ", ".join(names)
    if dialect.name != "postgresql":
        one = f"({', '.join('?' * len(names))})"
        step = min(SQLITE_ROWS, SQLITE_PARAMETERS // len(names))
        # A page cache that holds the table's indexes while they grow by 100,000 keys (the
        # default 2 MB made a third of the writing re-reading pages); given back after.
        (kept,) = driver.execute("PRAGMA cache_size").fetchone()
        driver.execute(f"PRAGMA cache_size = {-SQLITE_BULK_CACHE_KB}")
        try:
            for start in range(0, len(rows), step):
                batch = rows[start : start + step]
                listed = ", ".join([one] * len(batch))
                statement = f"INSERT INTO {table.name} ({columns}) VALUES {listed}"
                driver.execute(statement, list(chain.from_iterable(converted(batch))))
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"INSERT INTO {table.name}", None, exc) from exc
        finally:
            driver.execute(f"PRAGMA cache_size = {int(kept)}")
        return
    statement = f"COPY {table.name} ({columns}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(rows), BATCH):
                for row in converted(rows[start : start + BATCH]):
                    copy.write_row(row)
    except psycopg.IntegrityError as exc:
        # As SQLAlchemy reports it for an INSERT, so that ``repository`` makes it a Conflict.
        raise IntegrityError(statement, None, exc) from exc


def close_names(name: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """Of ``names``, those that contain ``name`` or are contained in it, then the most alike."""
    close = [n for n in names if name and (name in n or n in name)]
    close += difflib.get_close_matches(name, names, n=limit, cutoff=0.4)
    return list(dict.fromkeys(close))[:limit]


class UnitListing(NamedTuple):
    """A unit as lists and rankings show it."""

    id: int
    name: str
    category: str
    active: bool


class UnitArticleTotals(NamedTuple):
    """One unit's aggregate over a period's articles."""

    unit_id: int
    submitted: int
    unpublished: int
    points: Decimal
    by_platform: dict[str, int]


class Units:
    """单位."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def ordered(self, *, include_inactive: bool = False) -> list[Unit]:
        """Units in their configured display order."""
        query = (
            select(Unit)
            .where(self.scope.is_office(Unit.office_id))
            .order_by(Unit.display_order, Unit.id)
        )
        if not include_inactive:
            query = query.where(Unit.active.is_(True))
        return list(self.session.scalars(query))

    def listing(self) -> list[UnitListing]:
        """Every unit's id, name, category and whether it is active, in display order.

        Plain rows rather than ORM objects: a ranking of ten thousand units needs no more.
        """
        query = (
            select(Unit.id, Unit.name, Unit.category, Unit.active)
            .where(self.scope.is_office(Unit.office_id))
            .order_by(Unit.display_order, Unit.id)
        )
        # Core execution on the session's connection skips the ORM's per-row processing.
        return [UnitListing(*row) for row in self.session.connection().execute(query)]

    def by_name(self, name: str) -> Unit | None:
        """The unit called exactly ``name``."""
        query = select(Unit).where(self.scope.is_office(Unit.office_id), Unit.name == name)
        return self.session.scalar(query)

    def similar_names(self, name: str, limit: int = 3) -> list[str]:
        """Names of active units that look like ``name`` (for "did you mean")."""
        query = select(Unit.name).where(self.scope.is_office(Unit.office_id), Unit.active.is_(True))
        names = list(self.session.scalars(query))
        return close_names(name, names, limit)

    def by_names(self) -> dict[str, Unit]:
        """Every unit keyed by name."""
        query = select(Unit).where(self.scope.is_office(Unit.office_id))
        return {unit.name: unit for unit in self.session.scalars(query)}


class Articles:
    """稿件 and their publications."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def by_keys(self, keys: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int, str], Article]:
        """Articles keyed by (unit id, year, title key), for the keys given."""
        wanted = list(keys)
        found: dict[tuple[int, int, str], Article] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(Article).where(
                tuple_(Article.unit_id, Article.year, Article.title_key).in_(chunk)
            )
            for article in self.session.scalars(query):
                found[(article.unit_id, article.year, article.title_key)] = article
        return found

    def states_by_keys(
        self, keys: Iterable[tuple[int, int, str]]
    ) -> dict[tuple[int, int, str], tuple[int, str]]:
        """(number, status) of the articles with these (unit id, year, title key) keys."""
        # Asked unit and year at a time: SQLite walks the unique index for ``title_key IN``,
        # where a list of (unit, year, key) triples would make it scan.
        groups: dict[tuple[int, int], list[str]] = {}
        for unit_id, year, key in keys:
            groups.setdefault((unit_id, year), []).append(key)
        found: dict[tuple[int, int, str], tuple[int, str]] = {}
        if not groups:
            return found
        # A unit with no article in a year has none of these: the tallies say which have any
        # in a few rows, so a city's first import asks nothing more.
        years = {year for _, year in groups}
        tallied = self.session.execute(
            select(ArticleTally.unit_id, ArticleTally.month).where(
                ArticleTally.month >= dt.date(min(years), 1, 1),
                ArticleTally.month < dt.date(max(years) + 1, 1, 1),
                ArticleTally.articles > 0,
            )
        )
        present = {(unit_id, month.year) for unit_id, month in tallied}
        for (unit_id, year), titles in groups.items():
            if (unit_id, year) not in present:
                continue
            for chunk in self._chunks(titles):
                rows = self.session.execute(
                    select(Article.title_key, Article.id, Article.status).where(
                        Article.unit_id == unit_id,
                        Article.year == year,
                        self._among(Article.title_key, chunk),
                    )
                )
                for key, article_id, status in rows:
                    found[(unit_id, year, key)] = (article_id, status)
        return found

    def _chunks(self, values: Sequence[Any]) -> Iterator[Sequence[Any]]:
        """``values`` a statement's worth at a time: all at once on PostgreSQL (one array
        parameter), 500 on SQLite (one parameter each)."""
        whole = self.session.get_bind().dialect.name == "postgresql"
        step = max(len(values), 1) if whole else 500
        for start in range(0, len(values), step):
            yield values[start : start + step]

    def _among(self, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL ``= ANY(array)``, which psycopg sends as one
        parameter instead of converting a list of thousands into the query's text."""
        if self.session.get_bind().dialect.name == "postgresql":
            return column == any_(literal(list(values), ARRAY(column.type)))
        return column.in_(values)

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> dict[tuple[int, int, str], int]:
        """Insert articles; their numbers by (unit id, year, title key)."""
        if not rows:
            return {}
        table = cast(Table, Article.__table__)
        if dialect_of(self.session) == "postgresql":
            # Numbers drawn first (as one array: 100,000 rows of one number each cost more to
            # fetch than to draw), rows sent by COPY: see ``write_rows``.
            drawn = text(
                "SELECT array_agg(nextval(pg_get_serial_sequence('articles', 'id'))) "
                "FROM generate_series(1, :n)"
            )
            ids = self.session.scalar(drawn, {"n": len(rows)}) or []
            numbered = [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
            write_rows(self.session, table, numbered)
            return {(r["unit_id"], r["year"], r["title_key"]): r["id"] for r in numbered}
        # On SQLite the first article's INSERT takes the write lock, which its transaction
        # holds until commit: nobody else can number an article meanwhile, so the rest are
        # numbered after it and written past SQLAlchemy. (Numbers drawn before the lock
        # could be another process's by the time this one writes.)
        first, *rest = rows
        first_id = int(run(self.session, insert_returning(table, "id"), dict(first)).scalar_one())
        numbered = [{**row, "id": first_id + i} for i, row in enumerate(rest, start=1)]
        write_rows(self.session, table, numbered)
        return {
            (r["unit_id"], r["year"], r["title_key"]): r["id"]
            for r in [{**first, "id": first_id}, *numbered]
        }

    def update_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Set columns of articles by number (each row: ``id`` and the new values)."""
        for start in range(0, len(rows), BATCH):
            self.session.execute(update(Article), list(rows[start : start + BATCH]))

    def publish_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record publications in batches (each row: article_id, platform, published_on,
        recorded_by)."""
        write_rows(self.session, cast(Table, Publication.__table__), rows)

    def endorse_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record 批示 in batches (each row: article_id, level, endorsed_on, recorded_by)."""
        write_rows(self.session, cast(Table, Endorsement.__table__), rows)

    def insert_new(self, **values: Any) -> int | None:
        """Record an article in one statement and return its number; None, recording nothing,
        when the unit already has that title this year. (The hot path of /submit.)"""
        table = cast(Table, Article.__table__)
        statement = insert_unless_present(dialect_of(self.session), table, "id")
        found = run(self.session, statement, values).scalar_one_or_none()
        return None if found is None else int(found)

    def get(self, article_id: int, *, lock: bool = False) -> Article | None:
        """One article with its unit, publications and 批示; ``lock`` holds it until commit."""
        query = (
            select(Article)
            .where(Article.id == article_id, self.scope.owns(Article.unit_id))
            .options(*_ARTICLE_PARTS)
        )
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def copy_of(self, origin_id: int) -> int | None:
        """The number of the office's article sent up from a child office's ``origin_id``."""
        query = select(Article.id).where(
            Article.origin_id == origin_id, self.scope.owns(Article.unit_id)
        )
        return self.session.scalar(query)

    def pending(self, limit: int) -> tuple[list[Article], int]:
        """The oldest articles awaiting review, and how many there are."""
        waiting = and_(Article.status == "submitted", self.scope.owns(Article.unit_id))
        query = (
            select(Article)
            .where(waiting)
            .order_by(Article.id)
            .limit(limit)
            .options(*_ARTICLE_PARTS)
        )
        total = self.session.scalar(select(func.count()).where(waiting)) or 0
        return list(self.session.scalars(query)), total

    def of_unit(self, unit_id: int, year: int) -> list[Article]:
        """A unit's articles of a year, newest first."""
        query = (
            select(Article)
            .where(Article.unit_id == unit_id, Article.year == year)
            .order_by(Article.submitted_on.desc(), Article.id.desc())
            .options(*_ARTICLE_PARTS)
        )
        return list(self.session.scalars(query))

    def keys_of_year(self, year: int, after: int = 0) -> list[tuple[int, int, str]]:
        """(number, unit id, title key) of the articles submitted in ``year`` numbered above
        ``after``."""
        # "unit_id + 0" keeps SQLite from walking the whole year in the (unit, year, title)
        # index office unit by office unit: the numbers above ``after`` are few (every
        # /submit asks), and found by the primary key. 100,000 articles: 40 ms -> 0.13 ms.
        query = select(Article.id, Article.unit_id, Article.title_key).where(
            Article.year == year, Article.id > after, self.scope.owns(Article.unit_id + 0)
        )
        return [(n, unit_id, key) for n, unit_id, key in self.session.execute(query)]

    def titles_of(self, article_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(unit, title) of the articles given."""
        query = (
            select(Article.id, Unit.name, Article.title)
            .join(Unit, Unit.id == Article.unit_id)
            .where(Article.id.in_(list(article_ids)))
        )
        return {n: (unit, title) for n, unit, title in self.session.execute(query)}

    def titles_of_year(self, year: int) -> list[tuple[int, str, str]]:
        """(number, unit, title) of every article submitted in ``year``."""
        query = (
            select(Article.id, Unit.name, Article.title)
            .join(Unit, Unit.id == Article.unit_id)
            .where(Article.year == year, Unit.office_id == self.scope.office)
            .order_by(Article.id)
        )
        return [(n, unit, title) for n, unit, title in self.session.execute(query)]

    def platforms_of(self, article_ids: Sequence[int]) -> dict[int, set[str]]:
        """The platform codes each article has been published by."""
        return self._codes_of(Publication.article_id, Publication.platform, article_ids)

    def endorsements_of(self, article_ids: Sequence[int]) -> dict[int, set[str]]:
        """The levels of 批示 each article has had."""
        return self._codes_of(Endorsement.article_id, Endorsement.level, article_ids)

    def _codes_of(self, owner: Any, code: Any, article_ids: Sequence[int]) -> dict[int, set[str]]:
        result: dict[int, set[str]] = {i: set() for i in article_ids}
        for chunk in self._chunks(article_ids):
            for article_id, value in self.session.execute(
                select(owner, code).where(self._among(owner, chunk))
            ):
                result[article_id].add(value)
        return result

    def commissioned_among(self, article_ids: Sequence[int]) -> set[int]:
        """Those of the articles that answer a 约稿."""
        found: set[int] = set()
        for chunk in self._chunks(article_ids):
            answering = self._among(CampaignAnswer.article_id, chunk)
            found.update(
                a
                for a in self.session.scalars(select(CampaignAnswer.article_id).where(answering))
                if a is not None
            )
        return found

    def daily_counts(
        self, start: dt.date, end: dt.date, unit_id: int | None = None
    ) -> dict[tuple[int, dt.date], int]:
        """Articles submitted per unit and day in [start, end) (of one unit, or all)."""
        query = (
            select(Article.unit_id, Article.submitted_on, func.count())
            .where(Article.submitted_on >= start, Article.submitted_on < end)
            .group_by(Article.unit_id, Article.submitted_on)
        )
        query = query.where(
            Article.unit_id == unit_id if unit_id is not None else self.scope.owns(Article.unit_id)
        )
        return {(unit, day): count for unit, day, count in self.session.execute(query)}

    def endorsements_by_unit(self, start: dt.date, end: dt.date) -> dict[int, int]:
        """Per unit, the 批示 on its articles submitted in [start, end)."""
        query = (
            select(Article.unit_id, func.count())
            .join(Endorsement, Endorsement.article_id == Article.id)
            .where(
                Article.submitted_on >= start,
                Article.submitted_on < end,
                self.scope.owns(Article.unit_id),
            )
            .group_by(Article.unit_id)
        )
        return {unit_id: count for unit_id, count in self.session.execute(query)}

    def totals_by_unit(
        self, start: dt.date, end: dt.date, platform_codes: Sequence[str]
    ) -> dict[int, UnitArticleTotals]:
        """Per unit, over articles submitted in the months [start, end).

        Reads the tallies the database keeps per unit and month, not the articles themselves.
        """
        rows = self._tally_totals(ArticleTally.unit_id, start, end, platform_codes)
        return {unit_id: total._replace(unit_id=unit_id) for unit_id, total in rows.items()}

    def totals_by_month(
        self,
        start: dt.date,
        end: dt.date,
        platform_codes: Sequence[str],
        unit_id: int | None = None,
    ) -> dict[dt.date, UnitArticleTotals]:
        """Per month of [start, end), for one unit or all: submitted, unpublished, points and
        the articles at each best platform (read from the tallies, keyed by the month's first
        day; months with nothing are absent)."""
        rows = self._tally_totals(ArticleTally.month, start, end, platform_codes, unit_id)
        return {month: total._replace(unit_id=unit_id or 0) for month, total in rows.items()}

    def _tally_totals(
        self,
        key: Any,
        start: dt.date,
        end: dt.date,
        platform_codes: Sequence[str],
        unit_id: int | None = None,
    ) -> dict[Any, UnitArticleTotals]:
        """The tallies of [start, end) (of one unit, or all) added up per ``key`` column."""
        tally = ArticleTally
        per_platform = [
            func.sum(tally.articles).filter(tally.platform == code) for code in platform_codes
        ]
        query = (
            select(
                key,
                func.sum(tally.articles),
                func.sum(tally.articles).filter(tally.status == "forwarded"),
                func.sum(tally.points),
                *per_platform,
            )
            .where(tally.month >= start, tally.month < end)
            .group_by(key)
        )
        query = query.where(
            tally.unit_id == unit_id if unit_id is not None else self.scope.owns(tally.unit_id)
        )
        totals: dict[Any, UnitArticleTotals] = {}
        for value, submitted, unpublished, points, *counts in self.session.connection().execute(
            query
        ):
            if not submitted:
                continue  # only tallies emptied by deletions or moves
            by_platform = {code: n or 0 for code, n in zip(platform_codes, counts, strict=True)}
            totals[value] = UnitArticleTotals(
                0, submitted, unpublished or 0, points or Decimal(0), by_platform
            )
        return totals

    def forwarded_in(self, start: dt.date, end: dt.date) -> int:
        """How many articles submitted in [start, end) were forwarded (published or not)."""
        query = select(func.coalesce(func.sum(ArticleTally.articles), 0)).where(
            ArticleTally.month >= start,
            ArticleTally.month < end,
            ArticleTally.status.in_(("forwarded", "published")),
            self.scope.owns(ArticleTally.unit_id),
        )
        return int(self.session.scalar(query) or 0)

    def count_in(self, start: dt.date, end: dt.date) -> int:
        """How many articles were submitted in [start, end), from the tallies."""
        query = select(func.coalesce(func.sum(ArticleTally.articles), 0)).where(
            ArticleTally.month >= start,
            ArticleTally.month < end,
            self.scope.owns(ArticleTally.unit_id),
        )
        return int(self.session.scalar(query) or 0)

    def annex(
        self, start: dt.date, end: dt.date, platform_order: Sequence[str]
    ) -> Iterator[tuple[str, str, str, list[str]]]:
        """(title, unit, status, platforms) per article of [start, end), streamed.

        Highest points first, then in the order they were published (as the office's list
        grows), then by date; platforms in the rules' order.
        """
        rank = {code: i for i, code in enumerate(platform_order)}

        def in_order(codes: list[str]) -> list[str]:
            if len(codes) < 2:  # most articles: no sorting to do
                return codes
            return sorted(codes, key=lambda code: rank.get(code, len(rank)))

        earlier = aliased(Publication)
        first_published = (
            select(func.min(earlier.published_on))
            .where(earlier.article_id == Article.id)
            .correlate(Article)
            .scalar_subquery()
        )
        query = (
            select(Article.id, Article.title, Unit.name, Article.status, Publication.platform)
            .join(Unit, Unit.id == Article.unit_id)
            .outerjoin(Publication, Publication.article_id == Article.id)
            .where(
                Article.submitted_on >= start,
                Article.submitted_on < end,
                Unit.office_id == self.scope.office,
            )
            .order_by(
                Article.points.desc(),
                first_published.asc().nulls_last(),
                Article.submitted_on,
                Article.id,
            )
            .execution_options(yield_per=2000)
        )
        current: tuple[int, str, str, str] | None = None
        platforms: list[str] = []
        for article_id, title, unit, status, platform in self.session.execute(query):
            if current is not None and current[0] != article_id:
                yield current[1], current[2], current[3], in_order(platforms)
                platforms = []
            current = (article_id, title, unit, status)
            if platform is not None:
                platforms.append(platform)
        if current is not None:
            yield current[1], current[2], current[3], in_order(platforms)

    def active_months(self, start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
        """Per unit, the months in [start, end) in which it submitted at least one article."""
        query = (
            select(ArticleTally.unit_id, ArticleTally.month)
            .where(
                ArticleTally.month >= start,
                ArticleTally.month < end,
                ArticleTally.articles > 0,
                self.scope.owns(ArticleTally.unit_id),
            )
            .distinct()
        )
        months: dict[int, set[dt.date]] = {}
        for unit_id, month in self.session.connection().execute(query):
            months.setdefault(unit_id, set()).add(month)
        return months

    def first_months(self) -> dict[int, dt.date]:
        """Per unit, the first month it submitted anything."""
        query = (
            select(ArticleTally.unit_id, func.min(ArticleTally.month))
            .where(ArticleTally.articles > 0, self.scope.owns(ArticleTally.unit_id))
            .group_by(ArticleTally.unit_id)
        )
        return {unit_id: month for unit_id, month in self.session.connection().execute(query)}

    def first_recorded(self) -> dt.datetime | None:
        """When the system recorded its first article (submitted or imported)."""
        query = select(func.min(Article.created_at)).where(self.scope.owns(Article.unit_id))
        return self.session.scalar(query)

    def rescore(
        self,
        points: dict[str, Decimal],
        order: dict[str, int],
        unpublished: Decimal,
        *,
        summed: bool = False,
        endorsed: dict[str, Decimal] | None = None,
        commission: tuple[Decimal, bool] | None = None,
    ) -> int:
        """Recompute every article's cached points and best platform in one statement.

        Among an article's platforms the highest points win (``summed``: all of them add up),
        then the earlier platform in the rules; platforms no longer in the rules earn nothing.
        A published 约稿 scores ``commission``'s points instead (or the higher, when its flag
        says so). Each level of 批示 in ``endorsed`` adds its points.
        """
        # In the column's hundredths: the statement adds the column's raw values.
        stored = {code: hundredths(p) for code, p in points.items()}
        platform_points = case(stored, value=Publication.platform, else_=literal(0))
        platform_order = case(order, value=Publication.platform, else_=literal(len(order)))
        mine = Publication.article_id == Article.id
        total = func.sum if summed else func.max
        best_points = select(total(platform_points)).where(mine).scalar_subquery()
        best_platform = (
            select(Publication.platform)
            .where(mine, Publication.platform.in_(list(stored)))
            .order_by(platform_points.desc(), platform_order)
            .limit(1)
            .scalar_subquery()
        )
        fallback = case((Article.status == "forwarded", hundredths(unpublished)), else_=0)
        scored: ColumnElement[Any] = func.coalesce(best_points, fallback)
        if commission is not None:
            paid, higher = hundredths(commission[0]), commission[1]
            adopted = case((best_points > paid, best_points), else_=paid) if higher else paid
            answers = select(CampaignAnswer.id).where(CampaignAnswer.article_id == Article.id)
            scored = case(
                (and_(answers.exists(), best_platform.is_not(None)), adopted), else_=scored
            )
        if endorsed:
            level_points = case(
                {code: hundredths(p) for code, p in endorsed.items()},
                value=Endorsement.level,
                else_=literal(0),
            )
            extra = (
                select(func.coalesce(func.sum(level_points), 0))
                .where(Endorsement.article_id == Article.id)
                .scalar_subquery()
            )
            scored = scored + extra
        result = self.session.execute(
            update(Article)
            .where(self.scope.owns(Article.unit_id))
            .values(points=scored, best_platform=best_platform)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class Adjustments:
    """加减分."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def totals_by_unit(self, start: dt.date, end: dt.date) -> dict[int, Decimal]:
        """The sum of bonuses and penalties per unit for months in [start, end)."""
        query = (
            select(Adjustment.unit_id, func.sum(Adjustment.points))
            .where(
                Adjustment.month >= start,
                Adjustment.month < end,
                Adjustment.kind != "veto",
                self.scope.owns(Adjustment.unit_id),
            )
            .group_by(Adjustment.unit_id)
        )
        return {unit_id: Decimal(total) for unit_id, total in self.session.execute(query)}

    def totals_by_month(
        self, start: dt.date, end: dt.date, unit_id: int | None = None
    ) -> dict[dt.date, Decimal]:
        """The sum of bonuses and penalties per month in [start, end), for one unit or all."""
        query = (
            select(Adjustment.month, func.sum(Adjustment.points))
            .where(
                Adjustment.month >= start,
                Adjustment.month < end,
                Adjustment.kind != "veto",
            )
            .group_by(Adjustment.month)
        )
        query = query.where(
            Adjustment.unit_id == unit_id
            if unit_id is not None
            else self.scope.owns(Adjustment.unit_id)
        )
        return {month: Decimal(total) for month, total in self.session.execute(query)}

    def in_period(self, start: dt.date, end: dt.date) -> list[Adjustment]:
        """Every bonus, penalty and veto for months in [start, end), oldest first."""
        query = (
            select(Adjustment)
            .where(
                Adjustment.month >= start,
                Adjustment.month < end,
                self.scope.owns(Adjustment.unit_id),
            )
            .options(joinedload(Adjustment.unit))
            .order_by(Adjustment.month, Adjustment.id)
        )
        return list(self.session.scalars(query))


class Users:
    """Telegram users and their roles."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def get(self, telegram_id: int) -> User | None:
        """The user with this Telegram id, if known."""
        return self.session.get(User, telegram_id)

    def with_unit_and_roles(self, telegram_id: int) -> User | None:
        """The user, their unit and their roles in one query (asked on every update)."""
        query = (
            select(User)
            .where(User.telegram_id == telegram_id)
            .options(joinedload(User.unit), joinedload(User.roles))
        )
        return self.session.scalars(query).unique().one_or_none()

    def liaisons_of(self, unit_id: int) -> list[User]:
        """The liaisons bound to a unit."""
        query = (
            select(User)
            .join(RoleGrant)
            .where(User.unit_id == unit_id, RoleGrant.role == "liaison")
            .order_by(User.telegram_id)
        )
        return list(self.session.scalars(query))

    def liaison_counts(self) -> dict[int, int]:
        """How many liaisons each unit has."""
        query = (
            select(User.unit_id, func.count())
            .join(RoleGrant)
            .where(RoleGrant.role == "liaison", self.scope.owns(User.unit_id))
            .group_by(User.unit_id)
        )
        return {unit_id: n for unit_id, n in self.session.execute(query) if unit_id is not None}

    def ids_with_role(self, role: str) -> set[int]:
        """The Telegram ids of the users holding a role in the office."""
        query = select(RoleGrant.telegram_id).where(
            RoleGrant.role == role, self.scope.is_office(RoleGrant.office_id)
        )
        return set(self.session.scalars(query))

    def get_or_create(self, telegram_id: int) -> User:
        """The user with this Telegram id, created if unknown."""
        user = self.session.get(User, telegram_id)
        if user is None:
            user = User(telegram_id=telegram_id, full_name="")
            self.session.add(user)
            self.session.flush()
        return user

    def grant(self, user: User, role: str, by: str, office_id: int) -> bool:
        """Give ``user`` the role in the office; False if they already had it."""
        if any(grant.role == role for grant in user.roles):
            return False
        user.roles.append(RoleGrant(role=role, office_id=office_id, granted_by=by))
        self.session.flush()
        return True

    def revoke(self, user: User, role: str, office_id: int) -> bool:
        """Take the role in the office away; False if they did not have it there."""
        for grant in list(user.roles):
            if grant.role == role and grant.office_id == office_id:
                user.roles.remove(grant)
                self.session.flush()
                return True
        return False


class Outbox:
    """Queued messages, keyed per office (``Scope.key``)."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def add_new(self, key: str, chat_ids: Iterable[int], text: str) -> int:
        """Queue ``text`` to each chat under keys never used before (``key`` holds a fresh
        number), in one statement; how many."""
        rows = [
            {"key": self.scope.key(f"{key}:to:{chat_id}")[:200], "chat_id": chat_id, "text": text}
            for chat_id in chat_ids
        ]
        if rows:
            self.session.execute(insert(OutboxMessage), rows)
        return len(rows)

    def queue(self, **values: Any) -> bool:
        """Queue a message unless one with its key was ever queued; whether this call did.

        One statement (INSERT … ON CONFLICT DO NOTHING): two jobs or processes queueing the
        same key at the same moment queue it once, and neither fails.
        """
        values["key"] = self.scope.key(values["key"])
        table = cast(Table, OutboxMessage.__table__)
        statement = insert_unless_present(dialect_of(self.session), table, "id", "key")
        return run(self.session, statement, values).scalar_one_or_none() is not None

    def claim(
        self, holder: str, now: dt.datetime, until: dt.datetime, limit: int
    ) -> list[OutboxMessage]:
        """Take pending messages whose time has come, replies first, then oldest first.

        Claimed rows are ``holder``'s until ``until``: another process skips them (on
        PostgreSQL without waiting for the rows being taken), so each goes out once.
        """
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now, free)
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        messages = list(self.session.scalars(query))
        for message in messages:
            message.claimed_by, message.claimed_until = holder, until
        return messages

    def release(self, message_ids: Sequence[int]) -> None:
        """Unclaim the rows."""
        self._unclaim(OutboxMessage.id.in_(message_ids))

    def release_others(self, holder: str) -> None:
        """Unclaim every row claimed by another holder than ``holder``."""
        self._unclaim(OutboxMessage.claimed_by != holder)

    def _unclaim(self, which: ColumnElement[bool]) -> None:
        statement = update(OutboxMessage).where(OutboxMessage.claimed_by.is_not(None), which)
        self.session.execute(
            statement.values(claimed_by=None, claimed_until=None).execution_options(
                synchronize_session=False
            )
        )

    def pending_count(self) -> int:
        """Messages waiting to go out."""
        query = select(func.count()).where(OutboxMessage.status == "pending")
        return int(self.session.scalar(query) or 0)

    def get(self, message_id: int) -> OutboxMessage | None:
        """One queued message."""
        return self.session.get(OutboxMessage, message_id)

    def mark_sent(self, message_ids: Sequence[int], now: dt.datetime) -> None:
        """Record the delivery of messages (sent together) in one statement."""
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(
                status="sent",
                sent_at=now,
                attempts=OutboxMessage.attempts + 1,
                claimed_by=None,
                claimed_until=None,
            )
            # No session holds these rows as objects: nothing to match afterwards.
            .execution_options(synchronize_session=False)
        )

    def counts(self) -> dict[str, int]:
        """How many messages are in each status."""
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        return {status: n for status, n in self.session.execute(query)}

    def oldest_pending(self) -> dt.datetime | None:
        """When the oldest message still waiting to go out was queued."""
        query = select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending")
        return self.session.scalar(query)

    def undeliverable(self, limit: int) -> list[OutboxMessage]:
        """The latest messages given up on (the chat blocked the bot, or does not exist)."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "undeliverable")
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))


class Bulletins:
    """Issued (or held) bulletins."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def get(self, month: dt.date, *, lock: bool = False) -> BulletinIssue | None:
        """The issue record of a month."""
        query = select(BulletinIssue).where(
            self.scope.is_office(BulletinIssue.office_id), BulletinIssue.month == month
        )
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def document(self, month: dt.date) -> BulletinDocument | None:
        """The office's own .docx for a month, if it sent one."""
        query = select(BulletinDocument).where(
            self.scope.is_office(BulletinDocument.office_id), BulletinDocument.month == month
        )
        return self.session.scalar(query)

    def latest(self) -> BulletinIssue | None:
        """The issue record of the latest month with one."""
        return self.session.scalar(
            select(BulletinIssue)
            .where(self.scope.is_office(BulletinIssue.office_id))
            .order_by(BulletinIssue.month.desc())
            .limit(1)
        )

    def latest_issued(self, year: int) -> dt.date | None:
        """The last month of ``year`` whose bulletin is out."""
        query = select(func.max(BulletinIssue.month)).where(
            self.scope.is_office(BulletinIssue.office_id),
            BulletinIssue.status == "issued",
            BulletinIssue.month >= dt.date(year, 1, 1),
            BulletinIssue.month < dt.date(year + 1, 1, 1),
        )
        return self.session.scalar(query)


class Escalations:
    """督办单 and 全区通报."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def exists(self, unit_id: int, month: dt.date, kind: str) -> bool:
        """Whether this unit already has this kind of escalation for the month."""
        query = select(Escalation.id).where(
            Escalation.unit_id == unit_id, Escalation.month == month, Escalation.kind == kind
        )
        return self.session.scalar(query) is not None

    def next_number(self, year: int) -> int:
        """The next 督办单 number of the year."""
        query = select(func.max(Escalation.number)).where(
            self.scope.is_office(Escalation.office_id),
            Escalation.kind == "supervision",
            Escalation.year == year,
        )
        return int(self.session.scalar(query) or 0) + 1

    def of_month(self, month: dt.date) -> list[Escalation]:
        """The month's escalations, in numbering order, with their units."""
        query = (
            select(Escalation)
            .where(Escalation.month == month, self.scope.owns(Escalation.unit_id))
            .order_by(Escalation.kind.desc(), Escalation.number, Escalation.id)
            .options(selectinload(Escalation.unit))
        )
        return list(self.session.scalars(query))


class Changes:
    """Corrections to months whose bulletin was out."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def add(self, month: dt.date, description: str, by: str) -> None:
        """Record a correction."""
        self.session.add(
            DataChange(
                office_id=self.scope.office,  # the id, or the root's found by the INSERT
                month=month,
                description=description,
                changed_by=by,
            )
        )

    def unreported(self, before: dt.date) -> list[tuple[int, str]]:
        """Corrections to months before ``before`` that no bulletin has told yet."""
        query = (
            select(DataChange.id, DataChange.description)
            .where(
                self.scope.is_office(DataChange.office_id),
                DataChange.reported_in.is_(None),
                DataChange.month < before,
            )
            .order_by(DataChange.id)
        )
        return [(change_id, text) for change_id, text in self.session.execute(query)]

    def mark_reported(self, ids: list[int], month: dt.date) -> None:
        """The bulletin of ``month`` told these."""
        if ids:
            self.session.execute(
                update(DataChange).where(DataChange.id.in_(ids)).values(reported_in=month)
            )


class Invites:
    """Invite codes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_for_update(self, code: str) -> Invite | None:
        """The invite, locked until the transaction ends (one redemption per code)."""
        return self.session.scalar(select(Invite).where(Invite.code == code).with_for_update())


class KeyValues:
    """Small key-value facts the system keeps about itself, each office its own."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def get(self, key: str) -> str | None:
        """The value stored under ``key``."""
        row = self.session.get(Setting, self.scope.key(key))
        return row.value if row else None

    def put(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        self.session.merge(Setting(key=self.scope.key(key), value=value))


class Audit:
    """The audit log."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: object = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Write one entry: who did what to which thing, with its state before and after."""
        entry = AuditEntry(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
        )
        self.session.add(entry)
        return entry

    def insert(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: object,
        after: dict[str, Any],
    ) -> int:
        """``record`` in one statement, for hot paths; the entry's number."""
        values = {
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id),
            "before": None,
            "after": after,
        }
        statement = insert_returning(cast(Table, AuditEntry.__table__), "id")
        return int(run(self.session, statement, values).scalar_one())

    def entries(self, action: str | None = None) -> list[AuditEntry]:
        """Entries, oldest first, optionally of one action."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(self.session.scalars(query))


class Repo:
    """All repositories over one session; the domain's only way to the database."""

    def __init__(self, session: Session, office_id: int | None = None) -> None:
        self.session = session
        self.scope = Scope(office_id)
        self.units = Units(session, self.scope)
        self.articles = Articles(session, self.scope)
        self.adjustments = Adjustments(session, self.scope)
        self.users = Users(session, self.scope)
        self.settings = KeyValues(session, self.scope)
        self.invites = Invites(session)
        self.outbox = Outbox(session, self.scope)
        self.bulletins = Bulletins(session, self.scope)
        self.escalations = Escalations(session, self.scope)
        self.offices = Offices(session, self.scope)
        self.changes = Changes(session, self.scope)
        self.audit = Audit(session)
        self.tasks = Tasks(session, self.scope)
        self.progress = ProgressReports(session, self.scope)
        self.score_sheets = ScoreSheets(session, self.scope)
        self.evaluations = Evaluations(session, self.scope)
        self.campaigns = Campaigns(session, self.scope)
        self.inbox = Inbox(session)
        self.leases = Leases(session)
        self.drafts = Drafts(session)

    def seen_from(self, office_id: int) -> Repo:
        """The same session's repositories as office ``office_id`` sees the database."""
        return Repo(self.session, office_id)

    def add(self, row: Any) -> None:
        """Keep a new row (written with the transaction; ``flush`` to get its id now)."""
        self.session.add(row)

    def flush(self) -> None:
        """Write what was added or changed so far, giving new rows their ids."""
        self.session.flush()

    def merge(self, row: Any) -> None:
        """Keep a row by its key: insert it, or overwrite the one with that key."""
        self.session.merge(row)

    def delete(self, row: Any) -> None:
        """Remove a row."""
        self.session.delete(row)


class Conflict(Exception):
    """A row whose unique key another transaction (or process) wrote first."""


@contextmanager
def repository(db: Database) -> Iterator[Repo]:
    """``db.session()`` with its repositories: committed when the block ends, rolled back if
    it raises; a unique key taken meanwhile is a ``Conflict``."""
    try:
        with db.session() as session:
            yield Repo(session, db.office_id)
    except IntegrityError as exc:
        raise Conflict(str(exc.orig)) from exc
