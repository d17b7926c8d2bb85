"""How messages name things: numbers with their letter (T12 a task, C3 a campaign), and long
lists of units cut short."""

from __future__ import annotations

from collections.abc import Sequence

from domain.arguments import parse_id


def parse_ref(text: str, letter: str, noun: str) -> int:
    """``12``, ``T12``, ``t12`` or ``#12`` (for ``letter`` T) → 12; else a ``UserError``."""
    return parse_id(text, noun, f"{letter}12", letter)


def some_units(names: Sequence[str], shown: int) -> str:
    """``甲、乙、丙等12个单位``: the first ``shown`` names, and how many in all when there are
    more."""
    text = "、".join(names[:shown])
    return text + (f"等{len(names)}个单位" if len(names) > shown else "")
