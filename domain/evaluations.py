"""社会客观效果评估: importing the third party's scores, one row per unit and year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.access import unknown_unit
from domain.errors import ImportRejected, RowError
from domain.score_sheets import parse_points
from domain.tabular import read_rows
from storage.db import Database
from storage.models import Evaluation
from storage.repos import repository

EVALUATION_COLUMNS = ("unit", "year", "evaluation")
EVALUATION_ALIASES = {
    "单位": "unit",
    "单位名称": "unit",
    "年度": "year",
    "第三方评估": "evaluation",
    "社会客观效果评估": "evaluation",
    "评估得分": "evaluation",
}


@dataclass
class EvaluationImportResult:
    """What an import of evaluations did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        """One Chinese line for the user."""
        return (
            f"第三方评估成绩导入完成：新增 {self.created} 个，更新 {self.updated} 个，"
            f"未变 {self.unchanged} 个。"
        )


def import_evaluations(
    db: Database, name: str, content: bytes, actor: str
) -> EvaluationImportResult:
    """Record third-party scores (0–100, at most two decimals), all or nothing, audited."""
    rows = read_rows(name, content, EVALUATION_COLUMNS, aliases=EVALUATION_ALIASES)
    result = EvaluationImportResult()
    with repository(db) as repo:
        units = repo.units.by_names()
        errors: list[RowError] = []
        parsed: list[tuple[int, int, Decimal]] = []
        seen: dict[tuple[int, int], int] = {}
        for source in rows:
            cells, line = source.cells, source.line
            unit = units.get(cells["unit"])
            if unit is None:
                errors.append(RowError(line, unknown_unit(repo, cells["unit"])))
            year = int(cells["year"]) if cells["year"].isdigit() else None
            if year is None or not 2000 <= year <= 2100:
                errors.append(RowError(line, f"年度“{cells['year']}”应为四位数字，例如 2020"))
            try:
                score = parse_points(cells["evaluation"], "评估得分")
                if score > 100:
                    errors.append(RowError(line, f"评估得分 {cells['evaluation']} 超过 100"))
            except ValueError as exc:
                errors.append(RowError(line, str(exc)))
                continue
            if unit is None or year is None:
                continue
            if (unit.id, year) in seen:
                errors.append(
                    RowError(line, f"{unit.name} {year} 年与第 {seen[unit.id, year]} 行重复")
                )
            seen.setdefault((unit.id, year), line)
            parsed.append((unit.id, year, score))
        if errors:
            raise ImportRejected(name, errors)
        known_by_year = {year: repo.evaluations.of_year(year) for year in {p[1] for p in parsed}}
        for unit_id, year, score in parsed:
            known = known_by_year[year].get(unit_id)
            if known is None:
                repo.add(Evaluation(unit_id=unit_id, year=year, score=score, recorded_by=actor))
                result.created += 1
                before = None
            elif known.score != score:
                before = {"evaluation": str(known.score)}
                known.score, known.recorded_by = score, actor
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            after = {"year": year, "evaluation": str(score)}
            repo.audit.record(actor, "evaluation.record", "unit", unit_id, before, after)
            repo.flush()
    return result
