"""Repository of the offices (机关) and their tree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Office, Unit
from storage.scope import Scope


class Offices:
    """机关."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def current(self) -> Office:
        """The office this repository sees the database from."""
        office = self.session.scalar(select(Office).where(self.scope.is_office(Office.id)))
        if office is None:
            raise LookupError("no office: the database has not been migrated")
        return office

    def current_id(self) -> int:
        """The id of the office this repository sees the database from."""
        if self.scope.office_id is not None:
            return self.scope.office_id
        return self.current().id

    def get(self, office_id: int) -> Office | None:
        """The office with this id."""
        return self.session.get(Office, office_id)

    def of_article(self, article_id: int) -> Office | None:
        """The office whose unit the article is (to follow an article between offices)."""
        query = (
            select(Office)
            .join(Unit, Unit.office_id == Office.id)
            .join(Article, Article.unit_id == Unit.id)
            .where(Article.id == article_id)
        )
        return self.session.scalar(query)

    def by_name(self, name: str) -> Office | None:
        """The office called exactly ``name``."""
        return self.session.scalar(select(Office).where(Office.name == name))

    def children(self) -> list[Office]:
        """The offices directly below this one, in the order they were added."""
        query = select(Office).where(self.scope.is_office(Office.parent_id)).order_by(Office.id)
        return list(self.session.scalars(query))

    def all(self) -> list[Office]:
        """Every office, in the order they were added (the root first)."""
        return list(self.session.scalars(select(Office).order_by(Office.id)))
