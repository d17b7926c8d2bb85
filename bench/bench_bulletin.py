"""Building the monthly bulletin for many units and articles, and rendering it.

    python bench/bench_bulletin.py [--units 10000] [--articles 1000000] [--url DATABASE_URL]

Fills the database as ``bench_rank.py`` does (a whole year), then, in a fresh process so that
its peak memory is the bulletin's own, times ``build_bulletin`` for December (1—12月: ranking,
statistics, streaks, escalation lists) and each renderer: the .xlsx (the office's table style,
附件2 streamed row by row by rustpy-xlsxwriter in constant memory), the .png chart and the .docx
(附件1 in full, 附件2 up to its first 2,000 lines), with the peak memory after each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from bench_rank import fill
from common import fresh_database

MEASURE = """
import datetime as dt, resource, sys, time
from domain.bulletin import build_bulletin
from domain.periods import Month
from domain.rules import load_rules
from reports.bulletin import bulletin_docx, bulletin_xlsx, bulletin_chart
from storage.db import Database

db, rules = Database(sys.argv[1]), load_rules()
started = time.perf_counter()
bulletin = build_bulletin(db, rules, Month(2020, 12), dt.date(2021, 1, 6))
print(f"build_bulletin:   {time.perf_counter() - started:6.2f} s, "
      f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
for name, render in (("xlsx", lambda: bulletin_xlsx(bulletin, rules)),
                     ("png", lambda: bulletin_chart(bulletin)),
                     ("docx", lambda: bulletin_docx(bulletin, rules))):
    started = time.perf_counter()
    size = len(render())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"render {name:5s}:     {time.perf_counter() - started:6.2f} s ({size / 1e6:.1f} MB), "
          f"peak memory so far {peak:.0f} MB")
"""


def main() -> None:
    """Fill, then measure in a child process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=1_000_000)
    args = parser.parse_args()
    db = fresh_database(args.url, "bench.db")
    url = db.url
    started = time.perf_counter()
    fill(db, args.units, args.articles, 2020)
    db.dispose()
    print(
        f"database: {db.engine.dialect.name}, {args.units:,} units, {args.articles:,} articles "
        f"(filled in {time.perf_counter() - started:.1f} s)"
    )
    subprocess.run([sys.executable, "-c", MEASURE, url], check=True)


if __name__ == "__main__":
    main()
