"""报送任务: a quota per week or month, scored from submissions against an independent count."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from domain.articles import import_articles
from domain.bulletin import Bulletin, build_bulletin, scoring_rules_text
from domain.periods import Month, Period
from domain.quota import quota_progress
from domain.ranking import rank_units
from domain.rules import Rules, load_rules
from domain.units import import_units
from reports.ranking import ranking_records
from storage.db import Database

UNITS = "name,category\n甲局,区直部门\n乙局,区直部门\n丙街道,街道\n"
NAMES = ("甲局", "乙局", "丙街道")
WEEKLY = Path(__file__).parent.parent / "examples" / "rules" / "weekly-quota.toml"
JULY = Period(Month(2020, 7), Month(2020, 7))


def submit(db: Database, rules: Rules, days: dict[str, list[dt.date]]) -> None:
    """Each unit's articles on the given days (forwarded, unpublished: they score 0 here)."""
    import_units(db, "units.csv", UNITS.encode(), "test")
    rows = [
        f"{unit},{unit}第{n}篇,{day.isoformat()},no,\n"
        for unit, dates in days.items()
        for n, day in enumerate(dates)
    ]
    content = "unit,title,submitted_on,forwarded,published_in\n" + "".join(rows)
    import_articles(db, "articles.csv", content.encode(), rules, "test")


def random_days(seed: int, first: dt.date, last: dt.date) -> dict[str, list[dt.date]]:
    rng = random.Random(seed)
    span = (last - first).days + 1
    return {
        unit: sorted(
            first + dt.timedelta(days=rng.randrange(span)) for _ in range(rng.randint(0, 20))
        )
        for unit in NAMES
    }


def test_a_weekly_quota_counts_each_week_once_in_the_month_of_its_thursday(db: Database) -> None:
    scheme = load_rules(WEEKLY)
    days = random_days(11, dt.date(2020, 6, 20), dt.date(2020, 8, 10))
    submit(db, scheme, days)
    # Independently: the Mondays from late June to early August whose Thursday is in July.
    mondays = [dt.date(2020, 6, 22) + dt.timedelta(weeks=w) for w in range(8)]
    july_weeks = [m for m in mondays if (m + dt.timedelta(days=3)).month == 7]
    assert [m.day for m in july_weeks] == [29, 6, 13, 20, 27]  # 6-29 to 7-5 is July's
    expected = {}
    for unit, dates in days.items():
        total = Decimal(0)
        for monday in july_weeks:
            n = sum(1 for d in dates if monday <= d < monday + dt.timedelta(days=7))
            total += 1 + (n - 2) if n >= 2 else 0
        expected[unit] = total
    ranking = rank_units(db, scheme, JULY)
    assert {row.unit: row.quota for row in ranking.rows} == expected
    assert {row.unit: row.score for row in ranking.rows} == expected  # adoption scores 0 here
    assert {r["unit"]: r["quota"] for r in ranking_records(ranking, scheme)} == {
        unit: int(points) for unit, points in expected.items()
    }


def with_quota(rules: Rules, **quota: object) -> Rules:
    return Rules.model_validate({**rules.model_dump(), "quota": quota})


def test_a_monthly_quota_with_a_penalty_judges_each_month_on_its_own(
    db: Database, rules: Rules
) -> None:
    scheme = with_quota(rules, per="month", count=3, base_points=2, extra_points=0.5, missed=1.5)
    submit(
        db,
        scheme,
        {
            "甲局": [dt.date(2020, 6, d) for d in (28, 29, 30)],
            "乙局": [dt.date(2020, 7, d) for d in (1, 2, 3, 4, 31)],
            "丙街道": [dt.date(2020, 6, 30)],
        },
    )
    both = Period(Month(2020, 6), Month(2020, 7))
    quota = {row.unit: row.quota for row in rank_units(db, scheme, both).rows}
    # 甲局: June met (2), July missed (−1.5); 乙局: June missed, July met with two more;
    # 丙街道: both missed.
    assert quota == {
        "甲局": Decimal("0.5"),
        "乙局": Decimal("-1.5") + 2 + Decimal("0.5") * 2,
        "丙街道": Decimal(-3),
    }
    annex = scoring_rules_text(scheme)
    assert "每月报送3篇以上为完成任务，计基础分2分，每超报1篇加0.5分，未完成的每次扣1.5分" in annex


def test_a_period_still_running_is_not_held_against_a_unit(db: Database, rules: Rules) -> None:
    scheme = with_quota(rules, per="week", count=2, base_points=1, missed=3)
    wednesday = dt.date(2020, 7, 8)
    submit(db, scheme, {"甲局": [dt.date(2020, 7, 6)]})
    week = Period(Month(2020, 7), Month(2020, 7))
    running = {r.unit: r.quota for r in rank_units(db, scheme, week, as_of=wednesday).rows}
    ended = {r.unit: r.quota for r in rank_units(db, scheme, week, as_of=dt.date(2020, 8, 3)).rows}
    # The week of 7-6 runs to 7-12: by Wednesday nobody has missed it; the weeks before it had
    # their Thursday in July (7-2) and ended, so they count (nobody submitted then).
    assert running == {"甲局": Decimal(-3), "乙局": Decimal(-3), "丙街道": Decimal(-3)}
    assert ended == {"甲局": Decimal(-15), "乙局": Decimal(-15), "丙街道": Decimal(-15)}
    assert quota_progress(db, scheme.quota, 1, wednesday) == (  # type: ignore[arg-type]
        "本周已报送 1 篇，还差 1 篇（每周 2 篇）。"
    )


def test_a_bulletin_judges_the_months_last_week_only_once_it_has_ended(
    db: Database, rules: Rules
) -> None:
    scheme = with_quota(rules, per="week", count=1, base_points=1, missed=2)
    submit(db, scheme, {"甲局": [dt.date(2020, 12, d) for d in (1, 8, 15, 22)]})
    # 31 December 2020 is a Thursday: the week of 28 December, December's, ends on 3 January.
    early = build_bulletin(db, scheme, Month(2020, 12), dt.date(2021, 1, 3))
    later = build_bulletin(db, scheme, Month(2020, 12), dt.date(2021, 1, 5))

    def quota(bulletin: Bulletin) -> Decimal:
        return next(r.quota for r in bulletin.ranking.rows if r.unit == "甲局")

    # The year to December: 53 weeks have their Thursday in 2020; the unit met four (+1 each)
    # and missed the rest (−2 each), the last of them only once it has ended.
    assert (quota(early), quota(later)) == (4 - 48 * 2, 4 - 49 * 2)
