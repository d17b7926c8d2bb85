"""Matching the titles an upstream column published to the articles units submitted.

A column's contents come as the clerk copies them: numbered, with dates and sources after the
title, with or without the area's name in front, the quotes and punctuation of whoever typed
them, sometimes without the subtitle. Both sides are reduced to the words of the title
(``match_text``), then compared with rapidfuzz's normalised edit distance; a line is matched
with confidence only when its best article is both close and clearly ahead of the next.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from domain.text import strip_invisible

# A line is taken as its best article without asking when the similarity (0–100) reaches
# the first figure of a pair and leads the runner-up by the second (measured in
# bench/bench_match.py); below DOUBTFUL an article is not offered at all.
CONFIDENT = ((65.0, 4.0), (85.0, 1.0))
DOUBTFUL = 60.0
# How closely a line must spell the unit its article's title names (a slip or two allowed).
UNIT_NAMED = 60.0

_NUMBERING = re.compile(
    r"^(?:\d{1,3}\s*[.、．,，:：)）]|\d{1,3}\s+|[（(\[【]\s*\d{1,3}\s*[)）\]】]|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|第\s*\d{1,3}\s*[条篇期])\s*"
)
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*[-/]\s*\d{1,2}"
_TRAILER = re.compile(
    r"(?:[\s　]*[（(\[【]?\s*(?:来源|发布时间|发布日期|时间|作者|信息来源)\s*[:：]"
    r"[^（(]*[)）\]】]?"
    rf"|[\s　]*[（(\[【]?\s*(?:{_DATE})\s*[)）\]】]?)$"
)
# Where a subtitle starts: 主标题——副标题, 主标题：副标题.
_SUBTITLE = re.compile(r"——|--|—|:|：")
# A title that opens with a place (任城区…, 济宁市兖州区…) other than the office's own is
# another area's article: never matched without asking, however alike the rest.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,5}?(?:省|市|区|县|旗|州)")


def _unnumbered(line: str) -> str:
    """A line in NFKC without what cannot be seen and without its leading number."""
    return _NUMBERING.sub("", unicodedata.normalize("NFKC", strip_invisible(line)).strip(), count=1)


def match_text(title: str, prefixes: Sequence[str] = ()) -> str:
    """The words of a title as compared: numbering, trailing dates and sources, the area's
    name in front (``prefixes``), case, width, spaces, punctuation and symbols all gone."""
    text = _unnumbered(title)
    while (shorter := _TRAILER.sub("", text).rstrip()) != text:
        text = shorter
    for prefix in sorted(prefixes, key=len, reverse=True):  # 济宁高新区 before 高新区
        folded = unicodedata.normalize("NFKC", prefix)
        if folded and text.startswith(folded):
            text = text[len(folded) :]
            break
    return "".join(c for c in text.casefold() if unicodedata.category(c)[0] not in "PSZC")


def names_other_place(line: str, prefixes: Sequence[str]) -> bool:
    """Whether a line opens with the name of a place that is not the office's area."""
    text = _unnumbered(line)
    if any(text.startswith(unicodedata.normalize("NFKC", p)) for p in prefixes if p):
        return False
    return _PLACE.match(text) is not None


def main_title(title: str) -> str:
    """A title without its subtitle (itself when it has none)."""
    return _SUBTITLE.split(title, maxsplit=1)[0]


@dataclass(frozen=True)
class Candidate:
    """An article a line may name."""

    article_id: int
    unit: str
    title: str


@dataclass(frozen=True)
class LineMatch:
    """What one published line matched: ``tier`` is ``confident``, ``doubtful`` or
    ``unmatched``; ``choices`` the best articles with their similarity, best first."""

    line_number: int
    line: str
    tier: str
    choices: tuple[tuple[Candidate, float], ...]

    @property
    def best(self) -> Candidate | None:
        """The article taken for this line, when confident."""
        return self.choices[0][0] if self.tier == "confident" else None


def published_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a column's contents that can be titles, with their line numbers: blank
    lines, and lines of numbering or dates only, are left out."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = strip_invisible(raw).strip()
        if len(match_text(line)) >= 4:
            lines.append((number, line))
    return lines


def match_lines(
    lines: Sequence[tuple[int, str]],
    candidates: Sequence[Candidate],
    prefixes: Sequence[str] = (),
) -> list[LineMatch]:
    """Each line with its best two articles and how sure the match is."""
    if not lines:
        return []
    if not candidates:
        return [LineMatch(n, line, "unmatched", ()) for n, line in lines]
    # Each article is compared whole and without its subtitle; its better score counts.
    forms: list[str] = []
    owner: list[int] = []
    for index, candidate in enumerate(candidates):
        full = match_text(candidate.title, prefixes)
        short = match_text(main_title(candidate.title), prefixes)
        for form in {full, short} if len(short) >= 8 else {full}:
            forms.append(form)
            owner.append(index)
    queries = [match_text(line, prefixes) for _, line in lines]
    short_queries = [match_text(main_title(line), prefixes) for _, line in lines]
    scores = process.cdist(queries, forms, scorer=fuzz.ratio, workers=-1, dtype=np.float32)
    cut = process.cdist(short_queries, forms, scorer=fuzz.ratio, workers=-1, dtype=np.float32)
    scores = np.maximum(
        scores, np.where(np.array([len(q) >= 8 for q in short_queries])[:, None], cut, 0)
    )
    by_article = np.zeros((len(lines), len(candidates)), dtype=np.float32)
    np.maximum.at(by_article.T, np.array(owner), scores.T)
    matches = []
    for row, (number, line) in enumerate(lines):
        ranked = np.argsort(-by_article[row])[:2]
        choices = tuple(
            (candidates[int(i)], float(by_article[row, int(i)]))
            for i in ranked
            if by_article[row, int(i)] >= DOUBTFUL
        )
        doubt = names_other_place(line, prefixes) or (
            bool(choices) and not _names_its_unit(queries[row], choices[0][0], prefixes)
        )
        matches.append(LineMatch(number, line, _tier(choices, doubt), choices))
    return matches


def _names_its_unit(query: str, candidate: Candidate, prefixes: Sequence[str]) -> bool:
    """Whether a line names the unit its best article's title names: where titles differ
    only in the unit (many units answer the same campaign in the same words), that name is
    what tells them apart."""
    unit = match_text(candidate.unit, prefixes)
    if not unit or unit not in match_text(main_title(candidate.title), prefixes):
        return True  # a unit named only in the subtitle may have been cut with it
    return fuzz.partial_ratio(unit, query) >= UNIT_NAMED


def _tier(choices: tuple[tuple[Candidate, float], ...], doubt: bool) -> str:
    if not choices:
        return "unmatched"
    best = choices[0][1]
    margin = best - (choices[1][1] if len(choices) > 1 else 0.0)
    sure = any(best >= least and margin >= ahead for least, ahead in CONFIDENT)
    return "confident" if sure and not doubt else "doubtful"
