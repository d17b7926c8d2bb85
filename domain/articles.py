"""稿件: importing articles, and keeping each article's score in step with its publications."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator

from domain.errors import ImportRejected, RowError, UserError
from domain.locks import locking_bulletin
from domain.periods import Month, parse_day
from domain.rules import Rules
from domain.tabular import collector_paused, read_rows
from domain.text import clean_text, title_key
from domain.units import first_error
from storage.db import Database
from storage.models import TITLE_MAX, Article
from storage.repos import Conflict, Repo, repository

ARTICLE_COLUMNS = ("unit", "title", "submitted_on", "forwarded", "published_in")
# Optional: when the upstream column published it (附件2 lists publications in that order),
# and the levels of 领导批示 it had (as the rules name them, separated like the platforms).
ARTICLE_OPTIONAL = ("published_on", "endorsed_by")
# The headers an office's own sheet has (the first of each is how we name the column to users).
ARTICLE_HEADERS = {
    "unit": ("单位", "单位名称", "报送单位"),
    "title": ("标题", "稿件标题", "信息标题"),
    "submitted_on": ("报送日期", "报送时间", "日期"),
    "forwarded": ("区级采用", "是否区级采用", "是否上报"),
    "published_in": ("刊发平台", "采用平台", "刊发情况"),
    "published_on": ("刊发日期", "采用日期"),
    "endorsed_by": ("领导批示", "批示"),
}
ARTICLE_ALIASES = {alias: column for column, names in ARTICLE_HEADERS.items() for alias in names}
_YES = {"yes", "y", "是", "true", "1"}
_NO = {"no", "n", "否", "false", "0", ""}


# A letter or a digit of any script (Unicode's L and N), what a title of marks only lacks.
_WORDLIKE = re.compile(r"[^\W_]")


def check_title(title: str) -> str:
    """A title as stored: cleaned (``domain.text``), not empty, with a word in it (a title of
    marks only, “。。。” or “！！”, says nothing), one line, at most ``TITLE_MAX`` characters."""
    title = clean_text(title)
    if not title:
        raise ValueError("标题为空")
    if not _WORDLIKE.search(title):
        raise ValueError("标题只有标点或符号，没有文字")
    if "\n" in title or "\r" in title:
        raise ValueError("标题不能换行")
    if len(title) > TITLE_MAX:
        raise ValueError(f"标题过长（{len(title)} 字，最多 {TITLE_MAX} 字）")
    return title


class ArticleRow(BaseModel):
    """A row of ``articles.csv``. Platforms are named as the rules name them, and read as
    their codes when validated with the rules as context (``{"rules": rules}``); units are
    checked against the database by ``parse_articles``."""

    unit: str
    title: str
    submitted_on: dt.date
    forwarded: bool
    published_in: tuple[str, ...]
    published_on: dt.date | None = None
    endorsed_by: tuple[str, ...] = ()

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if not value:
            raise ValueError("单位为空")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return check_title(value)

    @field_validator("submitted_on", mode="before")
    @classmethod
    def _date(cls, value: object) -> dt.date:
        return parse_day(str(value))

    @field_validator("published_on", mode="before")
    @classmethod
    def _published_date(cls, value: object) -> dt.date | None:
        text = str(value or "").strip()
        return parse_day(text) if text else None

    @field_validator("forwarded", mode="before")
    @classmethod
    def _forwarded(cls, value: object) -> bool:
        text = str(value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise ValueError(f"区级采用应为“是”或“否”，而不是“{str(value)[:20]}”")

    @field_validator("published_in", mode="before")
    @classmethod
    def _names(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        # Platform names hold no separators; several platforms are listed with 、 ; or ,
        if not value:  # most rows of a history
            return ()
        names = _listed(value)
        context = info.context or {}
        rules: Rules | None = context.get("rules")
        if rules is None:
            return names
        # A file repeats a handful of spellings: each is looked up once.
        known: dict[tuple[str, ...], tuple[str, ...]] = context.setdefault("platforms", {})
        if names in known:
            return known[names]
        platforms = [rules.platform_named(name) for name in names]
        unknown = [name for name, p in zip(names, platforms, strict=True) if p is None]
        if unknown:
            raise ValueError(
                f"未知刊发平台“{'、'.join(unknown)[:60]}”（可用：{rules.platform_choices()}）"
            )
        known[names] = tuple(dict.fromkeys(p.code for p in platforms if p is not None))
        return known[names]

    @field_validator("endorsed_by", mode="before")
    @classmethod
    def _levels(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        if not value:
            return ()
        names = _listed(value)
        rules: Rules | None = (info.context or {}).get("rules")
        if rules is None or not names:
            return names
        levels = [rules.endorsement_named(name) for name in names]
        unknown = [name for name, level in zip(names, levels, strict=True) if level is None]
        if unknown:
            choices = rules.endorsement_choices() or "本单位计分办法未设领导批示加分"
            raise ValueError(f"未知批示级别“{'、'.join(unknown)[:60]}”（可用：{choices}）")
        return tuple(dict.fromkeys(level.code for level in levels if level is not None))


def _listed(value: object) -> tuple[str, ...]:
    """The names in a cell listing several: separated by 、 ; , or /, each once."""
    return _split_names(str(value or ""))


@functools.lru_cache(maxsize=1024)  # a file of 100,000 rows repeats a handful of spellings
def _split_names(text: str) -> tuple[str, ...]:
    parts = re.split(r"[;；,，、/]+", text.strip())
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


@dataclass(frozen=True)
class ArticleImportResult:
    """What an import of articles did."""

    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        """One Chinese line for the user."""
        return (
            f"稿件导入完成：新增 {self.created} 篇，更新 {self.updated} 篇，"
            f"未变 {self.unchanged} 篇。"
        )


def scored_state(
    status: str,
    platforms: set[str] | frozenset[str],
    rules: Rules,
    endorsed: set[str] | frozenset[str] = frozenset(),
    commissioned: bool = False,
) -> tuple[str, Decimal, str | None]:
    """An article's status, points and best platform once ``platforms`` published it and
    leaders of the ``endorsed`` levels commented on it (``commissioned``: it answers a 约稿)."""
    if platforms:
        status = "published"
    points, best = rules.points_for(status, platforms, endorsed, commissioned)
    return status, points, best


def apply_score(article: Article, platforms: set[str], rules: Rules) -> None:
    """Set the article's status, points and best platform from its publications (and the 批示
    recorded on it, and whether it answers a 约稿)."""
    article.status, article.points, article.best_platform = scored_state(
        article.status,
        platforms,
        rules,
        {e.level for e in article.endorsements},
        bool(article.commission_answers),
    )


class ParsedArticle(NamedTuple):
    """A checked row of an articles file, with its line and the key it is known by."""

    line: int
    row: ArticleRow
    # (unit id, year, title key): what makes it the same article as one recorded.
    key: tuple[int, int, str]


def parse_articles(
    name: str,
    content: bytes,
    rules: Rules,
    unit_ids: dict[str, int],
    max_rows: int | None = None,
) -> list[ParsedArticle]:
    """Validate an articles file against the known units and platforms; all or nothing."""
    errors: list[RowError] = []
    rows: list[ParsedArticle] = []
    seen: dict[tuple[int, int, str], int] = {}
    context: dict[str, object] = {"rules": rules}
    for source in read_rows(
        name,
        content,
        ARTICLE_COLUMNS,
        optional=ARTICLE_OPTIONAL,
        aliases=ARTICLE_ALIASES,
        max_rows=max_rows,
    ):
        try:
            row = ArticleRow.model_validate(source.cells, context=context)
        except ValidationError as exc:
            errors.append(RowError(source.line, first_error(exc)))
            continue
        if row.unit not in unit_ids:
            errors.append(RowError(source.line, f"未知单位“{row.unit}”"))
            continue
        if row.published_in and not row.forwarded:
            errors.append(RowError(source.line, "已填写刊发平台，区级采用应为“是”"))
            continue
        if row.endorsed_by and not row.forwarded:
            errors.append(RowError(source.line, "已填写领导批示，区级采用应为“是”"))
            continue
        if row.published_on is not None and not row.published_in:
            errors.append(RowError(source.line, "已填写刊发日期，但没有刊发平台"))
            continue
        if row.published_on is not None and row.published_on < row.submitted_on:
            errors.append(RowError(source.line, "刊发日期早于报送日期"))
            continue
        key = (unit_ids[row.unit], row.submitted_on.year, title_key(row.title))
        if key in seen:
            errors.append(
                RowError(source.line, f"与第 {seen[key]} 行重复（同一单位同一年的同一标题）")
            )
            continue
        seen[key] = source.line
        rows.append(ParsedArticle(source.line, row, key))
    if errors:
        raise ImportRejected(name, errors)
    return rows


def import_articles(
    db: Database,
    name: str,
    content: bytes,
    rules: Rules,
    actor: str,
    override: bool = False,
    max_rows: int | None = None,
) -> ArticleImportResult:
    """Create articles and record their publications, all or nothing.

    Running the same file twice changes nothing: an article is known by its unit, year and
    title; a row can add publications or forward an article, never take them back. A row that
    would change a month whose bulletin is out is refused unless ``override``; with it, the
    change is kept for the next bulletin. Articles and publications are written in batches,
    not one by one: a city moving in brings 100,000 rows of history (``max_rows``: see
    ``domain.tabular.read_rows``).
    """
    try:
        with collector_paused():
            return _import_articles(db, name, content, rules, actor, override, max_rows)
    except Conflict:
        raise UserError(
            f"{name}：导入时另有报送或导入写入了同一单位同一年的同一标题，本次未导入任何数据。"
            "请重新导入：已记录的稿件将计为“未变”。"
        ) from None


def _import_articles(
    db: Database,
    name: str,
    content: bytes,
    rules: Rules,
    actor: str,
    override: bool,
    max_rows: int | None,
) -> ArticleImportResult:
    with repository(db) as repo:
        units = {n: u.id for n, u in repo.units.by_names().items()}
        rows = parse_articles(name, content, rules, units, max_rows)
        plan = _plan_import(repo, rows, rules, actor)
        locked_rows = _check_locks(repo, name, plan, override, actor)
        if locked_rows:
            raise ImportRejected(name, locked_rows)
        ids = repo.articles.insert_many([change.values for change in plan.created])
        numbered = [(ids[c.key], c) for c in plan.created] + [
            (c.article_id, c) for c in plan.updated
        ]
        repo.articles.update_many([{"id": c.article_id, **c.values} for c in plan.updated])
        repo.articles.publish_many(
            [{"article_id": n, **p} for n, c in numbered for p in c.publications]
        )
        endorsements = [{"article_id": n, **e} for n, c in numbered for e in c.endorsements]
        if endorsements:
            repo.articles.endorse_many(endorsements)
        result = ArticleImportResult(len(plan.created), len(plan.updated), plan.unchanged)
        repo.audit.record(
            actor,
            "article.import",
            "file",
            None,
            None,
            {
                "file": name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "rows": len(rows),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


class _Change(NamedTuple):
    """What one row of an import writes: a new article (``article_id`` None) with all its
    columns, or an existing one's new state, and the publications it adds (a tuple: one is
    made per row of a file of 100,000)."""

    line: int
    row: ArticleRow
    key: tuple[int, int, str]
    article_id: int | None
    values: dict[str, object]
    publications: list[dict[str, object]]
    endorsements: list[dict[str, object]]


@dataclass
class _Plan:
    created: list[_Change] = field(default_factory=list)
    updated: list[_Change] = field(default_factory=list)
    unchanged: int = 0


# What decides an imported article's score: its status, platforms, levels of 批示, and
# whether it answers a 约稿.
_Scored = tuple[str, frozenset[str], frozenset[str], bool]


def _plan_import(
    repo: Repo,
    rows: list[ParsedArticle],
    rules: Rules,
    actor: str,
) -> _Plan:
    """Compare the file with what is recorded, row by row, without writing anything."""
    existing = repo.articles.states_by_keys([parsed.key for parsed in rows])
    known_ids = [article_id for article_id, _ in existing.values()]
    published = repo.articles.platforms_of(known_ids)
    endorsed = repo.articles.endorsements_of(known_ids) if rules.endorsements else {}
    commissioned = repo.articles.commissioned_among(known_ids) if rules.commissions else set()
    plan = _Plan()
    scores: dict[_Scored, tuple[str, Decimal, str | None]] = {}
    for line, row, key in rows:
        found = existing.get(key)
        scored: _Scored
        if found is None:  # most rows of a city's history: everything in the row is new
            added, levels = row.published_in, row.endorsed_by
            status = "forwarded" if row.forwarded else "submitted"
            scored = (status, frozenset(added), frozenset(levels), False)
        else:
            have, had = published[found[0]], endorsed.get(found[0], set())
            added = tuple(code for code in row.published_in if code not in have)
            levels = tuple(code for code in row.endorsed_by if code not in had)
            forwards = row.forwarded and found[1] in {"submitted", "declined"}
            if not added and not levels and not forwards:
                plan.unchanged += 1
                continue
            scored = (
                "forwarded" if forwards else found[1],
                frozenset(have) | frozenset(added),
                frozenset(had) | frozenset(levels),
                found[0] in commissioned,
            )
        if scored not in scores:  # a few states score every row of a file
            scores[scored] = scored_state(scored[0], scored[1], rules, scored[2], scored[3])
        status, points, best = scores[scored]
        state: dict[str, object] = {"status": status, "points": points, "best_platform": best}
        publications: list[dict[str, object]] = [
            {"platform": code, "published_on": row.published_on, "recorded_by": actor}
            for code in added
        ]
        endorsements: list[dict[str, object]] = [
            {"level": code, "endorsed_on": None, "recorded_by": actor} for code in levels
        ]
        if found is None:
            columns = {
                "unit_id": key[0],
                "title": row.title,
                "title_key": key[2],
                "year": key[1],
                "submitted_on": row.submitted_on,
            }
            plan.created.append(
                _Change(line, row, key, None, columns | state, publications, endorsements)
            )
        else:
            plan.updated.append(
                _Change(line, row, key, found[0], state, publications, endorsements)
            )
    return plan


def _check_locks(repo: Repo, name: str, plan: _Plan, override: bool, actor: str) -> list[RowError]:
    """Rows that would change a reported month: refused, or with ``override`` kept for the
    next bulletin."""
    refused: list[RowError] = []
    locks: dict[tuple[int, int], Month | None] = {}
    for change in sorted([*plan.created, *plan.updated], key=lambda c: c.line):
        day = change.row.submitted_on
        if (day.year, day.month) not in locks:
            locks[day.year, day.month] = locking_bulletin(repo, day)
        locked = locks[day.year, day.month]
        if locked is None:
            continue
        if not override:
            refused.append(
                RowError(
                    change.line,
                    f"{locked.year}年{locked.month}月的通报已发布，"
                    f"{day.year}年{day.month}月的数据已锁定（确需更正请加 override）",
                )
            )
            continue
        repo.changes.add(
            day.replace(day=1),
            f"导入 {name} 第 {change.line} 行：{change.row.unit}《{change.row.title}》",
            actor,
        )
    return refused
