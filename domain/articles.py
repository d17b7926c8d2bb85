"""稿件: importing articles, and keeping each article's score in step with its publications."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError, field_validator

from domain.errors import ImportRejected, RowError
from domain.locks import locking_bulletin
from domain.periods import parse_day
from domain.rules import Rules
from domain.tabular import read_rows
from domain.text import clean_text, title_key
from domain.units import first_error
from storage.db import Database
from storage.models import TITLE_MAX, Article, Publication
from storage.repos import repository

ARTICLE_COLUMNS = ("unit", "title", "submitted_on", "forwarded", "published_in")
# Optional: when the upstream column published it (附件2 lists publications in that order).
ARTICLE_OPTIONAL = ("published_on",)
# The headers an office's own sheet has (the first of each is how we name the column to users).
ARTICLE_HEADERS = {
    "unit": ("单位", "单位名称", "报送单位"),
    "title": ("标题", "稿件标题", "信息标题"),
    "submitted_on": ("报送日期", "报送时间", "日期"),
    "forwarded": ("区级采用", "是否区级采用", "是否上报"),
    "published_in": ("刊发平台", "采用平台", "刊发情况"),
    "published_on": ("刊发日期", "采用日期"),
}
ARTICLE_ALIASES = {alias: column for column, names in ARTICLE_HEADERS.items() for alias in names}
_YES = {"yes", "y", "是", "true", "1"}
_NO = {"no", "n", "否", "false", "0", ""}


def check_title(title: str) -> str:
    """A title as stored: cleaned (``domain.text``), not empty, with a word in it (a title of
    marks only, “。。。” or “！！”, says nothing), one line, at most ``TITLE_MAX`` characters."""
    title = clean_text(title)
    if not title:
        raise ValueError("标题为空")
    if not any(unicodedata.category(char)[0] in "LN" for char in title):
        raise ValueError("标题只有标点或符号，没有文字")
    if "\n" in title or "\r" in title:
        raise ValueError("标题不能换行")
    if len(title) > TITLE_MAX:
        raise ValueError(f"标题过长（{len(title)} 字，最多 {TITLE_MAX} 字）")
    return title


class ArticleRow(BaseModel):
    """A row of ``articles.csv``; unit and platform codes are checked against the database."""

    unit: str
    title: str
    submitted_on: dt.date
    forwarded: bool
    published_in: tuple[str, ...]
    published_on: dt.date | None = None

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
    def _names(cls, value: object) -> tuple[str, ...]:
        # Platform names hold no separators; several platforms are listed with 、 ; or ,
        parts = re.split(r"[;；,，、/]+", str(value).strip())
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


def apply_score(article: Article, platforms: set[str], rules: Rules) -> None:
    """Set the article's status, points and best platform from its publications."""
    if platforms:
        article.status = "published"
    article.points, article.best_platform = rules.points_for(article.status, platforms)


def parse_articles(
    name: str, content: bytes, rules: Rules, unit_ids: dict[str, int]
) -> list[tuple[int, ArticleRow]]:
    """Validate an articles file against the known units and platforms; all or nothing."""
    errors: list[RowError] = []
    rows: list[tuple[int, ArticleRow]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for source in read_rows(
        name, content, ARTICLE_COLUMNS, optional=ARTICLE_OPTIONAL, aliases=ARTICLE_ALIASES
    ):
        try:
            row = ArticleRow.model_validate(source.cells)
        except ValidationError as exc:
            errors.append(RowError(source.line, first_error(exc)))
            continue
        if row.unit not in unit_ids:
            errors.append(RowError(source.line, f"未知单位“{row.unit}”"))
            continue
        platforms = [rules.platform_named(text) for text in row.published_in]
        unknown = [text for text, p in zip(row.published_in, platforms, strict=True) if p is None]
        if unknown:
            errors.append(
                RowError(
                    source.line,
                    f"未知刊发平台“{'、'.join(unknown)[:60]}”（可用：{rules.platform_choices()}）",
                )
            )
            continue
        codes = tuple(dict.fromkeys(p.code for p in platforms if p is not None))
        row = row.model_copy(update={"published_in": codes})
        if row.published_in and not row.forwarded:
            errors.append(RowError(source.line, "已填写刊发平台，区级采用应为“是”"))
            continue
        if row.published_on is not None and not row.published_in:
            errors.append(RowError(source.line, "已填写刊发日期，但没有刊发平台"))
            continue
        if row.published_on is not None and row.published_on < row.submitted_on:
            errors.append(RowError(source.line, "刊发日期早于报送日期"))
            continue
        key = (row.unit, row.submitted_on.year, title_key(row.title))
        if key in seen:
            errors.append(
                RowError(source.line, f"与第 {seen[key]} 行重复（同一单位同一年的同一标题）")
            )
            continue
        seen[key] = source.line
        rows.append((source.line, row))
    if errors:
        raise ImportRejected(name, errors)
    return rows


def import_articles(
    db: Database, name: str, content: bytes, rules: Rules, actor: str, override: bool = False
) -> ArticleImportResult:
    """Create articles and record their publications, all or nothing.

    Running the same file twice changes nothing: an article is known by its unit, year and
    title; a row can add publications or forward an article, never take them back. A row that
    would change a month whose bulletin is out is refused unless ``override``; with it, the
    change is kept for the next bulletin.
    """
    created = updated = unchanged = 0
    locked_rows: list[RowError] = []
    with repository(db) as repo:
        units = repo.units.by_names()
        rows = parse_articles(name, content, rules, {n: u.id for n, u in units.items()})
        keys = [(units[r.unit].id, r.submitted_on.year, title_key(r.title)) for _, r in rows]
        existing = repo.articles.by_keys(keys)
        published = repo.articles.platforms_of([a.id for a in existing.values()])
        for key, (line, row) in zip(keys, rows, strict=True):
            article = existing.get(key)
            changes = article is None or bool(
                set(row.published_in) - published[article.id]
                or (row.forwarded and article.status in {"submitted", "declined"})
            )
            locked = locking_bulletin(repo, row.submitted_on) if changes else None
            if locked is not None:
                if not override:
                    locked_rows.append(
                        RowError(
                            line,
                            f"{locked.year}年{locked.month}月的通报已发布，"
                            f"{row.submitted_on.year}年{row.submitted_on.month}月的数据已锁定"
                            f"（确需更正请加 override）",
                        )
                    )
                    continue
                repo.changes.add(
                    row.submitted_on.replace(day=1),
                    f"导入 {name} 第 {line} 行：{row.unit}《{row.title}》",
                    actor,
                )
            if article is None:
                article = Article(
                    unit_id=key[0],
                    title=row.title,
                    title_key=title_key(row.title),
                    year=key[1],
                    submitted_on=row.submitted_on,
                    status="forwarded" if row.forwarded else "submitted",
                )
                repo.add(article)
                have: set[str] = set()
                created += 1
            else:
                have = published[article.id]
                new_codes = set(row.published_in) - have
                forwards = row.forwarded and article.status in {"submitted", "declined"}
                if not new_codes and not forwards:
                    unchanged += 1
                    continue
                if forwards:
                    article.status = "forwarded"
                updated += 1
            for code in row.published_in:
                if code not in have:
                    article.publications.append(
                        Publication(platform=code, published_on=row.published_on, recorded_by=actor)
                    )
            apply_score(article, have | set(row.published_in), rules)
        if locked_rows:
            raise ImportRejected(name, locked_rows)
        result = ArticleImportResult(created, updated, unchanged)
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
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
            },
        )
    return result
