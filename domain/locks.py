"""Month lock: once a month's bulletin is out, its data changes only by an admin's override."""

from __future__ import annotations

import datetime as dt

from domain.errors import UserError
from domain.periods import Month
from storage.repos import Repo

OVERRIDE_WORDS = {"override", "更正"}


def locking_bulletin(repo: Repo, day: dt.date) -> Month | None:
    """The latest issued bulletin whose figures include ``day`` (1—N月 of the same year)."""
    latest = repo.bulletins.latest_issued(day.year)
    if latest is None or latest < day.replace(day=1):
        return None
    return Month.of(latest)


def guard(repo: Repo, day: dt.date, override: bool, example: str) -> Month | None:
    """Refuse a change to a reported month unless overridden; return the locking month."""
    month = locking_bulletin(repo, day)
    if month is not None and not override:
        raise UserError(
            f"{month.year}年{month.month}月的通报已发布，{day.year}年{day.month}月的数据已锁定。"
            f"如确需更正，请在命令末尾加 override，例如：{example} override。"
            f"更正将记入审计日志，并在下期通报中说明。"
        )
    return month


def split_override(args: list[str]) -> tuple[list[str], bool]:
    """Command arguments without a trailing ``override`` / ``更正``, and whether it was there."""
    if args and args[-1].lower() in OVERRIDE_WORDS:
        return args[:-1], True
    return args, False
