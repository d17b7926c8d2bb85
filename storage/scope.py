"""An office's view of the database: its units and everything that belongs to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select

from storage.models import Office, Unit


class Scope:
    """What one office sees. Repositories filter every query that is not already keyed by
    one of the office's own units through it, so another office's rows are never found."""

    def __init__(self, office_id: int | None) -> None:
        self.office_id = office_id

    @property
    def office(self) -> int | ScalarSelect[Any]:
        """The office's id; for the root office (None), a subquery that finds it."""
        if self.office_id is not None:
            return self.office_id
        return select(func.min(Office.id)).where(Office.parent_id.is_(None)).scalar_subquery()

    def units(self) -> Select[Any]:
        """The ids of the office's units."""
        return select(Unit.id).where(Unit.office_id == self.office)

    def owns(self, unit_column: Any) -> ColumnElement[bool]:
        """Whether the unit in ``unit_column`` is one of the office's."""
        return unit_column.in_(self.units())

    def is_office(self, office_column: Any) -> ColumnElement[bool]:
        """Whether ``office_column`` names this office."""
        return office_column == self.office

    def key(self, key: str) -> str:
        """``key`` (of a queued message, of a stored fact) as this office's own: two offices'
        bulletins of one month are two messages. The root's keys are as they always were."""
        return key if self.office_id is None else f"{OFFICE_KEY.format(self.office_id)}{key}"


OFFICE_KEY = "office{}/"


def local_key(key: str) -> str:
    """A key as its office wrote it, without the office's mark."""
    office, mark, rest = key.partition("/")
    return rest if mark and office.startswith("office") else key
