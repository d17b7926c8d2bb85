"""Charts: the ranking by category with 较上月, a unit's year month by month, the area's trend.

Readable on a phone means: at least 1080 px wide, within Telegram's limits for a photo, every
label apart from its neighbours, every Chinese character drawn (no missing glyphs).
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import warnings
from decimal import Decimal
from itertools import pairwise

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from domain.articles import import_articles
from domain.bulletin import build_bulletin
from domain.periods import Month, Period
from domain.ranking import rank_changes, rank_units
from domain.rules import Rules
from domain.trends import monthly_totals
from domain.units import import_units
from reports.charts import CHART_UNITS, png, ranking_figure, trend_chart, unit_figure
from reports.numbers import change_mark
from storage.db import Database
from storage.repos import Repo
from tests.botworld import running_bot
from tests.conftest import GAOXIN_NOW

CATEGORIES = ("区直部门", "街道", "驻区单位")
YEAR_TO_JULY = Period(Month(2020, 1), Month(2020, 7))
HEADER = "unit,title,submitted_on,forwarded,published_in\n"


def area(db: Database, rules: Rules, units: int, articles: int, seed: int = 7) -> list[str]:
    """``units`` units in three categories and ``articles`` random articles in 2020; returns
    the article lines as imported, for an independent count."""
    rng = random.Random(seed)
    names = [f"第{n:03d}{CATEGORIES[n % 3][-2:]}单位" for n in range(1, units + 1)]
    table = "".join(f"{name},{CATEGORIES[n % 3]}\n" for n, name in enumerate(names, start=1))
    import_units(db, "units.csv", ("name,category\n" + table).encode(), "test")
    lines = []
    codes = [p.code for p in rules.platforms]
    for n in range(articles):
        day = dt.date(2020, rng.randint(1, 7), rng.randint(1, 28))
        published = ";".join(rng.sample(codes, rng.choice((0, 0, 1, 1, 2))))
        forwarded = "yes" if published or rng.random() < 0.5 else "no"
        lines.append(f"{rng.choice(names)},第{n}篇稿件,{day},{forwarded},{published}\n")
    if lines:
        import_articles(db, "articles.csv", (HEADER + "".join(lines)).encode(), rules, "test")
    return lines


def size_of(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", image[16:24])
    return width, height


def fits_a_phone(image: bytes) -> None:
    width, height = size_of(image)
    assert width >= 1080
    assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height)


def drawn(figure: Figure) -> bytes:
    """The image, failing on any character the font could not draw."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        return png(figure)


def assert_apart(texts: list[Text], figure: Figure) -> None:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_text()]
    for one, other in pairwise(sorted(boxes, key=lambda box: (box.y0, box.x0))):
        assert not one.overlaps(other), f"labels overlap: {one} {other}"


@pytest.mark.parametrize("units", [1, 25, 300])
def test_ranking_chart_fits_a_phone_with_every_label_apart(
    db: Database, rules: Rules, units: int
) -> None:
    area(db, rules, units, articles=units * 2)
    ranking = rank_units(db, rules, YEAR_TO_JULY)
    figure = ranking_figure(ranking, rank_changes(db, rules, ranking))
    image = drawn(figure)
    fits_a_phone(image)
    axes = figure.axes[0]
    shown = min(units, CHART_UNITS)
    assert len(axes.patches) == shown  # one bar per unit shown
    assert (f"（前{CHART_UNITS}名）" in axes.get_title()) == (units > CHART_UNITS)
    assert_apart(list(axes.get_yticklabels()), figure)
    bar_labels = [t for t in axes.texts if t.get_text()]
    assert len(bar_labels) == shown
    assert_apart(bar_labels, figure)


def test_ranking_chart_groups_units_by_category_with_their_change(
    db: Database, rules: Rules
) -> None:
    area(db, rules, 12, articles=40)
    ranking = rank_units(db, rules, YEAR_TO_JULY)
    changes = rank_changes(db, rules, ranking)
    figure = ranking_figure(ranking, changes)
    drawn(figure)
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    headings = [t for t in ticks if t.startswith("【")]
    assert headings == [f"【{c}】" for c in dict.fromkeys(r.category for r in ranking.rows)]
    for category in CATEGORIES:  # each heading is followed by exactly its own units
        start = ticks.index(f"【{category}】") + 1
        block = []
        for tick in ticks[start:]:
            if tick.startswith("【"):
                break
            block.append(tick.split(". ", 1)[1])
        assert block == [r.unit for r in ranking.rows if r.category == category]
    labels = {t.get_text() for t in figure.axes[0].texts}
    for row in ranking.rows:
        assert f"{row.score}  {change_mark(changes[row.unit])}" in labels


def test_rank_changes_compare_with_the_ranking_a_month_earlier(db: Database, rules: Rules) -> None:
    import_units(
        db,
        "units.csv",
        "name,category\n甲局,区直部门\n乙局,区直部门\n丙局,区直部门\n".encode(),
        "t",
    )
    articles = "甲局,一月稿,2020-01-05,yes,city\n乙局,二月稿,2020-02-05,yes,province\n"
    import_articles(db, "articles.csv", (HEADER + articles).encode(), rules, "t")
    year = rank_units(db, rules, Period(Month(2020, 1), Month(2020, 2)))
    # 1月: 甲 1st, 乙 and 丙 2nd; 1—2月: 乙 1st (20), 甲 2nd (10), 丙 3rd.
    assert rank_changes(db, rules, year) == {"乙局": 1, "甲局": -1, "丙局": -1}
    february = rank_units(db, rules, Period(Month(2020, 2), Month(2020, 2)))
    # one month is compared with the month before it: 2月 against 1月
    assert rank_changes(db, rules, february) == {"乙局": 1, "甲局": -1, "丙局": 0}
    assert [change_mark(c) for c in (2, -1, 0, None)] == ["↑2", "↓1", "—", "新"]


def expected_months(lines: list[str], rules: Rules, unit: str | None) -> list[tuple]:
    """Per month Jan–Jul: (submitted, published, score), counted from the imported lines."""
    points = {p.code: p.points for p in rules.platforms}
    months = {m: [0, 0, Decimal(0)] for m in range(1, 8)}
    for line in lines:
        name, _, day, forwarded, published = line.strip().split(",")
        if unit is not None and name != unit:
            continue
        month = months[int(day[5:7])]
        month[0] += 1
        codes = [c for c in published.split(";") if c]
        if codes:
            month[1] += 1
            month[2] += max(points[c] for c in codes)
        elif forwarded == "yes":
            month[2] += rules.scoring.unpublished_points
    return [tuple(months[m]) for m in range(1, 8)]


def test_monthly_totals_count_each_month_as_the_articles_say(db: Database, rules: Rules) -> None:
    lines = area(db, rules, 9, articles=300)
    unit = lines[0].split(",")[0]
    with db.session() as session:
        unit_id = next(u.id for u in Repo(session).units.listing() if u.name == unit)
    for who, name in ((None, None), (unit_id, unit)):
        months = monthly_totals(db, rules, YEAR_TO_JULY, who)
        assert [m.month for m in months] == [Month(2020, n) for n in range(1, 8)]
        got = [(m.submitted, m.published, m.score) for m in months]
        assert got == expected_months(lines, rules, name)


def test_a_units_year_chart_shows_every_month_and_its_labels_apart(
    db: Database, rules: Rules
) -> None:
    lines = area(db, rules, 3, articles=200)
    with db.session() as session:
        unit = Repo(session).units.listing()[0]
    year = Period(Month(2020, 1), Month(2020, 12))
    figure = unit_figure(unit.name, monthly_totals(db, rules, year, unit.id), rules)
    fits_a_phone(drawn(figure))
    score_axes, count_axes = figure.axes
    ticks = [t.get_text() for t in count_axes.get_xticklabels()]
    assert ticks == [f"{n}月" for n in range(1, 13)]
    assert_apart(list(count_axes.get_xticklabels()), figure)
    assert_apart([t for t in score_axes.texts if t.get_text()], figure)
    assert any(line.startswith(unit.name) for line in lines)


def test_the_bulletins_trend_adds_up_to_its_basic_situation(gaoxin: Database, rules: Rules) -> None:
    bulletin = build_bulletin(gaoxin, rules, Month(2020, 7), dt.date(2020, 8, 5))
    assert [m.month.month for m in bulletin.trend] == list(range(1, 8))
    assert sum(m.submitted for m in bulletin.trend) == bulletin.stats.submitted == 17
    assert sum(m.published for m in bulletin.trend) == bulletin.stats.published
    fits_a_phone(trend_chart("高新区2020年1—7月", bulletin.trend, rules))


@pytest.mark.parametrize("units", [1, 25, 300])
async def test_rank_and_unit_answer_with_a_chart_through_the_bot(
    db: Database, rules: Rules, units: int
) -> None:
    area(db, rules, units, articles=units * 2)
    async with running_bot(db, rules, now=GAOXIN_NOW) as world:
        await world.admin.says("/rank 2020-01..2020-07")
        replies = [await world.admin.reply()]
        while replies[-1].photo is None:
            replies.append(await world.admin.reply())
        assert 2 <= len(replies) <= 4  # the table (or the workbook), then the chart
        chart = replies[-1]
        assert chart.text == "2020年1—7月得分图（按单位类别）"
        assert chart.photo is not None and chart.photo["width"] >= 1080
        if units == 300:
            assert replies[0].document is not None  # too long for messages: a workbook
        else:
            assert "较上月" in replies[0].text
        year_ranking = rank_units(db, rules, Period(Month(2020, 1), Month(2020, 8)))
        busiest = max(year_ranking.rows, key=lambda row: row.submitted).unit
        await world.admin.says(f"/unit {busiest}")
        await world.admin.reply()
        year = await world.admin.reply()
        assert year.text == f"{busiest}2020年逐月情况" and year.photo is not None
        assert world.admin.unread() == []
