"""Errors whose message is meant for the user, in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class UserError(Exception):
    """Bad input or a refused action; ``str(error)`` is the Chinese message to show."""


@dataclass(frozen=True)
class RowError:
    """One bad line of an imported file."""

    line: int
    reason: str


class ImportRejected(UserError):
    """A file had bad rows; nothing was imported."""

    def __init__(self, source: str, errors: Sequence[RowError]) -> None:
        self.source = source
        self.errors = list(errors)
        lines = [f"{source} 有 {len(self.errors)} 处错误，未导入任何数据："]
        lines += [f"  第 {e.line} 行：{e.reason}" for e in self.errors]
        super().__init__("\n".join(lines))
