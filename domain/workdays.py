"""Working days by the official Chinese calendar (holidays and make-up working days).

``chinese-calendar`` covers the years the State Council has published; for a year it does not
cover yet, Monday to Friday stand in and ``covered`` says so (the jobs warn the admins once).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from domain.periods import Month


def covered(year: int) -> bool:
    """Whether the official calendar for ``year`` is known."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    """A working day: the official calendar, or Monday–Friday for a year it does not cover."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def working_days(month: Month) -> list[dt.date]:
    """The month's working days in order."""
    day, end = month.first_day, month.next().first_day
    days = []
    while day < end:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def nth_working_day(month: Month, n: int) -> dt.date:
    """The n-th working day of the month (1 = the first); the last if there are fewer."""
    days = working_days(month)
    return days[min(n, len(days)) - 1]


def nth_working_day_before_end(month: Month, n: int) -> dt.date:
    """The n-th working day counted back from the month's end (1 = the last working day)."""
    days = working_days(month)
    return days[-min(n, len(days))]


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The n-th working day before ``day`` (1 = the last working day before it)."""
    found = 0
    while True:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            found += 1
            if found == n:
                return day
