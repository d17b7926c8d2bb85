"""Roles: admins (the office), supervisors (督查室), liaisons (联络员, bound to a unit)."""

from __future__ import annotations

from domain.errors import UserError
from storage.db import Database
from storage.repos import repository

GRANTABLE = {"admin": "管理员", "supervisor": "督查人员"}


def _check_role(role: str) -> None:
    if role not in GRANTABLE:
        raise UserError(f"未知角色“{role}”，可授予的角色：{'、'.join(GRANTABLE)}")


def grant_role(db: Database, telegram_id: int, role: str, actor: str) -> bool:
    """Give a user the admin or supervisor role; False if they already had it. Audited."""
    _check_role(role)
    with repository(db) as repo:
        user = repo.users.get_or_create(telegram_id)
        granted = repo.users.grant(user, role, actor)
        if granted:
            repo.audit.record(actor, "role.grant", "user", telegram_id, None, {"role": role})
    return granted


def revoke_role(db: Database, telegram_id: int, role: str, actor: str) -> bool:
    """Take the admin or supervisor role away; False if the user did not have it. Audited."""
    _check_role(role)
    with repository(db) as repo:
        user = repo.users.get_or_create(telegram_id)
        revoked = repo.users.revoke(user, role)
        if revoked:
            repo.audit.record(actor, "role.revoke", "user", telegram_id, {"role": role}, None)
    return revoked
