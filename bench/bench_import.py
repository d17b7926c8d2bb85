"""Importing a city's history of articles: ``gongkai import articles`` on a large file.

    python bench/bench_import.py                     # SQLite, 100,000 rows, 200 units
    python bench/bench_import.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

Prints rows per second for: reading and checking the file alone (``parse_articles``); the
whole import into an empty database (``domain.articles.import_articles`` with the command
line's row limit, as ``gongkai import articles`` runs it: all or nothing, the tallies kept by
their triggers); the same file imported again (every row unchanged); and,
as the floor, a bare bulk ``INSERT`` of the same articles into another empty database.
The database is wiped first (PostgreSQL: the ``public`` schema is dropped).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import time

from common import fresh_database
from sqlalchemy import insert

from domain.articles import import_articles, parse_articles
from domain.rules import load_rules
from domain.tabular import HISTORY_MAX_ROWS, collector_paused
from domain.text import title_key
from storage.db import Database
from storage.models import Article, Unit

WORDS = ("推进", "助力", "规范化建设", "标准化", "政务公开", "基层", "企业", "便民", "服务", "专栏")


def units_of(count: int) -> list[dict[str, object]]:
    """``count`` units in three categories."""
    categories = ("街道", "区直部门", "驻区单位")
    return [
        {"id": i, "name": f"单位{i:04d}", "category": categories[i % 3], "display_order": i}
        for i in range(1, count + 1)
    ]


def articles_csv(rows: int, units: int, year: int, seed: int = 3) -> bytes:
    """An ``articles.csv`` of ``rows`` distinct articles spread over ``year``."""
    rng = random.Random(seed)
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit", "title", "submitted_on", "forwarded", "published_in"])
    for n in range(rows):
        words = "".join(rng.choice(WORDS) for _ in range(4))
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
        forwarded = rng.random() < 0.4
        published = rng.choice(["", "", "市级", "省级", "市级;省级"]) if forwarded else ""
        unit = f"单位{1 + n % units:04d}"
        writer.writerow(
            [unit, f"{unit}{words}第{n}期", day.isoformat(), "是" if forwarded else "否", published]
        )
    return out.getvalue().encode("utf-8")


def timed(label: str, rows: int, run: object) -> float:
    """Run ``run()`` once and print rows per second."""
    start = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:7.2f} s  {rows / seconds:10,.0f} rows/s")
    return seconds


def bare_insert(db: Database, content: bytes, units: int) -> None:
    """The floor: the same articles inserted in one statement per 10,000, nothing checked."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    ids = {f"单位{i:04d}": i for i in range(1, units + 1)}
    values = [
        {
            "unit_id": ids[row["unit"]],
            "title": row["title"],
            "title_key": title_key(row["title"]),
            "year": int(row["submitted_on"][:4]),
            "submitted_on": dt.date.fromisoformat(row["submitted_on"]),
            "status": "forwarded" if row["forwarded"] == "是" else "submitted",
            "points": 0,
        }
        for row in reader
    ]
    with db.session() as session:
        for start in range(0, len(values), 10_000):
            session.execute(insert(Article), values[start : start + 10_000])


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()
    rules = load_rules()
    content = articles_csv(args.rows, args.units, 2021)
    print(f"{args.rows:,} rows, {args.units} units, {len(content) / 2**20:.1f} MB")

    db = fresh_database(args.url, "import.db")
    with db.session() as session:
        session.execute(insert(Unit), units_of(args.units))
    unit_ids = {f"单位{i:04d}": i for i in range(1, args.units + 1)}
    with collector_paused():  # as the import reads it
        timed(
            "read and check the file (parse_articles)",
            args.rows,
            lambda: parse_articles("a.csv", content, rules, unit_ids, HISTORY_MAX_ROWS),
        )
    timed(
        "import into an empty database",
        args.rows,
        lambda: import_articles(db, "a.csv", content, rules, "bench", max_rows=HISTORY_MAX_ROWS),
    )
    timed(
        "import the same file again (all unchanged)",
        args.rows,
        lambda: import_articles(db, "a.csv", content, rules, "bench", max_rows=HISTORY_MAX_ROWS),
    )
    db.dispose()

    floor = fresh_database(args.url, "floor.db")
    with floor.session() as session:
        session.execute(insert(Unit), units_of(args.units))
    timed(
        "floor: bare bulk INSERT of the same rows",
        args.rows,
        lambda: bare_insert(floor, content, args.units),
    )
    floor.dispose()


if __name__ == "__main__":
    main()
