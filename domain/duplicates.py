"""重复报送: titles very like one already submitted this year.

Compared on the stored title keys (``domain.text.title_key``) with rapidfuzz's normalised edit
distance; two titles that carry different numbers (第1期, 第2期; 2020年, 2021年) are a series,
never a duplicate. A unit's own likeness asks the liaison; another unit's is told to the office.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.rules import Rules
from domain.text import title_key
from storage.db import Database
from storage.repos import Repo, repository

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Similar:
    """An article already submitted whose title is like the new one."""

    article_id: int
    unit: str
    title: str
    score: float
    same_unit: bool


class _YearKeys:
    """A year's title keys as this process has read them, topped up with the newer articles
    at each look rather than read whole on every submission (the hot path of /submit). The
    last ``OVERLAP`` numbers are read again: an article numbered before another may be
    committed after it by another process."""

    OVERLAP = 50

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[int, tuple[int, str, str]] = {}
        self.last = 0

    def refresh(self, repo: Repo, year: int, words: Callable[[str], str]) -> None:
        fresh = repo.articles.keys_of_year(year, after=max(0, self.last - self.OVERLAP))
        for article_id, unit_id, full in fresh:
            self.rows[article_id] = (unit_id, full, words(full))
            self.last = max(self.last, article_id)


# Per database (its engine: a test's new database starts afresh; the views of it that each
# update is handled with share one), per office, year and area names.
_KEYS: weakref.WeakKeyDictionary[
    object, dict[tuple[int | None, int, tuple[str, ...]], _YearKeys]
] = weakref.WeakKeyDictionary()
_KEYS_LOCK = threading.Lock()


def similar_titles(
    db: Database,
    rules: Rules,
    unit_id: int | None,
    year: int,
    title: str,
    exclude: int | None = None,
) -> list[Similar]:
    """This year's articles whose titles are like ``title``, most alike first: the unit's own
    from ``[duplicates] same_unit``, others' from ``other_unit`` (every article is another
    unit's when ``unit_id`` is None)."""
    limits = rules.duplicates
    least = min((v for v in (limits.same_unit, limits.other_unit) if v > 0), default=None)
    if least is None:
        return []
    areas = tuple(title_key(name) for name in rules.bulletin.area_names)

    def words(key: str) -> str:
        # The area's name in front or not is the same title.
        return next((key[len(a) :] for a in areas if key.startswith(a)), key)

    full = title_key(title)
    key = words(full)
    numbers = _NUMBER.findall(key)
    with _KEYS_LOCK:
        seen = _KEYS.setdefault(db.engine, {})
        known = seen.setdefault((db.office_id, year, areas), _YearKeys())
    with repository(db) as repo, known.lock:
        known.refresh(repo, year, words)
        rows = [(n, *row) for n, row in known.rows.items() if n != exclude]
        found = process.extract(
            key, [row[3] for row in rows], scorer=fuzz.ratio, score_cutoff=least, limit=10
        )
        alike = []
        for _, score, index in found:
            article_id, other_unit, other_full, other_words = rows[index]
            same = unit_id is not None and other_unit == unit_id
            if same and other_full == full:
                continue  # the same title: refused by the unique key, not asked about
            limit = limits.same_unit if same else limits.other_unit
            if limit and score >= limit and _NUMBER.findall(other_words) == numbers:
                alike.append((article_id, float(score), same))
        names = repo.articles.titles_of([n for n, _, _ in alike]) if alike else {}
    # An article gone since it was read is no longer anybody's likeness.
    return [Similar(n, *names[n], score, same) for n, score, same in alike if n in names]
