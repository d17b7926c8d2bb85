"""单位: importing the units file (its row order is the display order)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError, field_validator

from domain.errors import ImportRejected, RowError
from domain.tabular import read_rows
from storage.db import Database
from storage.models import Unit
from storage.repos import repository

UNIT_COLUMNS = ("name", "category")


class UnitRow(BaseModel):
    """A row of ``units.csv``."""

    name: str
    category: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise ValueError("单位名称为空")
        if len(value) > 100:
            raise ValueError(f"单位名称过长（{len(value)} 字，最多 100 字）")
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if not value:
            raise ValueError("单位类别为空")
        if len(value) > 50:
            raise ValueError(f"单位类别过长（{len(value)} 字，最多 50 字）")
        return value


@dataclass
class UnitImportResult:
    """What an import of units did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One Chinese paragraph for the user."""
        text = (
            f"单位导入完成：新增 {len(self.created)} 个，更新 {len(self.updated)} 个，"
            f"未变 {len(self.unchanged)} 个。"
        )
        if self.not_in_file:
            text += f"\n文件中没有、保留原样的单位 {len(self.not_in_file)} 个：" + "、".join(
                self.not_in_file
            )
        return text


def first_error(exc: ValidationError) -> str:
    """The reason of a row's first validation error, as our validators phrase it."""
    error = exc.errors()[0]
    return str(error["msg"]).removeprefix("Value error, ")


def parse_units(name: str, content: bytes) -> list[UnitRow]:
    """Validate a units file; every bad line is reported and nothing is returned if any."""
    errors: list[RowError] = []
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for source in read_rows(name, content, UNIT_COLUMNS):
        try:
            row = UnitRow.model_validate(source.cells)
        except ValidationError as exc:
            errors.append(RowError(source.line, first_error(exc)))
            continue
        if row.name in seen:
            errors.append(RowError(source.line, f"单位“{row.name}”与第 {seen[row.name]} 行重复"))
            continue
        seen[row.name] = source.line
        rows.append(row)
    if errors:
        raise ImportRejected(name, errors)
    return rows


def import_units(db: Database, name: str, content: bytes, actor: str) -> UnitImportResult:
    """Create or update a file's units, all or nothing; its row order becomes the display order."""
    rows = parse_units(name, content)
    result = UnitImportResult()
    with repository(db) as repo:
        existing = repo.units.by_names()
        office_id = repo.offices.current().id
        for order, row in enumerate(rows, start=1):
            unit = existing.pop(row.name, None)
            if unit is None:
                unit = Unit(
                    office_id=office_id,
                    name=row.name,
                    category=row.category,
                    display_order=order,
                    active=True,
                )
                repo.add(unit)
                result.created.append(row.name)
                repo.audit.record(actor, "unit.create", "unit", row.name, None, _state(unit))
                continue
            before = _state(unit)
            unit.category, unit.display_order, unit.active = row.category, order, True
            if _state(unit) == before:
                result.unchanged.append(row.name)
            else:
                result.updated.append(row.name)
                repo.audit.record(actor, "unit.update", "unit", unit.id, before, _state(unit))
        # Units missing from the file keep their data and follow the file's units in order.
        leftover = sorted(existing.values(), key=lambda u: (u.display_order, u.id))
        for offset, unit in enumerate(leftover, start=len(rows) + 1):
            unit.display_order = offset
            result.not_in_file.append(unit.name)
    return result


def _state(unit: Unit) -> dict[str, object]:
    return {
        "name": unit.name,
        "category": unit.category,
        "display_order": unit.display_order,
        "active": unit.active,
    }


@dataclass(frozen=True)
class UnitSummary:
    """A unit as the office's list shows it."""

    id: int
    name: str
    category: str
    position: int
    liaisons: int


def list_units(db: Database) -> list[UnitSummary]:
    """Active units in display order, with how many liaisons each has."""
    with repository(db) as repo:
        counts = repo.users.liaison_counts()
        return [
            UnitSummary(unit.id, unit.name, unit.category, position, counts.get(unit.id, 0))
            for position, unit in enumerate(repo.units.ordered(), start=1)
        ]
