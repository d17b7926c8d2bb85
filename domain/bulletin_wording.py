"""The office's own words in a bulletin: an admin replaces the 导语 or the points of
二、存在问题 for one month before it is published; what the system wrote is the default.

Kept in the settings table under ``bulletin-wording:<month>:<part>`` as JSON, audited; a
published bulletin's wording is final.
"""

from __future__ import annotations

import json

from domain.errors import UserError
from domain.periods import Month
from domain.text import clean_text
from storage.db import Database
from storage.repos import Repo

PARTS = {"导语": "preamble", "存在问题": "problems", "问题": "problems"}
PART_NAMES = {"preamble": "导语", "problems": "二、存在问题"}
RESTORE = {"默认", "恢复默认"}
MAX_PARAGRAPHS, MAX_CHARACTERS = 10, 2000


def _key(month: Month, part: str) -> str:
    return f"bulletin-wording:{month}:{part}"


def bulletin_wording(db: Database, month: Month) -> dict[str, list[str]]:
    """The parts an admin has rewritten for ``month``: part → paragraphs."""
    found = {}
    with db.session() as session:
        settings = Repo(session).settings
        for part in PART_NAMES:
            stored = json.loads(settings.get(_key(month, part)) or "[]")
            if stored:  # an empty list: restored to the default
                found[part] = list(stored)
    return found


def set_bulletin_wording(db: Database, month: Month, part_name: str, text: str, actor: str) -> str:
    """Replace one part of ``month``'s bulletin with ``text`` (a paragraph a line), or restore
    the default with ``默认``; returns what was done, in Chinese."""
    part = PARTS.get(part_name.strip())
    if part is None:
        raise UserError(f"可修改的部分：导语、存在问题，而不是“{part_name.strip()[:10]}”")
    restore = text.strip() in RESTORE
    paragraphs = [] if restore else [clean_text(line) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if not restore and not paragraphs:
        raise UserError(
            f"请在{PART_NAMES[part]}后写上新的文字，一段一行；写“默认”恢复系统生成的文字。"
        )
    if len(paragraphs) > MAX_PARAGRAPHS or sum(len(p) for p in paragraphs) > MAX_CHARACTERS:
        raise UserError(f"文字过长：最多 {MAX_PARAGRAPHS} 段、{MAX_CHARACTERS} 字。")
    with db.session() as session:
        repo = Repo(session)
        issue = repo.bulletins.get(month.first_day, lock=True)
        if issue is not None and issue.published_at is not None:
            raise UserError(f"{month.year}年{month.month}月的通报已发布，不能再修改。")
        before = repo.settings.get(_key(month, part))
        repo.settings.put(_key(month, part), json.dumps(paragraphs, ensure_ascii=False))
        repo.audit.record(
            actor,
            "bulletin.wording",
            "bulletin",
            str(month),
            {part: json.loads(before) if before else None},
            {part: paragraphs or None},
        )
    label = f"{month.year}年{month.month}月通报的{PART_NAMES[part]}"
    return (
        f"已恢复{label}为系统生成的文字。"
        if restore
        else f"已修改{label}（{len(paragraphs)} 段）。"
    )
