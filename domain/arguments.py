"""Reading what users type as numbers: one way for every command, button and the CLI.

Only ASCII digits count (full-width ０-９, as Chinese input methods type them, are read as
ASCII; superscripts and other scripts' digits are refused), and a number must fit the
database's integer columns, so no argument can end in an overflow.
"""

from __future__ import annotations

from domain.errors import UserError

# PostgreSQL's INTEGER, which every id column is.
MAX_ID = 2**31 - 1
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＃", "0123456789#")


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits made ASCII, trimmed."""
    return text.translate(_FULL_WIDTH).strip()


def is_number(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (after full-width digits are made ASCII)."""
    value = ascii_digits(text)
    return bool(value) and value.isascii() and value.isdigit()


def parse_id(text: str, noun: str, example: str, letter: str = "") -> int:
    """``12``, ``#12`` or (with ``letter`` T) ``T12``/``t12`` → 12, between 1 and ``MAX_ID``;
    anything else is a ``UserError`` saying what is accepted."""
    value = ascii_digits(text).lstrip("#")
    if letter and value[:1].upper() == letter:
        value = value[1:]
    if not is_number(value) or not 1 <= int(value) <= MAX_ID:
        shown = text.strip()[:20]
        raise UserError(f"{noun}编号“{shown}”无效，应为正整数，例如 {example}。")
    return int(value)


def parse_year(text: str, first: int, last: int) -> int:
    """A four-digit year between ``first`` and ``last``."""
    value = ascii_digits(text)
    if not is_number(value) or len(value) != 4 or not first <= int(value) <= last:
        raise UserError(
            f"年份“{text.strip()[:20]}”无效，应为 {first}—{last} 之间的四位数字，例如 2020。"
        )
    return int(value)
