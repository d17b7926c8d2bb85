"""年度考核 (seed 000): annual score = basic work × weight + third-party evaluation × weight,
plus the year's 加减分, zero under a 单项否决; graded within each category.

Basic work (基础性工作) comes from the system's own data as the rules say: each source's annual
figure (article score; score sheets' annual total) over the best in the unit's category, times
100, weighted. The attachment's lists and the summary's counts come from the same grading, so
the text and the lists cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from domain.adjustments import adjusted_between
from domain.errors import UserError
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.rules import GRADES, Rules
from domain.score_sheets import sheet_totals
from domain.wording import some_units
from storage.db import Database
from storage.models import Unit
from storage.repos import repository

_CENT = Decimal("0.01")
ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Assessed:
    """A unit's annual assessment."""

    unit: str
    category: str
    basic: Decimal
    third_party: Decimal
    adjustments: Decimal
    vetoed: bool
    score: Decimal
    grade: str


@dataclass(frozen=True)
class CategoryResult:
    """One category: its heading and, per grade present, its units best first."""

    category: str
    heading: str
    grades: list[tuple[str, list[Assessed]]]


@dataclass(frozen=True)
class Assessment:
    """Everything the assessment notice says."""

    year: int
    issued_on: dt.date
    issuer: str
    recipients: str
    title: str
    annex_title: str
    intro: str
    method: str
    summary: str
    categories: list[CategoryResult]

    @property
    def units(self) -> list[Assessed]:
        """Every unit, category by category, best first."""
        return [u for c in self.categories for _, units in c.grades for u in units]


def assess(db: Database, rules: Rules, year: int, issued_on: dt.date) -> Assessment:
    """The year's assessment; a unit without a third-party score is a ``UserError``."""
    config = rules.assessment
    with repository(db) as repo:
        units = repo.units.ordered()
        evaluations = {u: e.score for u, e in repo.evaluations.of_year(year).items()}
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        sheets = sheet_totals(repo, year, end)
        adjusted = adjusted_between(repo, start, end)
    if not units:
        raise UserError("尚无单位，请先导入单位。")
    missing = [u.name for u in units if u.id not in evaluations]
    if missing:
        shown = some_units(missing, 10)
        raise UserError(f"{year} 年缺少第三方评估成绩的单位：{shown}。请先导入评估成绩。")
    ranking = rank_units(db, rules, Period(Month(year, 1), Month(year, 12)))
    articles = {row.unit: Decimal(row.article_points) for row in ranking.rows}
    zero = Decimal(0)
    sources = {
        "articles": (config.basic.articles, {u.id: articles.get(u.name, zero) for u in units}),
        "score_sheets": (config.basic.score_sheets, {u.id: sheets.get(u.id, zero) for u in units}),
    }
    categories: dict[str, list[tuple[Decimal, int, Assessed]]] = {}
    best = _category_best(units, sources)
    for order, unit in enumerate(units):
        basic = _basic(unit.id, unit.category, sources, best)
        third = Decimal(evaluations[unit.id])
        bonus = adjusted.of(unit.id)
        vetoed = unit.id in adjusted.vetoed
        raw = (
            Decimal(str(config.basic_weight)) * basic
            + Decimal(str(config.third_party_weight)) * third
            + bonus
        )
        score = Decimal(0) if vetoed else max(raw, Decimal(0)).quantize(_CENT)
        item = Assessed(unit.name, unit.category, basic, third, bonus, vetoed, score, "")
        categories.setdefault(unit.category, []).append((-score, order, item))
    results = []
    for category, entries in categories.items():
        ranked = [item for _, _, item in sorted(entries, key=lambda e: e[:2])]
        graded = grade(ranked, rules)
        heading = config.category_headings.get(category, category)
        present = [(g, [u for u in graded if u.grade == g]) for g in GRADES]
        results.append(CategoryResult(category, heading, [(g, us) for g, us in present if us]))
    return Assessment(
        year=year,
        issued_on=issued_on,
        issuer=config.issuer,
        recipients=rules.bulletin.recipients,
        title=f"关于{year}年{config.scope}政务公开工作考核情况的通报",
        annex_title=f"{year}年政务公开工作考核结果",
        intro=intro_text(rules, results, year),
        method=method_text(rules),
        summary=summary_text(rules, results),
        categories=results,
    )


def _category_best(
    units: list[Unit], sources: dict[str, tuple[float, dict[int, Decimal]]]
) -> dict[tuple[str, str], Decimal]:
    best: dict[tuple[str, str], Decimal] = {}
    for name, (_, values) in sources.items():
        for unit in units:
            key = (name, unit.category)
            best[key] = max(best.get(key, Decimal(0)), values[unit.id])
    return best


def _basic(
    unit_id: int,
    category: str,
    sources: dict[str, tuple[float, dict[int, Decimal]]],
    best: dict[tuple[str, str], Decimal],
) -> Decimal:
    """100 × value / the category's best, weighted over the sources the category has data for."""
    total, weights = Decimal(0), Decimal(0)
    for name, (weight, values) in sources.items():
        top = best[(name, category)]
        if weight <= 0 or top <= 0:
            continue
        share = max(values[unit_id], Decimal(0)) / top * 100
        total += Decimal(str(weight)) * share
        weights += Decimal(str(weight))
    return (total / weights).quantize(_CENT) if weights else Decimal(0)


def grade(ranked: list[Assessed], rules: Rules) -> list[Assessed]:
    """Grades for one category's units, best first, by thresholds or by quotas."""
    config = rules.assessment
    passing = Decimal(str(config.thresholds["合格"]))
    graded = []
    if config.grading == "thresholds":
        limits = sorted(((Decimal(str(v)), g) for g, v in config.thresholds.items()), reverse=True)
        for unit in ranked:
            found = next((g for limit, g in limits if unit.score >= limit), "不合格")
            graded.append(_with_grade(unit, "不合格" if unit.vetoed else found))
        return graded
    counts = {
        g: int((Decimal(len(ranked)) * Decimal(str(share))).quantize(Decimal(1), ROUND_HALF_UP))
        for g, share in config.quotas.items()
    }
    position = 0
    for g in GRADES:
        for _ in range(counts.get(g, 0)):
            if position < len(ranked):
                graded.append(_with_grade(ranked[position], g))
                position += 1
    graded += [_with_grade(u, "合格") for u in ranked[position:]]
    return [_with_grade(u, "不合格") if u.vetoed or u.score < passing else u for u in graded]


def _with_grade(unit: Assessed, grade_name: str) -> Assessed:
    return replace(unit, grade=grade_name)


def _groups(rules: Rules, results: list[CategoryResult]) -> dict[str, list[str]]:
    config = rules.assessment
    return config.text_groups or {
        config.category_headings.get(r.category, r.category): [r.category] for r in results
    }


def intro_text(rules: Rules, results: list[CategoryResult], year: int) -> str:
    """``市政府办公室对14个县（市、区）政府（管委会）和44个市政府部门、单位2020年政务公开工作进行了考核。``"""
    counts = {r.category: sum(len(units) for _, units in r.grades) for r in results}
    parts = [
        f"{sum(counts.get(c, 0) for c in members)}个{noun}"
        for noun, members in _groups(rules, results).items()
        if any(counts.get(c) for c in members)
    ]
    return f"{rules.assessment.issuer}对{'和'.join(parts)}{year}年政务公开工作进行了考核。"


def method_text(rules: Rules) -> str:
    """How the annual score is made, in the seed's words."""
    config = rules.assessment
    return (
        "继续实行基础性工作考核与社会客观效果评估（第三方机构评估）相结合的办法，计算年度考核成绩，"
        f"其中，基础性工作考核分数占总成绩的{config.basic_weight:.0%}，"
        f"社会客观效果评估分数占总成绩的{config.third_party_weight:.0%}。"
    )


def summary_text(rules: Rules, results: list[CategoryResult]) -> str:
    """从考核结果看，任城区等10个县（市、区）政府（管委会）和…达到优秀等次；… — counted from
    the same grades the attachment lists."""
    config = rules.assessment
    groups = _groups(rules, results)
    by_category = {r.category: dict(r.grades) for r in results}
    sentences = []
    for grade_name in GRADES:
        parts = []
        for noun, members in groups.items():
            units = sorted(
                (u for c in members for u in by_category.get(c, {}).get(grade_name, [])),
                key=lambda u: -u.score,
            )
            if not units:
                continue
            first = _short(units[0].unit, config.text_drops_suffixes)
            parts.append(first if len(units) == 1 else f"{first}等{len(units)}个{noun}")
        if parts:
            verb = "为" if grade_name == "不合格" else "达到"
            sentences.append("和".join(parts) + f"{verb}{grade_name}等次")
    return "从考核结果看，" + "；".join(sentences) + "。"


def _short(name: str, suffixes: list[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name
