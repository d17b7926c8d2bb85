"""重复报送: titles very like one already submitted this year.

Compared on the stored title keys (``domain.text.title_key``) with rapidfuzz's normalised edit
distance; two titles that carry different numbers (第1期, 第2期; 2020年, 2021年) are a series,
never a duplicate. A unit's own likeness asks the liaison; another unit's is told to the office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.rules import Rules
from domain.text import title_key
from storage.db import Database
from storage.repos import Repo

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Similar:
    """An article already submitted whose title is like the new one."""

    article_id: int
    unit: str
    title: str
    score: float
    same_unit: bool


def similar_titles(
    db: Database,
    rules: Rules,
    unit_id: int,
    year: int,
    title: str,
    exclude: int | None = None,
) -> list[Similar]:
    """This year's articles whose titles are like ``title``, most alike first: the unit's own
    from ``[duplicates] same_unit``, others' from ``other_unit``."""
    limits = rules.duplicates
    least = min((v for v in (limits.same_unit, limits.other_unit) if v > 0), default=None)
    if least is None:
        return []
    areas = [title_key(a) for a in (rules.bulletin.area, rules.bulletin.area_short) if a]

    def words(key: str) -> str:
        # The area's name in front or not is the same title.
        return next((key[len(a) :] for a in areas if key.startswith(a)), key)

    full = title_key(title)
    key = words(full)
    numbers = _NUMBER.findall(key)
    with db.session() as session:
        repo = Repo(session)
        rows = [row for row in repo.articles.keys_of_year(year) if row[0] != exclude]
        keys = [words(row[2]) for row in rows]
        found = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=least, limit=10)
        alike = []
        for _, score, index in found:
            article_id, other_unit, other_full = rows[index]
            same = other_unit == unit_id
            if same and other_full == full:
                continue  # the same title: refused by the unique key, not asked about
            limit = limits.same_unit if same else limits.other_unit
            if limit and score >= limit and _NUMBER.findall(keys[index]) == numbers:
                alike.append((article_id, float(score), same))
        names = repo.articles.titles_of([n for n, _, _ in alike])
    return [Similar(n, *names[n], score, same) for n, score, same in alike]
