"""Who may do what: roles from the environment and the database, invites that bind liaisons."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from domain.errors import UserError
from domain.periods import as_utc
from domain.unit_lists import did_you_mean
from storage.db import Database
from storage.models import Invite, Unit, User
from storage.repos import Repo, repository

INVITE_TTL = dt.timedelta(days=7)


@dataclass(frozen=True)
class Identity:
    """A Telegram user as the bot sees them: their roles, the office they hold them in (None:
    the root office, or a stranger) and, for a liaison, the unit."""

    telegram_id: int
    roles: frozenset[str]
    unit_id: int | None = None
    unit_name: str | None = None
    office_id: int | None = None

    @property
    def is_admin(self) -> bool:
        """Admins run the office."""
        return "admin" in self.roles

    @property
    def can_supervise(self) -> bool:
        """Supervisors, and admins, query rankings and stagnation."""
        return bool({"admin", "supervisor"} & self.roles)

    @property
    def is_liaison(self) -> bool:
        """A liaison is bound to a unit."""
        return "liaison" in self.roles and self.unit_id is not None


def identify(db: Database, telegram_id: int, admin_ids: frozenset[int]) -> Identity:
    """The roles of a Telegram user and their office (``GONGKAI_ADMIN_IDS`` are the root
    office's admins)."""
    with repository(db) as repo:
        user = repo.users.with_unit_and_roles(telegram_id)
        roles = {grant.role for grant in user.roles} if user else set()
        offices = {grant.office_id for grant in user.roles} if user else set()
        if user is not None and user.unit is not None:
            offices.add(user.unit.office_id)
        if telegram_id in admin_ids:
            roles.add("admin")
            offices = set()
        unit = user.unit if user and user.unit and user.unit.active else None
        if unit is None:
            roles.discard("liaison")
        return Identity(
            telegram_id,
            frozenset(roles),
            unit.id if unit else None,
            unit.name if unit else None,
            min(offices) if offices else None,
        )


def held_elsewhere(repo: Repo, user: User, office_id: int) -> str | None:
    """The name of another office the user already has a role or a unit in, if any."""
    others = {grant.office_id for grant in user.roles}
    if user.unit is not None:
        others.add(user.unit.office_id)
    others.discard(office_id)
    if not others:
        return None
    office = repo.offices.get(min(others))
    return office.name if office else None


@dataclass(frozen=True)
class IssuedInvite:
    """A fresh invite code for a unit."""

    code: str
    unit: str
    expires_at: dt.datetime


def create_invite(
    db: Database, unit_name: str, admin_id: int, now: dt.datetime, ttl: dt.timedelta = INVITE_TTL
) -> IssuedInvite:
    """A single-use code binding its redeemer as a liaison of the unit. Audited."""
    with repository(db) as repo:
        unit = require_unit(repo, unit_name)
        code = secrets.token_urlsafe(9)
        repo.add(Invite(code=code, unit_id=unit.id, created_by=admin_id, expires_at=now + ttl))
        repo.audit.record(
            f"tg:{admin_id}", "invite.create", "unit", unit.id, None, {"unit": unit.name}
        )
        return IssuedInvite(code, unit.name, now + ttl)


def redeem_invite(
    db: Database, code: str, telegram_id: int, full_name: str, now: dt.datetime
) -> str:
    """Bind the user as a liaison of the invite's unit; return the unit's name.

    A wrong, used or expired code is a ``UserError`` and changes nothing.
    """
    with repository(db) as repo:
        invite = repo.invites.get_for_update(code)
        if invite is None:
            raise UserError("邀请码无效。请向政务公开办公室索取新的邀请链接。")
        if invite.used_by is not None:
            raise UserError("该邀请码已被使用，每个邀请码只能使用一次。请索取新的邀请链接。")
        if as_utc(invite.expires_at) <= now:
            raise UserError("该邀请码已过期。请向政务公开办公室索取新的邀请链接。")
        if not invite.unit.active:
            raise UserError(f"单位“{invite.unit.name}”已停用，无法绑定。")
        user = repo.users.get_or_create(telegram_id)
        office_id = invite.unit.office_id
        if held_elsewhere(repo, user, office_id) is not None:
            # Rebinding moves a liaison between units of one office, never across offices.
            raise UserError("您已是另一机关的人员，不能用此邀请码绑定。请联系政务公开办公室。")
        before = {"unit": user.unit.name if user.unit else None}
        user.full_name = full_name[:200]
        user.unit_id = invite.unit_id
        repo.users.grant(user, "liaison", f"invite:{code}", office_id)
        invite.used_by, invite.used_at = telegram_id, now
        repo.audit.record(
            f"tg:{telegram_id}",
            "liaison.bind",
            "user",
            telegram_id,
            before,
            {"unit": invite.unit.name, "invite": code},
        )
        return invite.unit.name


@dataclass(frozen=True)
class UnitRef:
    """A unit's id and name."""

    id: int
    name: str


def require_unit_name(db: Database, name: str) -> UnitRef:
    """The unit called ``name``, or a ``UserError`` suggesting close names."""
    with repository(db) as repo:
        unit = require_unit(repo, name)
        return UnitRef(unit.id, unit.name)


def require_unit(repo: Repo, name: str) -> Unit:
    """The unit called ``name``, or a ``UserError`` suggesting close names."""
    unit = repo.units.by_name(name.strip())
    if unit is not None:
        return unit
    close = repo.units.similar_names(name.strip())
    hint = f"您是不是要找：{'、'.join(close)}？" if close else "可用 /units 查看全部单位。"
    raise UserError(f"没有名为“{name.strip()}”的单位。{hint}")


def unknown_unit(repo: Repo, name: str) -> str:
    """Why an imported row's unit is refused: empty, or unknown, with the close names."""
    if not name:
        return "单位为空"
    return f"未知单位“{name}”{did_you_mean(repo.units.similar_names(name))}"
