"""附件: what a liaison may attach to an article, a progress report or a campaign's answer."""

from __future__ import annotations

from pathlib import PurePath

from domain.errors import UserError

# Telegram lets a bot download files up to 20 MB.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ARTICLE_FILES = frozenset({".docx", ".doc", ".pdf", ".wps", ".jpg", ".jpeg", ".png"})
REPORT_FILES = ARTICLE_FILES | {".xlsx", ".xls", ".zip"}
ARTICLE_FILES_HINT = "请发送 .docx、.pdf 或图片。"


def check_attachment(
    name: str, size: int | None, allowed: frozenset[str] | None = None, hint: str = ""
) -> None:
    """Refuse (``UserError``) a file over the limit or, with ``allowed``, of another type."""
    if allowed is not None and PurePath(name).suffix.lower() not in allowed:
        raise UserError(f"不支持的文件类型“{name}”。{hint}")
    if (size or 0) > MAX_ATTACHMENT_BYTES:
        raise UserError(f"文件超过 {MAX_ATTACHMENT_BYTES // 2**20} MB，请压缩后重新发送。")
