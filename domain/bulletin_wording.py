"""The office's own words in a bulletin: an admin replaces the 导语 or the points of
二、存在问题 for one month before it is published, or sends the whole .docx back edited, to be
published as is; what the system wrote is the default.

Rewritten parts are kept in the settings table under ``bulletin-wording:<month>:<part>`` as
JSON, an edited .docx in ``bulletin_documents``; both audited; a published bulletin is final.
"""

from __future__ import annotations

import json

from domain.errors import UserError
from domain.periods import Month
from domain.tabular import WORD, check_archive
from domain.text import clean_text
from storage.db import Database
from storage.models import BulletinDocument
from storage.repos import Repo, repository

PARTS = {"导语": "preamble", "存在问题": "problems", "问题": "problems"}
PART_NAMES = {"preamble": "导语", "problems": "二、存在问题"}
# The whole .docx, sent back edited: /wording 年-月 文件 默认 withdraws it.
DOCUMENT_PART = "文件"
RESTORE = {"默认", "恢复默认"}
MAX_PARAGRAPHS, MAX_CHARACTERS = 10, 2000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _key(month: Month, part: str) -> str:
    return f"bulletin-wording:{month}:{part}"


def _editable(repo: Repo, month: Month) -> None:
    issue = repo.bulletins.get(month.first_day, lock=True)
    if issue is not None and issue.published_at is not None:
        raise UserError(f"{month.year}年{month.month}月的通报已发布，不能再修改。")


def bulletin_wording(db: Database, month: Month) -> dict[str, list[str]]:
    """The parts an admin has rewritten for ``month``: part → paragraphs."""
    found = {}
    with repository(db) as repo:
        settings = repo.settings
        for part in PART_NAMES:
            stored = json.loads(settings.get(_key(month, part)) or "[]")
            if stored:  # an empty list: restored to the default
                found[part] = list(stored)
    return found


def set_bulletin_wording(db: Database, month: Month, part_name: str, text: str, actor: str) -> str:
    """Replace one part of ``month``'s bulletin with ``text`` (a paragraph a line), or restore
    the default with ``默认`` (for ``文件``: withdraw the edited .docx); returns what was done,
    in Chinese."""
    restore = text.strip() in RESTORE
    if part_name.strip() == DOCUMENT_PART:
        if not restore:
            raise UserError("整份修改稿请发送 .docx 文件，并在说明中写 /wording 年-月。")
        return drop_office_document(db, month, actor)
    part = PARTS.get(part_name.strip())
    if part is None:
        raise UserError(f"可修改的部分：导语、存在问题，而不是“{part_name.strip()[:10]}”")
    paragraphs = [] if restore else [clean_text(line) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if not restore and not paragraphs:
        raise UserError(
            f"请在{PART_NAMES[part]}后写上新的文字，一段一行；写“默认”恢复系统生成的文字。"
        )
    if len(paragraphs) > MAX_PARAGRAPHS or sum(len(p) for p in paragraphs) > MAX_CHARACTERS:
        raise UserError(f"文字过长：最多 {MAX_PARAGRAPHS} 段、{MAX_CHARACTERS} 字。")
    with repository(db) as repo:
        _editable(repo, month)
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


def use_office_document(db: Database, month: Month, name: str, content: bytes, actor: str) -> str:
    """Publish ``content`` (a .docx the office edited) as ``month``'s bulletin instead of the
    one the system writes; returns what was done, in Chinese."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise UserError(f"{name}：文件过大，最大 {MAX_DOCUMENT_BYTES // 2**20} MB。")
    if "word/document.xml" not in check_archive(name, content, WORD):
        raise UserError(f"{name}：不是可用的 Word（.docx）文件。")
    with repository(db) as repo:
        _editable(repo, month)
        repo.merge(
            BulletinDocument(
                office_id=repo.offices.current_id(),
                month=month.first_day,
                file_name=name[:255],
                content=content,
                uploaded_by=actor,
            )
        )
        repo.audit.record(
            actor, "bulletin.document", "bulletin", str(month), None, {"file": name[:255]}
        )
    return f"已收到{month.year}年{month.month}月通报的修改稿，发布时将原样发出。"


def drop_office_document(db: Database, month: Month, actor: str) -> str:
    """Go back to the .docx the system writes for ``month``."""
    with repository(db) as repo:
        _editable(repo, month)
        document = repo.bulletins.document(month.first_day)
        if document is None:
            return f"{month.year}年{month.month}月通报没有修改稿，将发出系统生成的文件。"
        repo.delete(document)
        repo.audit.record(
            actor, "bulletin.document", "bulletin", str(month), {"file": document.file_name}, None
        )
    return f"已撤回{month.year}年{month.month}月通报的修改稿，将发出系统生成的文件。"


def office_document(db: Database, month: Month) -> bytes | None:
    """The .docx the office sent for ``month``, if any."""
    with repository(db) as repo:
        document = repo.bulletins.document(month.first_day)
        return document.content if document else None
