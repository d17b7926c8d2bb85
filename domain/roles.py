"""Roles: admins (the office), supervisors (督查室), liaisons (联络员, bound to a unit)."""

from __future__ import annotations

from domain.access import held_elsewhere
from domain.errors import UserError
from storage.db import Database
from storage.repos import repository

GRANTABLE = {"admin": "管理员", "supervisor": "督查人员"}


def _check_role(role: str) -> None:
    if role not in GRANTABLE:
        raise UserError(f"未知角色“{role}”，可授予的角色：{'、'.join(GRANTABLE)}")


def grant_role(db: Database, telegram_id: int, role: str, actor: str) -> bool:
    """Give a user the admin or supervisor role in ``db``'s office; False if they already had
    it. A user belongs to one office: one who has a role or a unit in another is refused.
    Audited."""
    _check_role(role)
    with repository(db) as repo:
        office = repo.offices.current()
        user = repo.users.get_or_create(telegram_id)
        elsewhere = held_elsewhere(repo, user, office.id)
        if elsewhere is not None:
            raise UserError(
                f"{telegram_id} 已是“{elsewhere}”的人员；一个用户只属于一个机关，"
                f"请先在“{elsewhere}”撤销其角色。"
            )
        granted = repo.users.grant(user, role, actor, office.id)
        if granted:
            repo.audit.record(
                actor,
                "role.grant",
                "user",
                telegram_id,
                None,
                {"role": role, "office": office.name},
            )
    return granted


def revoke_role(db: Database, telegram_id: int, role: str, actor: str) -> bool:
    """Take the admin or supervisor role in ``db``'s office away; False if the user did not
    have it there. Audited."""
    _check_role(role)
    with repository(db) as repo:
        user = repo.users.get_or_create(telegram_id)
        revoked = repo.users.revoke(user, role, repo.offices.current_id())
        if revoked:
            repo.audit.record(actor, "role.revoke", "user", telegram_id, {"role": role}, None)
    return revoked
