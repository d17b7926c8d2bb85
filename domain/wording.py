"""How messages name things: numbers with their letter (T12 a task, C3 a campaign), and long
lists of units cut short."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import UserError


def parse_ref(text: str, letter: str, noun: str) -> int:
    """``12``, ``T12``, ``t12`` or ``#12`` (for ``letter`` T) → 12; else a ``UserError``."""
    value = text.strip().lstrip("#")
    if value[:1].upper() == letter:
        value = value[1:]
    if not value.isdigit() or len(value) > 9:
        raise UserError(f"{noun}编号“{text.strip()}”无效，应为 {letter} 加数字，例如 {letter}12。")
    return int(value)


def some_units(names: Sequence[str], shown: int) -> str:
    """``甲、乙、丙等12个单位``: the first ``shown`` names, and how many in all when there are
    more."""
    text = "、".join(names[:shown])
    return text + (f"等{len(names)}个单位" if len(names) > shown else "")
