"""Scores and ranks: once per article at its highest level, ties shared, adjustments added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.articles import import_articles
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.rules import Rules
from domain.scoring import rescore_if_rules_changed
from domain.units import import_units
from storage.db import Database
from storage.models import Adjustment, Article
from storage.repos import Repo

UNITS = "name,category\n甲局,区直部门\n乙局,区直部门\n丙街道,街道\n丁街道,街道\n"
HEADER = "unit,title,submitted_on,forwarded,published_in\n"
SPRING = Period(Month(2020, 1), Month(2020, 6))


def load(db: Database, rules: Rules, articles: str) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    import_articles(db, "articles.csv", (HEADER + articles).encode(), rules, "test")


def scores(db: Database, rules: Rules, period: Period = SPRING) -> list[tuple[int, str, object]]:
    return [(r.rank, r.unit, r.score) for r in rank_units(db, rules, period).rows]


def test_article_published_twice_scores_once_at_its_highest_level(
    db: Database, rules: Rules
) -> None:
    load(db, rules, "甲局,稿,2020-03-01,yes,city;province;national\n")
    ranking = rank_units(db, rules, SPRING)
    first = ranking.rows[0]
    assert (first.unit, first.score, first.published, first.submitted) == ("甲局", 40, 1, 1)
    assert first.by_platform == {"city": 0, "province": 0, "national": 1, "national_press": 0}


def test_equal_scores_share_a_rank_and_keep_the_units_order(db: Database, rules: Rules) -> None:
    load(
        db,
        rules,
        "丁街道,一,2020-03-01,yes,city\n乙局,二,2020-03-01,yes,city\n丙街道,三,2020-03-01,yes,\n",
    )
    assert scores(db, rules) == [
        (1, "乙局", 10),
        (1, "丁街道", 10),
        (3, "丙街道", 2),
        (4, "甲局", 0),
    ]


def test_articles_outside_the_period_do_not_count(db: Database, rules: Rules) -> None:
    load(db, rules, "甲局,去年,2019-12-31,yes,city\n甲局,七月,2020-07-01,yes,city\n")
    assert all(score == 0 for _, _, score in scores(db, rules))


def test_pending_and_declined_articles_count_as_submitted_but_score_nothing(
    db: Database, rules: Rules
) -> None:
    load(db, rules, "甲局,待审,2020-03-01,no,\n")
    row = rank_units(db, rules, SPRING).rows[0]
    assert (row.unit, row.submitted, row.published, row.unpublished, row.score) == (
        "甲局",
        1,
        0,
        0,
        0,
    )


def test_adjustments_in_the_period_are_added_and_vetoes_are_not_points(
    db: Database, rules: Rules
) -> None:
    load(db, rules, "甲局,稿,2020-03-01,yes,city\n")
    with db.session() as session:
        unit_id = Repo(session).units.by_name("丙街道").id  # type: ignore[union-attr]
        session.add_all(
            [
                Adjustment(
                    unit_id=unit_id,
                    month=dt.date(2020, 4, 1),
                    kind="bonus",
                    points=Decimal("12.5"),
                    reason="材料报送及时",
                    created_by="test",
                ),
                Adjustment(
                    unit_id=unit_id,
                    month=dt.date(2020, 8, 1),
                    kind="penalty",
                    points=Decimal(-5),
                    reason="八月的事",
                    created_by="test",
                ),
            ]
        )
    assert scores(db, rules)[:2] == [(1, "丙街道", Decimal("12.5")), (2, "甲局", 10)]


def test_rescoring_after_a_rules_change_picks_the_new_highest_platform(
    db: Database, rules: Rules
) -> None:
    load(db, rules, "甲局,稿,2020-03-01,yes,city;province\n乙局,未刊,2020-03-01,yes,\n")
    assert rescore_if_rules_changed(db, rules, "test") == 2  # first run records the rules
    assert rescore_if_rules_changed(db, rules, "test") is None
    cheaper = Rules.model_validate(
        {
            **rules.model_dump(),
            "platforms": [
                {**p.model_dump(), "points": 5} if p.code == "province" else p.model_dump()
                for p in rules.platforms
            ],
        }
    )
    assert rescore_if_rules_changed(db, cheaper, "test") == 2
    with db.session() as session:
        rows = {a.title: (a.points, a.best_platform) for a in session.query(Article)}
    assert rows == {"稿": (10, "city"), "未刊": (2, None)}
