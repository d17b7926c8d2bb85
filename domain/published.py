"""Publications recorded from an upstream column's contents, not typed one by one.

The clerk gives the list of titles a column published (a text, or a .txt/.csv/.docx/.xlsx
file); each line is matched to this year's articles (``domain.matching``); the confident
matches are recorded together, each as ``/publish`` records it (score, audit, the unit told,
the month lock), in one transaction. A line whose article already has that column is said so,
never recorded twice; doubtful and unmatched lines are listed for the clerk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

from domain.errors import UserError
from domain.hierarchy import Hierarchy
from domain.matching import Candidate, LineMatch, match_lines, published_lines
from domain.notice_wording import NoticeWording
from domain.review import publish_article
from domain.rules import Platform, Rules
from domain.tabular import WORD, check_archive, open_workbook
from storage.db import Database
from storage.repos import repository

# Past this many lines a list is not one column's contents.
MAX_LINES = 2000


def column_text(name: str, content: bytes) -> str:
    """The text of a column's contents file: .txt or .csv (UTF-8), .docx, .xlsx."""
    suffix = Path(name).suffix.lower()
    if suffix in {".txt", ".csv"}:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(f"{name}：不是 UTF-8 编码的文本文件") from None
        if suffix == ".csv":
            rows = csv.reader(io.StringIO(text, newline=""))
            text = "\n".join(" ".join(cell for cell in row if cell.strip()) for row in rows)
        return text
    if suffix == ".docx":
        check_archive(name, content, WORD)
        try:
            document = Document(io.BytesIO(content))
        except Exception:  # python-docx raises many kinds for a damaged file
            raise UserError(f"{name}：{WORD}") from None
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            lines += [" ".join(c.text for c in row.cells) for row in table.rows]
        return "\n".join(lines)
    if suffix in {".xlsx", ".xlsm"}:
        book = open_workbook(name, content)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True, max_col=20)
            return "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
        finally:
            book.close()
    raise UserError(f"{name}：不支持的文件类型，请使用 .txt、.docx、.xlsx 或 .csv")


@dataclass(frozen=True)
class ColumnMatch:
    """A column's lines matched to this year's articles, and which already have the column."""

    platform: Platform
    matches: list[LineMatch]
    recorded_before: set[int] = field(default_factory=set)

    def tier(self, tier: str) -> list[LineMatch]:
        """The lines of one tier (``confident``, ``doubtful``, ``unmatched``)."""
        return [m for m in self.matches if m.tier == tier]

    def to_record(self) -> list[LineMatch]:
        """Confident lines whose article does not have the column yet, each article once."""
        seen = set(self.recorded_before)
        wanted = []
        for match in self.tier("confident"):
            assert match.best is not None
            if match.best.article_id not in seen:
                seen.add(match.best.article_id)
                wanted.append(match)
        return wanted


def match_column(
    db: Database, rules: Rules, platform_name: str, text: str, year: int
) -> ColumnMatch:
    """Match a column's contents (the text) to the articles submitted in ``year``."""
    platform = rules.platform_named(platform_name)
    if platform is None:
        raise UserError(f"未知平台“{platform_name[:40]}”。可用平台：{rules.platform_choices()}")
    lines = published_lines(text)
    if not lines:
        raise UserError("没有可匹配的标题：请每行一个标题。")
    if len(lines) > MAX_LINES:
        raise UserError(f"标题过多（{len(lines)} 行，最多 {MAX_LINES} 行），请分批发送。")
    with repository(db) as repo:
        articles = repo.articles.titles_of_year(year)
        candidates = [Candidate(n, unit, title) for n, unit, title in articles]
        matches = match_lines(lines, candidates, rules.bulletin.area_names)
        best = [m.choices[0][0].article_id for m in matches if m.choices]
        published = repo.articles.platforms_of(best)
    before = {n for n, codes in published.items() if platform.code in codes}
    return ColumnMatch(platform, matches, before)


@dataclass(frozen=True)
class ColumnRecorded:
    """What recording publications did: the articles recorded, and those refused with why."""

    recorded: list[int]
    refused: list[tuple[int, str]]


def record_publications(
    db: Database,
    rules: Rules,
    platform_code: str,
    article_ids: list[int],
    actor: str,
    today: dt.date,
    wording: NoticeWording,
    override: bool = False,
    hierarchy: Hierarchy | None = None,
) -> ColumnRecorded:
    """Record that the platform published each article, in one transaction, each as
    ``/publish`` records it; an article refused as ``/publish`` would refuse it (recorded
    before, a month already reported) is listed with the reason and the rest kept."""
    recorded: list[int] = []
    refused: list[tuple[int, str]] = []
    with db.transaction():
        for article_id in dict.fromkeys(article_ids):
            try:
                publish_article(
                    db,
                    rules,
                    article_id,
                    platform_code,
                    actor,
                    today,
                    wording,
                    override,
                    hierarchy,
                )
            except UserError as exc:
                refused.append((article_id, str(exc)))
            else:
                recorded.append(article_id)
    return ColumnRecorded(recorded, refused)


def record_column(
    db: Database,
    rules: Rules,
    matched: ColumnMatch,
    actor: str,
    today: dt.date,
    wording: NoticeWording,
    override: bool = False,
    hierarchy: Hierarchy | None = None,
) -> ColumnRecorded:
    """Record every confident match not recorded before (``record_publications``)."""
    wanted = [m.best.article_id for m in matched.to_record() if m.best is not None]
    code = matched.platform.code
    return record_publications(db, rules, code, wanted, actor, today, wording, override, hierarchy)
