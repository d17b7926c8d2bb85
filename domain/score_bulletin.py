"""The monthly score bulletin (seed 004): per category, the month's dimension scores, the
month's total and the year's total, sorted by the year's total; the text names the best and the
worst units of each category from the same tables.

A unit's year total is its opening balance, plus its monthly totals from January to the month,
plus 加减分 in those months; a 单项否决 in those months makes it zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.adjustments import adjusted_between
from domain.errors import UserError
from domain.periods import Month
from domain.rules import Rules
from domain.score_sheets import sheet_totals
from storage.db import Database
from storage.repos import repository


@dataclass(frozen=True)
class ScoreLine:
    """A unit's row: the month's scores (None without a sheet) and the year's total."""

    rank: int
    unit: str
    scores: dict[str, Decimal] | None
    month_total: Decimal | None
    year_total: Decimal
    adjustments: Decimal
    vetoed: bool


@dataclass(frozen=True)
class ScoreTable:
    """One category's table, best year total first."""

    category: str
    title: str
    lines: list[ScoreLine]

    def best(self, count: int) -> list[ScoreLine]:
        """The first ``count`` lines."""
        return self.lines[:count]

    def worst(self, count: int) -> list[ScoreLine]:
        """The last ``count`` lines not already among the best, in table order."""
        return self.lines[max(count, len(self.lines) - count) :]


@dataclass(frozen=True)
class AdjustmentLine:
    """A 加减分 or 单项否决 shown under the tables."""

    unit: str
    month: Month
    kind: str
    points: Decimal
    reason: str


@dataclass(frozen=True)
class ScoreBulletin:
    """Everything the score bulletin says, ready for any renderer."""

    month: Month
    issued_on: dt.date
    issuer: str
    publication: str
    title: str
    dimensions: list[str]
    intro: str
    summary: str
    tables: list[ScoreTable]
    adjusted: list[AdjustmentLine]

    @property
    def year_label(self) -> str:
        """The year column's heading: 全年总分 in December, 1—N月累计 before."""
        return "全年总分" if self.month.month == 12 else f"1—{self.month.month}月累计"

    @property
    def headers(self) -> list[str]:
        """The tables' headings, as seed 004 prints them."""
        return [
            "单位名称",
            *(f"{d}得分" for d in self.dimensions),
            f"{self.month.month}月分数",
            self.year_label,
        ]


def build_score_bulletin(
    db: Database, rules: Rules, month: Month, issued_on: dt.date
) -> ScoreBulletin:
    """The score bulletin for ``month`` and the year to it."""
    style = rules.scores
    dimensions = [d.name for d in style.dimensions]
    start, end = Month(month.year, 1).first_day, month.next().first_day
    with repository(db) as repo:
        sheets = repo.score_sheets.of_month(month.first_day)
        if not sheets:
            raise UserError(f"{month.year}年{month.month}月尚无月度评分数据，请先导入评分表。")
        totals = sheet_totals(repo, month.year, end)
        adjusted = adjusted_between(repo, start, end)
        adjustments = repo.adjustments.in_period(start, end)
        units = repo.units.ordered()
    by_category: dict[str, list[tuple[Decimal, int, ScoreLine]]] = {}
    for order, unit in enumerate(units):
        sheet = sheets.get(unit.id)
        added = adjusted.of(unit.id)
        earned = totals.get(unit.id, Decimal(0)) + added
        vetoed = unit.id in adjusted.vetoed
        year_total = Decimal(0) if vetoed else earned
        line = ScoreLine(
            rank=0,
            unit=unit.name,
            scores={d: Decimal(sheet.scores[d]) for d in dimensions if d in sheet.scores}
            if sheet
            else None,
            month_total=sheet.total if sheet else None,
            year_total=year_total,
            adjustments=added,
            vetoed=vetoed,
        )
        by_category.setdefault(unit.category, []).append((-year_total, order, line))
    tables = []
    for category, lines in by_category.items():
        ranked = [
            replace(line, rank=position)
            for position, (_, _, line) in enumerate(sorted(lines, key=lambda item: item[:2]), 1)
        ]
        tables.append(ScoreTable(category, annex_title(rules, month, category), ranked))
    return ScoreBulletin(
        month=month,
        issued_on=issued_on,
        issuer=style.issuer,
        publication=style.publication,
        title=bulletin_title(month),
        dimensions=dimensions,
        intro=_intro(rules, month, tables),
        summary=summary_sentence(rules, month, tables),
        tables=tables,
        adjusted=[
            AdjustmentLine(a.unit.name, Month.of(a.month), a.kind, a.points, a.reason)
            for a in adjustments
        ],
    )


def latest_score_month(db: Database) -> Month:
    """The newest month with score sheets, or a ``UserError`` when there are none."""
    with repository(db) as repo:
        latest = repo.score_sheets.latest_month()
    if latest is None:
        raise UserError("尚无月度评分数据，请先导入评分表。")
    return Month.of(latest)


def _span(month: Month) -> str:
    """``2020年12月及全年`` in December, ``2020年6月`` before."""
    return f"{month.year}年{month.month}月" + ("及全年" if month.month == 12 else "")


def bulletin_title(month: Month) -> str:
    """``2020年12月及全年政府网站管理和政务信息公开工作情况通报``."""
    return f"{_span(month)}政府网站管理和政务信息公开工作情况通报"


def annex_title(rules: Rules, month: Month, category: str) -> str:
    """``2020年12月及全年市直单位网站管理和政务信息公开情况``."""
    return f"{_span(month)}{rules.scores.phrase(category)}网站管理和政务信息公开情况"


def period_word(month: Month) -> str:
    """全年 in December, 1—N月 before."""
    return "全年" if month.month == 12 else f"1—{month.month}月"


def summary_sentence(rules: Rules, month: Month, tables: list[ScoreTable]) -> str:
    """``全年表现较好的单位有：市公安局、教育体育局和伊洛街道、首阳山街道。表现较差的有：…``"""
    count = rules.scores.named

    def named(pick: str) -> str:
        groups = []
        for table in tables:
            lines = table.best(count) if pick == "best" else table.worst(count)
            if lines:
                lead_in = rules.scores.lead_ins.get(table.category, "")
                groups.append(lead_in + "、".join(line.unit for line in lines))
        if len(groups) < 2:
            return "".join(groups)
        return "，".join(groups[:-1]) + "和" + groups[-1]

    return (
        f"{period_word(month)}表现较好的单位有：{named('best')}。表现较差的有：{named('worst')}。"
    )


def _intro(rules: Rules, month: Month, tables: list[ScoreTable]) -> str:
    units = sum(len(table.lines) for table in tables)
    categories = "、".join(rules.scores.phrase(table.category) for table in tables)
    dimensions = "、".join(d.name for d in rules.scores.dimensions)
    return (
        f"{month.year}年{month.month}月，{rules.scores.issuer}对{categories}共{units}个单位的"
        f"政府网站管理和政务信息公开工作进行了评分（{dimensions}），月度分数为各项得分之和，"
        f"{'全年总分' if month.month == 12 else '累计分数'}为当年各月分数之和并计入加减分，"
        f"单项否决的单位按零分计算。各单位得分情况见附件。"
    )
