"""Scores and ranks: once per article at its highest level, ties shared, adjustments added."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pytest

from domain.articles import import_articles
from domain.bulletin import scoring_rules_text
from domain.errors import ImportRejected, UserError
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.review import EndorseOutcome, decline_article, endorse_article
from domain.rules import Rules, load_rules
from domain.scoring import rescore_if_rules_changed
from domain.units import import_units
from reports.ranking import ranking_records, ranking_table
from reports.wording import CHAT_WORDING
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


# Fractions a float cannot hold (0.1) among those it can (0.5, 1.25): totals must stay exact.
FRACTIONS = {
    "city": Decimal("0.5"),
    "province": Decimal("0.1"),
    "national": Decimal("1.25"),
    "national_press": Decimal("3"),
}
UNPUBLISHED = Decimal("0.3")


def with_fractions(rules: Rules, policy: str) -> Rules:
    """The rules with every column paying FRACTIONS, scored by ``policy``."""
    dumped = with_policy(rules, policy).model_dump()
    dumped["platforms"] = [{**p, "points": FRACTIONS[p["code"]]} for p in dumped["platforms"]]
    dumped["scoring"]["unpublished_points"] = UNPUBLISHED
    return Rules.model_validate(dumped)


@pytest.mark.parametrize("policy", ["highest", "sum"])
def test_decimal_points_add_up_exactly_in_articles_and_rankings(
    db: Database, rules: Rules, policy: str
) -> None:
    scheme = with_fractions(rules, policy)
    rows, columns = generated_articles(300, seed=7)
    load(db, scheme, rows)
    forwarded = {line.split(",")[1]: line.split(",")[3] == "yes" for line in rows.splitlines()}

    def expected(title: str) -> Decimal:
        paid = [FRACTIONS[code] for code in columns[title]]
        if not paid:
            return UNPUBLISHED if forwarded[title] else Decimal(0)
        return sum(paid, Decimal(0)) if policy == "sum" else max(paid)

    with db.session() as session:
        points = {a.title: a.points for a in session.query(Article)}
    assert points == {title: expected(title) for title in columns}
    units = {r.unit: r.score for r in rank_units(db, scheme, SPRING).rows}
    for unit, first in (("甲局", 1), ("乙局", 0)):
        assert units[unit] == sum((expected(f"稿{n}") for n in range(first, 300, 2)), Decimal(0))


def test_decimal_points_are_written_without_trailing_zeros(db: Database, rules: Rules) -> None:
    scheme = with_fractions(rules, "sum")
    load(db, scheme, "甲局,一,2020-03-01,yes,city\n甲局,二,2020-03-02,yes,city;national\n")
    ranking = rank_units(db, scheme, SPRING)
    assert ranking.rows[0].score == Decimal("2.25")
    table = ranking_table(ranking, scheme)
    assert "2.25" in table and "（0.5分）" in table and "（3分）" in table
    assert [r["score"] for r in ranking_records(ranking, scheme)][:2] == [2.25, 0]
    annex = scoring_rules_text(scheme)
    assert "采用一篇计0.5分" in annex and "未刊发的一篇计0.3分" in annex
    assert "3.00" not in annex + table and "0.50" not in annex + table


# examples/rules/city-2008-sum.toml, written out from the scheme's text, not read from the file.
CITY_2008 = {
    "state_council": Decimal(10),
    "province_important": Decimal(5),
    "province_reference": Decimal(3),
    "city_circular": Decimal(5),
    "city_reference": Decimal(5),
    "city_morning": Decimal(2),
    "city_report": Decimal(2),
    "portal_text": Decimal(1),
    "portal_picture": Decimal("0.5"),
}
CITY_2008_ENDORSEMENTS = {"state": Decimal(20), "province": Decimal(10), "city": Decimal(5)}
EXAMPLES = Path(__file__).parent.parent / "examples" / "rules"


def test_the_2008_city_scheme_sums_adoptions_and_adds_each_endorsement(
    db: Database,
) -> None:
    scheme = load_rules(EXAMPLES / "city-2008-sum.toml")
    rng = random.Random(2008)
    rows, expected, endorsed = [], {}, {"甲局": 0, "乙局": 0}
    for n in range(200):
        unit = "甲局" if n % 2 else "乙局"
        columns = [code for code in CITY_2008 if rng.random() < 0.2]
        levels = [code for code in CITY_2008_ENDORSEMENTS if rng.random() < 0.1]
        forwarded = bool(columns or levels) or rng.random() < 0.5
        rows.append(
            f"{unit},稿{n},2020-0{1 + n % 6}-0{1 + n % 9},{'yes' if forwarded else 'no'},"
            f"{';'.join(columns)},{'、'.join(levels)}\n"
        )
        expected[f"稿{n}"] = sum((CITY_2008[c] for c in columns), Decimal(0)) + sum(
            (CITY_2008_ENDORSEMENTS[level] for level in levels), Decimal(0)
        )
        endorsed[unit] += len(levels)
    import_units(db, "units.csv", UNITS.encode(), "test")
    header = "unit,title,submitted_on,forwarded,published_in,endorsed_by\n"
    import_articles(db, "articles.csv", (header + "".join(rows)).encode(), scheme, "test")
    with db.session() as session:
        points = {a.title: a.points for a in session.query(Article)}
    assert points == expected
    ranking = rank_units(db, scheme, SPRING)
    by_unit = {r.unit: (r.score, r.endorsed) for r in ranking.rows}
    for unit, first in (("甲局", 1), ("乙局", 0)):
        total = sum((expected[f"稿{n}"] for n in range(first, 200, 2)), Decimal(0))
        assert by_unit[unit] == (total, endorsed[unit])
    assert "领导批示" in ranking_table(ranking, scheme, wide=True)
    assert rescore_if_rules_changed(db, scheme, "test") == 200  # the first run: same points
    with db.session() as session:
        assert {a.title: a.points for a in session.query(Article)} == expected


def test_an_endorsement_adds_its_points_once_and_only_to_a_forwarded_article(
    db: Database,
) -> None:
    scheme = load_rules(EXAMPLES / "city-2008-sum.toml")
    load(
        db,
        scheme,
        "甲局,已报,2020-03-01,yes,portal_picture\n乙局,未报,2020-03-01,no,\n"
        "丙街道,未刊,2020-03-02,yes,\n",
    )
    today = dt.date(2020, 3, 5)
    with db.session() as session:
        ids = {a.title: a.id for a in session.query(Article)}

    def endorse(title: str, level: str) -> EndorseOutcome:
        return endorse_article(db, scheme, ids[title], level, "test", today, CHAT_WORDING)

    outcome = endorse("已报", "省政府")
    assert (outcome.article.points, outcome.added, outcome.level) == (
        Decimal("10.5"),
        10,
        "省政府领导",
    )
    assert endorse("已报", "city").article.points == Decimal("15.5")
    with pytest.raises(UserError, match="已记录过省政府领导批示"):
        endorse("已报", "province")
    with pytest.raises(UserError, match="尚未上报"):
        endorse("未报", "state")
    with pytest.raises(UserError, match="未知批示级别"):
        endorse("已报", "县政府")
    assert endorse("未刊", "国务院").article.points == 20  # forwarded, not yet adopted
    with pytest.raises(UserError, match="已获领导批示"):
        decline_article(db, ids["未刊"], 1, CHAT_WORDING)
    with pytest.raises(UserError, match="未设领导批示"):
        endorse_article(db, rules_of_seed(), ids["已报"], "省级", "test", today, CHAT_WORDING)
    ranked = [(r.unit, r.score, r.endorsed) for r in rank_units(db, scheme, SPRING).rows]
    assert ranked[:3] == [("丙街道", 20, 1), ("甲局", Decimal("15.5"), 2), ("乙局", 0, 0)]
    annex = scoring_rules_text(scheme)
    assert "信息获国务院领导、省政府领导、市政府领导批示的，每条另计20、10、5分" in annex
    assert "（重要）、市政府办公室《政府工作通报》或市政府办公室《政务参阅》采用一篇计5分" in annex
    assert "未刊发" not in annex  # the scheme gives nothing for it, and says nothing


def rules_of_seed() -> Rules:
    return load_rules()


def test_an_endorsement_level_the_rules_do_not_name_is_a_bad_line(db: Database) -> None:
    scheme = load_rules(EXAMPLES / "city-2008-sum.toml")
    import_units(db, "units.csv", UNITS.encode(), "test")
    header = "unit,title,submitted_on,forwarded,published_in,endorsed_by\n"
    content = header + "甲局,一,2020-03-01,yes,,县长\n甲局,二,2020-03-01,no,,省政府\n"
    with pytest.raises(ImportRejected) as rejected:
        import_articles(db, "articles.csv", content.encode(), scheme, "test")
    lines = {e.line: e.reason for e in rejected.value.errors}
    assert "未知批示级别“县长”" in lines[2]
    assert lines[3] == "已填写领导批示，区级采用应为“是”"


# examples/rules/department-2011.toml, from the standard's text: once, at the highest.
DEPARTMENT_2011 = {
    "central": Decimal(20),
    "ministry_province": Decimal(10),
    "department_bulletin": Decimal(6),
    "province_network": Decimal("0.5"),
}


def test_the_2011_department_standard_scores_each_article_once_at_its_highest(
    db: Database,
) -> None:
    scheme = load_rules(EXAMPLES / "department-2011.toml")
    rng = random.Random(2011)
    rows, expected = [], {}
    for n in range(150):
        columns = [code for code in DEPARTMENT_2011 if rng.random() < 0.3]
        forwarded = bool(columns) or rng.random() < 0.5
        unit = "甲局" if n % 2 else "乙局"
        day = f"2020-0{1 + n % 6}-2{n % 8}"
        rows.append(f"{unit},稿{n},{day},{'是' if forwarded else '否'},{'、'.join(columns)}\n")
        expected[f"稿{n}"] = max((DEPARTMENT_2011[c] for c in columns), default=Decimal(0))
    load(db, scheme, "".join(rows))
    with db.session() as session:
        assert {a.title: a.points for a in session.query(Article)} == expected
    scores = {r.unit: r.score for r in rank_units(db, scheme, SPRING).rows}
    assert scores["甲局"] == sum((expected[f"稿{n}"] for n in range(1, 150, 2)), Decimal(0))
    assert "省政府信息专网共享信息采用一篇计0.5分" in scoring_rules_text(scheme)
