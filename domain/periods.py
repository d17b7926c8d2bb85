"""Periods: calendar months and ranges of months, as users type them (``YYYY-MM``)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.errors import UserError

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$", re.ASCII)
# Months anyone may ask about: wide enough for any office's history and plans, narrow enough
# that the month before and after always exist.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII)


@functools.lru_cache(maxsize=4096)  # an import of a year's articles parses ~365 distinct days
@functools.lru_cache(maxsize=4096)  # a file of 100,000 rows names a few hundred days
def parse_day(text: str) -> dt.date:
    """A day as clerks write it: ``2020-08-03``, ``2020/8/3``, ``2020.8.3``, ``2020年8月3日``
    (full-width digits too); anything else is a ``ValueError`` with a Chinese message."""
    shown = text.strip()[:20]
    value = text.strip().translate(_FULL_WIDTH).replace("／", "/").replace("．", ".")
    found = _DAY.fullmatch(value)
    if not found:
        raise ValueError(f"日期格式错误：“{shown}”，应为 年-月-日，如 2020-07-30 或 2020年7月30日")
    year, month, day = (int(part) for part in found.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"日期超出范围：“{shown}”，年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：“{shown}”") from None


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2020-07`` → Month(2020, 7); anything else is a ``UserError``."""
        found = _MONTH.match(text.translate(_FULL_WIDTH))
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise UserError(f"月份格式错误：“{text.strip()[:20]}”，应为 年-月，如 2020-07")
        year = int(found.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise UserError(
                f"月份超出范围：“{text.strip()[:20]}”，应在 {FIRST_YEAR}-01 至 {LAST_YEAR}-12 之间"
            )
        return cls(year, int(found.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month containing ``day``."""
        return cls(day.year, day.month)

    @classmethod
    def current(cls, tz: ZoneInfo, now: dt.datetime | None = None) -> Month:
        """The month it is now in ``tz``."""
        return cls.of((now or dt.datetime.now(tz)).astimezone(tz).date())

    @property
    def first_day(self) -> dt.date:
        """The 1st of the month."""
        return dt.date(self.year, self.month, 1)

    def shifted(self, months: int) -> Month:
        """The month ``months`` later (earlier if negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def months_since(self, other: Month) -> int:
        """How many months ``other`` lies before this one (negative if after)."""
        return (self.year - other.year) * 12 + self.month - other.month

    def next(self) -> Month:
        """The following month."""
        return self.shifted(1)

    def previous(self) -> Month:
        """The preceding month."""
        return self.shifted(-1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """An inclusive range of months, ``first`` to ``last``."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise UserError(f"起始月份 {self.first} 晚于结束月份 {self.last}")

    @classmethod
    def year_to_date(cls, last: Month) -> Period:
        """January to ``last`` of the same year (a bulletin's 1—N月)."""
        return cls(Month(last.year, 1), last)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2020-07`` (one month) or ``2020-01..2020-07``."""
        if ".." in text:
            first, _, last = text.partition("..")
            return cls(Month.parse(first), Month.parse(last))
        month = Month.parse(text)
        return cls(month, month)

    @property
    def start(self) -> dt.date:
        """First day inside the period."""
        return self.first.first_day

    @property
    def end(self) -> dt.date:
        """First day after the period."""
        return self.last.next().first_day

    @property
    def label(self) -> str:
        """How the seeds name a period: ``1—7月``, ``7月``, ``2019年12月—2020年2月``."""
        if self.first.year != self.last.year:
            return f"{self.first.year}年{self.first.month}月—{self.last.year}年{self.last.month}月"
        if self.first == self.last:
            return f"{self.last.month}月"
        return f"{self.first.month}—{self.last.month}月"

    @property
    def dated_label(self) -> str:
        """The label with its year in front, once: ``2020年1—7月``, ``2020年7月—2021年2月``."""
        if self.first.year != self.last.year:
            return self.label
        return f"{self.first.year}年{self.label}"

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"


def chinese_date(day: dt.date) -> str:
    """A date as official documents write it: ``2020年8月5日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A moment read from the database, timezone-aware.

    SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    """
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
