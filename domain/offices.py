"""机关: the offices of one deployment, in a tree (a city, its districts and counties).

Each office runs the routine for its own units under its own 计分办法. A child office is also
a unit of its parent, so what it sends upward is that unit's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain.errors import UserError
from domain.rules import Rules, RulesError, parse_rules
from domain.scoring import rescore_if_rules_changed
from domain.text import clean_text
from storage.db import Database
from storage.models import Office, Unit
from storage.repos import Repo, close_names, repository

NAME_MAX = 100
# The category a child office takes among its parent's units unless told otherwise.
CHILD_CATEGORY = "县市区"


@dataclass(frozen=True)
class OfficeRef:
    """An office as commands need it: who it is, where it hangs, its own rules if any."""

    id: int
    name: str
    parent: str | None
    unit_name: str | None
    rules_text: str | None
    bulletin_chat_id: int | None = None
    supervision_chat_id: int | None = None

    def rules(self, default: Rules) -> Rules:
        """The office's 计分办法: its own, or the deployment's ``default`` (always the root's)."""
        if self.rules_text is None or self.parent is None:
            return default
        try:
            return parse_rules(self.rules_text, f"{self.name}的规则")
        except RulesError as exc:  # validated when stored: only a newer release's change
            raise UserError(str(exc)) from None


def _ref(office: Office) -> OfficeRef:
    return OfficeRef(
        office.id,
        office.name,
        office.parent.name if office.parent else None,
        office.unit.name if office.unit else None,
        office.rules,
        office.bulletin_chat_id,
        office.supervision_chat_id,
    )


def _check_rules(rules_text: str | None, source: str) -> None:
    """Refuse rules that would not load, before anything is written."""
    if rules_text is None:
        return
    try:
        parse_rules(rules_text, source)
    except RulesError as exc:
        raise UserError(str(exc)) from None


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("机关名称不能为空。")
    if len(cleaned) > NAME_MAX:
        raise UserError(f"机关名称过长（{len(cleaned)} 字，最多 {NAME_MAX} 字）。")
    # The name goes into messages written as HTML (a bulletin's missing-chat alert).
    if set(cleaned) & set("<>&"):
        raise UserError("机关名称不能包含 < > & 字符。")
    return cleaned


def _require(repo: Repo, name: str) -> Office:
    office = repo.offices.by_name(name.strip())
    if office is not None:
        return office
    names = [o.name for o in repo.offices.all()]
    close = close_names(name.strip(), names)
    hint = f"您是不是要找：{'、'.join(close)}？" if close else f"现有机关：{'、'.join(names)}。"
    raise UserError(f"没有名为“{name.strip()}”的机关。{hint}")


def list_offices(db: Database) -> list[OfficeRef]:
    """Every office, the root first, then in the order they were added."""
    with repository(db) as repo:
        return [_ref(office) for office in repo.offices.all()]


def office_view(db: Database, office_id: int) -> OfficeRef:
    """The office with this id (one the database holds: ids come from its own rows)."""
    with repository(db) as repo:
        office = repo.offices.get(office_id)
        if office is None:
            raise LookupError(f"no office {office_id}")
        return _ref(office)


def office_below(db: Database, name: str) -> OfficeRef | None:
    """The office called ``name`` if it is below ``db``'s office (a child, or further down);
    None for any other name, so that an office above or beside stays out of sight."""
    with repository(db) as repo:
        found = repo.offices.by_name(name.strip())
        mine = repo.offices.current_id()
        above = found.parent if found is not None else None
        while above is not None:
            if above.id == mine:
                assert found is not None
                return _ref(found)
            above = above.parent
        return None


def resolve_office(db: Database, name: str | None) -> OfficeRef:
    """The office called ``name``; with no name, the only office there is.

    A deployment of several offices must say which: guessing would act on the wrong one.
    """
    with repository(db) as repo:
        if name is not None:
            return _ref(_require(repo, name))
        offices = repo.offices.all()
        if len(offices) > 1:
            names = "、".join(o.name for o in offices)
            raise UserError(f"本库有 {len(offices)} 个机关（{names}），请用 --office 指定其一。")
        return _ref(offices[0])


def add_office(
    db: Database,
    name: str,
    parent: str | None,
    rules_text: str | None,
    actor: str,
    *,
    category: str = CHILD_CATEGORY,
    rules_source: str = "",
    unit_name: str | None = None,
) -> OfficeRef:
    """Add an office under ``parent`` (default: the root office), as a unit of the parent.

    The parent's unit ``unit_name`` becomes the office's (a district imported among the city's
    units as 济宁高新区管委会); without it, the parent's unit of the office's own name when it
    has one, otherwise a unit of that name is added after the parent's others.
    ``rules_text`` (TOML, read from ``rules_source``) is the office's own 计分办法, checked
    before anything is written.
    """
    name = _clean_name(name)
    _check_rules(rules_text, rules_source or f"{name}的规则")
    with repository(db) as repo:
        if repo.offices.by_name(name) is not None:
            raise UserError(f"机关“{name}”已存在。")
        offices = repo.offices.all()
        above = _require(repo, parent) if parent is not None else offices[0]
        parent_units = repo.seen_from(above.id).units
        wanted = clean_text(unit_name, keep_newlines=False) if unit_name else ""
        unit = parent_units.by_name(wanted or name)
        if unit is None and wanted:
            names = [u.name for u in parent_units.ordered(include_inactive=True)]
            close = close_names(wanted, names)
            hint = f"您是不是要找：{'、'.join(close)}？" if close else ""
            shown = wanted if len(wanted) <= 40 else wanted[:40] + "…"
            raise UserError(f"“{above.name}”没有名为“{shown}”的单位。{hint}")
        if unit is not None and any(o.unit_id == unit.id for o in offices):
            raise UserError(f"“{above.name}”的单位“{name}”已是另一机关。")
        if unit is None:
            order = max(
                (u.display_order for u in parent_units.ordered(include_inactive=True)), default=0
            )
            unit = Unit(office_id=above.id, name=name, category=category, display_order=order + 1)
            repo.add(unit)
            repo.flush()
            repo.audit.record(
                actor, "unit.create", "unit", unit.id, None, {"name": name, "office": above.name}
            )
        office = Office(
            name=name, parent_id=above.id, unit_id=unit.id, rules=rules_text, created_by=actor
        )
        repo.add(office)
        repo.flush()
        repo.audit.record(
            actor,
            "office.create",
            "office",
            office.id,
            None,
            {
                "name": name,
                "parent": above.name,
                "unit": unit.name,
                "rules": rules_text is not None,
            },
        )
        return _ref(office)


def set_office(
    db: Database,
    name: str,
    actor: str,
    *,
    bulletin_chat_id: int | None = None,
    supervision_chat_id: int | None = None,
    rules_text: str | None = None,
    rules_source: str = "",
) -> OfficeRef:
    """Set an office's chats or its own 计分办法 (what is not given stays as it is)."""
    _check_rules(rules_text, rules_source or f"{name}的规则")
    with repository(db) as repo:
        office = _require(repo, name)
        if office.parent_id is None and rules_text is not None:
            raise UserError("顶级机关的计分规则由 GONGKAI_RULES 指定，不在此设置。")
        before = _settable(office)
        if bulletin_chat_id is not None:
            office.bulletin_chat_id = bulletin_chat_id
        if supervision_chat_id is not None:
            office.supervision_chat_id = supervision_chat_id
        if rules_text is not None:
            office.rules = rules_text
        if _settable(office) != before:
            repo.audit.record(actor, "office.set", "office", office.id, before, _settable(office))
        return _ref(office)


def _settable(office: Office) -> dict[str, object]:
    return {
        "bulletin_chat_id": office.bulletin_chat_id,
        "supervision_chat_id": office.supervision_chat_id,
        "rules": office.rules is not None and hashlib.sha256(office.rules.encode()).hexdigest(),
    }


def rescore_offices(db: Database, default: Rules, actor: str) -> None:
    """Rescore each office whose rules changed since it was last scored (at the bot's start)."""
    for office in list_offices(db):
        view = db if office.parent is None else db.scoped(office.id)
        rescore_if_rules_changed(view, office.rules(default), actor)


def rename_office(db: Database, old: str, new: str, actor: str) -> OfficeRef:
    """Give an office another name (the root is made as 本机关 until it is named)."""
    new = _clean_name(new)
    with repository(db) as repo:
        office = _require(repo, old)
        if office.name == new:
            return _ref(office)
        if repo.offices.by_name(new) is not None:
            raise UserError(f"机关“{new}”已存在。")
        before = office.name
        office.name = new
        repo.audit.record(
            actor, "office.rename", "office", office.id, {"name": before}, {"name": new}
        )
        return _ref(office)
