"""月度评分: importing score sheets, one row per unit and month, with the rules' dimensions.

Columns: ``unit``, ``month`` (YYYY-MM), one per dimension (its name, or its name + 得分 as seed
004 heads them), optionally ``total`` (checked against the sum) and ``opening`` (期初累计: what
the unit earned that year before the data begins). All or nothing; every bad line reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from domain.access import unknown_unit
from domain.errors import ImportRejected, RowError, UserError
from domain.periods import Month
from domain.rules import Dimension, Rules
from domain.tabular import read_rows
from storage.db import Database
from storage.models import OpeningBalance, ScoreSheet
from storage.repos import Repo, repository

SCORE_COLUMNS = ("unit", "month")
SCORE_OPTIONAL = ("total", "opening")
SCORE_ALIASES = {
    "单位": "unit",
    "单位名称": "unit",
    "月份": "month",
    "月度分数": "total",
    "本月分数": "total",
    "期初累计": "opening",
    "此前累计": "opening",
}
_CENT = Decimal("0.01")


def score_aliases(rules: Rules) -> dict[str, str]:
    """Column spellings: the fixed ones, and ``公共服务得分`` for the dimension 公共服务."""
    return SCORE_ALIASES | {f"{d.name}得分": d.name for d in rules.scores.dimensions}


def parse_points(text: str, label: str, *, negative: bool = False) -> Decimal:
    """A score as offices write it (``28.5``); more than two decimals, or not a number, is an
    error; so is a negative one unless ``negative``."""
    try:
        value = Decimal(text.strip().replace("，", "."))
    except InvalidOperation:
        raise ValueError(f"{label}“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"{label}“{text}”不是数字")
    if value != value.quantize(_CENT):
        raise ValueError(f"{label}“{text}”最多保留两位小数")
    if value < 0 and not negative:
        raise ValueError(f"{label}不能为负数（{text}）")
    return value.quantize(_CENT)


@dataclass(frozen=True)
class SheetRow:
    """A validated row."""

    line: int
    unit_id: int
    unit: str
    month: Month
    scores: dict[str, Decimal]
    opening: Decimal | None

    @property
    def total(self) -> Decimal:
        """The month's score: the sum of its dimensions."""
        return sum(self.scores.values(), Decimal(0))


@dataclass
class ScoreImportResult:
    """What an import of score sheets did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    openings: int = 0
    months: set[Month] = field(default_factory=set)

    def summary(self) -> str:
        """One Chinese paragraph for the user."""
        months = "、".join(str(m) for m in sorted(self.months))
        text = (
            f"月度评分导入完成（{months}）：新增 {self.created} 条，更新 {self.updated} 条，"
            f"未变 {self.unchanged} 条。"
        )
        if self.openings:
            text += f"期初累计 {self.openings} 个单位。"
        return text


def parse_score_sheets(name: str, content: bytes, rules: Rules, repo: Repo) -> list[SheetRow]:
    """Validate a score-sheet file against the units and the rules' dimensions."""
    dimensions = rules.scores.dimensions
    rows = read_rows(
        name,
        content,
        (*SCORE_COLUMNS, *(d.name for d in dimensions)),
        optional=SCORE_OPTIONAL,
        aliases=score_aliases(rules),
    )
    units = repo.units.by_names()
    errors: list[RowError] = []
    parsed: list[SheetRow] = []
    seen: dict[tuple[int, Month], int] = {}
    openings: dict[tuple[int, int], tuple[Decimal, int]] = {}
    for source in rows:
        cells, line = source.cells, source.line
        problems: list[str] = []
        unit = units.get(cells["unit"])
        if unit is None:
            problems.append(unknown_unit(repo, cells["unit"]))
        month = None
        try:
            month = Month.parse(cells["month"])
        except UserError:
            problems.append(f"月份“{cells['month']}”格式错误，应为 年-月，如 2020-07")
        scores = _dimension_scores(cells, dimensions, problems)
        opening = _opening_checked_total(cells, scores, len(dimensions), problems)
        if unit is not None and month is not None:
            key = (unit.id, month)
            if key in seen:
                problems.append(f"{unit.name} {month} 与第 {seen[key]} 行重复")
            seen.setdefault(key, line)
            if opening is not None:
                earlier = openings.setdefault((unit.id, month.year), (opening, line))
                if earlier[0] != opening:
                    problems.append(
                        f"{unit.name} {month.year} 年的期初累计与第 {earlier[1]} 行不一致"
                    )
        errors += [RowError(line, problem) for problem in problems]
        if not problems and unit is not None and month is not None:
            parsed.append(SheetRow(line, unit.id, unit.name, month, scores, opening))
    if errors:
        raise ImportRejected(name, errors)
    return parsed


def _dimension_scores(
    cells: dict[str, str], dimensions: Sequence[Dimension], problems: list[str]
) -> dict[str, Decimal]:
    """A row's score per dimension; what is missing, malformed or over the maximum is a
    problem."""
    scores: dict[str, Decimal] = {}
    for dimension in dimensions:
        text = cells[dimension.name]
        if not text:
            problems.append(f"缺少{dimension.name}得分")
            continue
        try:
            value = parse_points(text, f"{dimension.name}得分")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if value > dimension.max:
            problems.append(f"{dimension.name}得分 {text} 超过满分 {dimension.max}")
            continue
        scores[dimension.name] = value
    return scores


def _opening_checked_total(
    cells: dict[str, str], scores: dict[str, Decimal], dimensions: int, problems: list[str]
) -> Decimal | None:
    """The row's 期初累计, if given; a 月度分数 that is not the sum of the scores is a
    problem."""
    opening = None
    try:
        if cells["opening"]:
            opening = parse_points(cells["opening"], "期初累计", negative=True)
        if cells["total"] and len(scores) == dimensions:
            total = parse_points(cells["total"], "月度分数")
            if total != sum(scores.values(), Decimal(0)):
                problems.append(
                    f"月度分数 {cells['total']} 不等于各项得分之和 "
                    f"{sum(scores.values(), Decimal(0)).normalize():f}"
                )
    except ValueError as exc:
        problems.append(str(exc))
    return opening


def import_score_sheets(
    db: Database, name: str, content: bytes, rules: Rules, actor: str
) -> ScoreImportResult:
    """Record a file's score sheets (a sheet again for the same unit and month replaces it)
    and opening balances, all or nothing, audited."""
    result = ScoreImportResult()
    with repository(db) as repo:
        rows = parse_score_sheets(name, content, rules, repo)
        existing = repo.score_sheets.by_keys((r.unit_id, r.month.first_day) for r in rows)
        balances: dict[int, dict[int, OpeningBalance]] = {}
        for row in rows:
            result.months.add(row.month)
            scores = {key: _text(value) for key, value in row.scores.items()}
            sheet = existing.get((row.unit_id, row.month.first_day))
            if sheet is None:
                repo.add(
                    ScoreSheet(
                        unit_id=row.unit_id,
                        month=row.month.first_day,
                        scores=scores,
                        total=row.total,
                        recorded_by=actor,
                    )
                )
                result.created += 1
                repo.audit.record(
                    actor, "score.create", "unit", row.unit_id, None, {str(row.month): scores}
                )
            elif sheet.scores != scores:
                before = {str(row.month): dict(sheet.scores)}
                sheet.scores, sheet.total, sheet.recorded_by = scores, row.total, actor
                result.updated += 1
                repo.audit.record(
                    actor, "score.update", "unit", row.unit_id, before, {str(row.month): scores}
                )
            else:
                result.unchanged += 1
            if row.opening is not None:
                year = row.month.year
                known = balances.setdefault(year, repo.score_sheets.openings(year))
                result.openings += _set_opening(repo, known, row, actor)
    return result


def _set_opening(repo: Repo, known: dict[int, OpeningBalance], row: SheetRow, actor: str) -> int:
    assert row.opening is not None
    balance = known.get(row.unit_id)
    if balance is not None and balance.points == row.opening:
        return 0
    before = {"opening": _text(balance.points)} if balance is not None else None
    if balance is None:
        balance = OpeningBalance(
            unit_id=row.unit_id, year=row.month.year, points=row.opening, recorded_by=actor
        )
        repo.add(balance)
        known[row.unit_id] = balance
    else:
        balance.points, balance.recorded_by = row.opening, actor
    repo.audit.record(
        actor, "score.opening", "unit", row.unit_id, before, {"opening": _text(row.opening)}
    )
    return 1


def sheet_totals(repo: Repo, year: int, end: dt.date) -> dict[int, Decimal]:
    """Per unit, the year's score sheets up to ``end`` (exclusive): the opening balance plus
    the monthly totals."""
    totals = repo.score_sheets.totals(dt.date(year, 1, 1), end)
    for unit_id, balance in repo.score_sheets.openings(year).items():
        totals[unit_id] = totals.get(unit_id, Decimal(0)) + balance.points
    return totals


def _text(value: Decimal) -> str:
    """``28.50`` → ``28.5``, ``49.00`` → ``49``."""
    return f"{value.normalize():f}"
