"""Working days across the Spring Festival, its make-up days, and years the calendar lacks."""

from __future__ import annotations

import datetime as dt

from domain.periods import Month
from domain.workdays import covered, is_working_day, nth_working_day, nth_working_day_before_end


def test_spring_festival_2021_and_its_make_up_sundays() -> None:
    # 2021: 春节 11–17 February off; Sunday 7 and Saturday 20 February are working days.
    assert not is_working_day(dt.date(2021, 2, 12))
    assert is_working_day(dt.date(2021, 2, 7))
    assert is_working_day(dt.date(2021, 2, 20))
    assert nth_working_day(Month(2021, 2), 3) == dt.date(2021, 2, 3)
    # The 5th working day before the end of February 2021 counts Saturday the 20th.
    assert nth_working_day_before_end(Month(2021, 2), 5) == dt.date(2021, 2, 22)


def test_national_day_week_moves_the_third_working_day_of_october() -> None:
    # 2020: 1–8 October off (国庆 and 中秋); Saturday 10 October is a make-up working day.
    assert nth_working_day(Month(2020, 10), 1) == dt.date(2020, 10, 9)
    assert nth_working_day(Month(2020, 10), 3) == dt.date(2020, 10, 12)


def test_the_third_working_day_of_august_2020() -> None:
    assert nth_working_day(Month(2020, 8), 3) == dt.date(2020, 8, 5)


def test_a_year_the_calendar_lacks_falls_back_to_monday_to_friday() -> None:
    assert covered(2020)
    assert not covered(2035)
    assert is_working_day(dt.date(2035, 1, 1))  # a Monday, though surely a holiday
    assert not is_working_day(dt.date(2035, 1, 6))
    assert nth_working_day(Month(2035, 1), 3) == dt.date(2035, 1, 3)
