"""How messages name things: numbers with their letter (T12 a task, C3 a campaign), and long
lists of units cut short."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.arguments import parse_id


def parse_ref(text: str, letter: str, noun: str) -> int:
    """``12``, ``T12``, ``t12`` or ``#12`` (for ``letter`` T) → 12; else a ``UserError``."""
    return parse_id(text, noun, f"{letter}12", letter)


def figure(value: Decimal | int) -> str:
    """A number as the office writes it: ``30``, ``12.5``, ``0.5`` (no trailing zeros, no
    exponent)."""
    number = Decimal(value)
    whole = number.to_integral_value()
    return str(int(whole)) if number == whole else f"{number.normalize():f}"


def points_text(points: Decimal) -> str:
    """``加2分`` / ``扣1.5分``."""
    amount = figure(abs(points))
    return f"加{amount}分" if points > 0 else f"扣{amount}分"


def some_units(names: Sequence[str], shown: int) -> str:
    """``甲、乙、丙等12个单位``: the first ``shown`` names, and how many in all when there are
    more."""
    text = "、".join(names[:shown])
    return text + (f"等{len(names)}个单位" if len(names) > shown else "")
