"""Scores and ranks: once per article at its highest level, ties shared, adjustments added."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from domain.articles import import_articles
from domain.bulletin import scoring_rules_text
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.rules import Rules
from domain.scoring import rescore_if_rules_changed
from domain.units import import_units
from storage.db import Database
from storage.models import Adjustment, Article, AuditEntry
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


def with_policy(rules: Rules, policy: str) -> Rules:
    """The same rules scored by ``policy``."""
    dumped = rules.model_dump()
    return Rules.model_validate({**dumped, "scoring": {**dumped["scoring"], "policy": policy}})


# What each column pays, written out here rather than read from the rules: the check below is
# independent of the code it checks.
PAID = {"city": 10, "province": 20, "national": 40, "national_press": 40}


def generated_articles(count: int, seed: int) -> tuple[str, dict[str, tuple[str, ...]]]:
    """``count`` articles of 甲局 and 乙局, each forwarded or not and published by a random set
    of columns; the file's rows and each title's columns."""
    rng = random.Random(seed)
    rows, columns = [], {}
    for n in range(count):
        published = tuple(code for code in PAID if rng.random() < 0.3)
        forwarded = bool(published) or rng.random() < 0.5
        title = f"稿{n}"
        columns[title] = published if forwarded else ()
        unit = "甲局" if n % 2 else "乙局"
        day = f"2020-0{1 + n % 6}-1{n % 9}"
        rows.append(f"{unit},{title},{day},{'yes' if forwarded else 'no'},{';'.join(published)}\n")
    return "".join(rows), columns


def expected_points(columns: tuple[str, ...], forwarded: bool, policy: str) -> int:
    if not columns:
        return 2 if forwarded else 0
    paid = [PAID[code] for code in columns]
    return sum(paid) if policy == "sum" else max(paid)


@pytest.mark.parametrize("policy", ["highest", "sum"])
def test_every_publication_counts_under_sum_and_only_the_highest_under_highest(
    db: Database, rules: Rules, policy: str
) -> None:
    scheme = with_policy(rules, policy)
    rows, columns = generated_articles(120, seed=len(policy))
    load(db, scheme, rows)
    forwarded = {line.split(",")[1]: line.split(",")[3] == "yes" for line in rows.splitlines()}
    with db.session() as session:
        points = {a.title: a.points for a in session.query(Article)}
    assert points == {
        title: expected_points(codes, forwarded[title], policy) for title, codes in columns.items()
    }
    units = {r.unit: r.score for r in rank_units(db, scheme, SPRING).rows}
    assert units["甲局"] == sum(
        expected_points(columns[f"稿{n}"], forwarded[f"稿{n}"], policy) for n in range(1, 120, 2)
    )


def test_changing_the_policy_rescores_every_article_once(db: Database, rules: Rules) -> None:
    load(db, rules, "甲局,稿,2020-03-01,yes,city;province\n乙局,未刊,2020-03-01,yes,\n")
    assert rescore_if_rules_changed(db, rules, "test") == 2
    summed = with_policy(rules, "sum")
    assert rescore_if_rules_changed(db, summed, "test") == 2
    assert rescore_if_rules_changed(db, summed, "test") is None
    with db.session() as session:
        rows = {a.title: (a.points, a.best_platform) for a in session.query(Article)}
        rescored = session.query(AuditEntry).filter_by(action="article.rescore").count()
    assert rows == {"稿": (30, "province"), "未刊": (2, None)}
    assert rescored == 1
    assert rescore_if_rules_changed(db, rules, "test") == 2  # and back
    assert scores(db, rules)[0] == (1, "甲局", 20)


def test_the_bulletins_annex_says_how_an_article_published_twice_counts(rules: Rules) -> None:
    assert scoring_rules_text(rules).endswith("同一信息被重复采用的，以最高分为准，不重复计分。")
    summed = scoring_rules_text(with_policy(rules, "sum"))
    assert summed.endswith("同一信息被多个平台采用的，每次采用分别计分。")
