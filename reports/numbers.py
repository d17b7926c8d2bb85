"""Numbers as the office writes them."""

from __future__ import annotations

from decimal import Decimal

from domain.wording import figure


def plain(value: Decimal | int) -> int | float:
    """A score as a JSON number: an integer when it is whole (30, not 30.00)."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number.normalize())


def score_text(value: Decimal | int) -> str:
    """A score as text: ``30``, ``12.5``."""
    return figure(value)


def change_mark(change: int | None) -> str:
    """较上月 as a mark: ↑2 (up two places), ↓1, — (unchanged), 新 (not ranked last month)."""
    if change is None:
        return "新"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"
