"""Ranking a whole year for many units and articles, beside a bare GROUP BY (the floor).

    python bench/bench_rank.py                       # SQLite, 10,000 units, 1,000,000 articles
    python bench/bench_rank.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/bench_rank.py --url … --offices 12 --units 12000   # a city: 12 offices

Prints the median of several runs of: the bare ``SELECT unit_id, count(*) … GROUP BY unit_id``
over the year's articles; ``domain.ranking.rank_units`` (what ``gongkai rank`` and ``/rank``
call); and ``gongkai rank --format json`` as a whole process, with its peak memory. With
``--offices N`` the units are dealt out to N offices (a root and N-1 below it) and one office
below is ranked, beside the bare GROUP BY over that office's articles, and the root's
roll-up of the offices below is timed.
The database is wiped and filled first (PostgreSQL: the ``public`` schema is dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from common import fresh_database
from sqlalchemy import insert, text

from domain.offices import add_office, resolve_office
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.rollup import roll_up
from domain.rules import load_rules
from domain.scoring import rescore_if_rules_changed
from domain.text import title_key
from storage.db import Database
from storage.models import Article, Unit

CATEGORIES = ("街道", "区直部门", "驻区单位")


def fill(
    db: Database, units: int, articles: int, year: int, offices: int = 1, seed: int = 7
) -> None:
    """Create ``units`` units and ``articles`` articles spread over ``year``; with several
    ``offices``, the units dealt out to them in turn."""
    rules = load_rules()
    rng = random.Random(seed)
    for n in range(2, offices + 1):
        add_office(db, f"机关{n:02d}", None, None, "bench")
    with db.session() as session:
        office_ids = list(session.scalars(text("SELECT id FROM offices ORDER BY id")))
    platforms = [(p.code, p.points) for p in rules.platforms]
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    with db.session() as session:
        session.execute(
            insert(Unit),
            [
                {
                    "id": i,
                    "office_id": office_ids[i % offices],
                    "name": f"单位{i:05d}",
                    "category": CATEGORIES[i % 3],
                    "display_order": i,
                    "active": True,
                }
                for i in range(offices + 1, units + offices + 1)
            ],
        )
    batch = 50_000
    for start in range(0, articles, batch):
        rows = []
        for n in range(start, min(start + batch, articles)):
            roll = rng.random()
            if roll < 0.25:
                code, points = rng.choice(platforms)
                status, best = "published", code
            elif roll < 0.35:
                status, best, points = "forwarded", None, rules.scoring.unpublished_points
            else:
                status, best, points = "submitted", None, 0
            rows.append(
                {
                    "unit_id": rng.randint(offices + 1, units + offices),
                    "title": f"稿件{n}",
                    "title_key": title_key(f"稿件{n}"),
                    "year": year,
                    "submitted_on": dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days)),
                    "status": status,
                    "points": points,
                    "best_platform": best,
                }
            )
        with db.session() as session:
            session.execute(insert(Article), rows)
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    rescore_if_rules_changed(db, rules, "bench")  # records the rules so `gongkai rank` won't


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Fill a database, then time the floor, the domain call and the CLI."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--offices", type=int, default=1, help="offices to deal the units to")
    args = parser.parse_args()
    db = fresh_database(args.url, "bench.db")
    url = db.url
    year = 2020
    started = time.perf_counter()
    fill(db, args.units, args.articles, year, args.offices)
    print(
        f"database: {db.engine.dialect.name}, {args.units:,} units, {args.articles:,} articles, "
        f"{args.offices} offices (filled in {time.perf_counter() - started:.1f} s)"
    )
    office = resolve_office(db, "机关02") if args.offices > 1 else None
    if office is not None:
        db = db.scoped(office.id)
        print(f"ranking one office below the root: {office.name}")

    period = Period(Month(year, 1), Month(year, 12))
    rules = load_rules()
    # The floor: counting the period's articles of every unit (of the office ranked).
    bare = text(
        "SELECT unit_id, count(*) FROM articles "
        "WHERE submitted_on >= :start AND submitted_on < :end GROUP BY unit_id"
        if office is None
        else "SELECT a.unit_id, count(*) FROM articles a JOIN units u ON u.id = a.unit_id "
        "WHERE a.submitted_on >= :start AND a.submitted_on < :end AND u.office_id = :office "
        "GROUP BY a.unit_id"
    )

    def floor() -> None:
        with db.engine.connect() as connection:
            values = {"start": period.start, "end": period.end, "office": db.office_id}
            connection.execute(bare, values).all()

    floor_s = median_seconds(floor, args.repeat)
    rank_s = median_seconds(lambda: rank_units(db, rules, period), args.repeat)
    print(f"bare GROUP BY (floor):        {floor_s:.3f} s")
    print(f"rank_units (domain):          {rank_s:.3f} s  = {rank_s / floor_s:.2f}x the floor")
    if office is not None:
        root = Database(url)
        rollup_s = median_seconds(lambda: roll_up(root, rules, period), args.repeat)
        print(f"the root's roll-up of {args.offices - 1} offices: {rollup_s:.3f} s")
        root.dispose()

    command = [
        sys.executable,
        "-m",
        "bot.cli",
        "rank",
        "--from",
        f"{year}-01",
        "--to",
        f"{year}-12",
        "--format",
        "json",
        *(["--office", office.name] if office is not None else []),
    ]
    environment = {**os.environ, "GONGKAI_DATABASE_URL": url}
    cli_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
        cli_times.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"gongkai rank (whole process): {statistics.median(cli_times):.3f} s, "
        f"peak memory {peak_mb:.0f} MB"
    )
    db.dispose()


if __name__ == "__main__":
    main()
