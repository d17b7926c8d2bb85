"""`gongkai role grant|revoke`: admins and supervisors, audited, refusing unknown roles."""

from __future__ import annotations

import pytest

from bot.cli import main
from storage.db import Database
from storage.models import User
from storage.repos import Repo


def roles_of(db: Database, telegram_id: int) -> set[str]:
    with db.session() as session:
        user = session.get(User, telegram_id)
        return {grant.role for grant in user.roles} if user else set()


def test_grant_then_revoke_is_recorded_with_who_did_it(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["role", "grant", "1001", "admin"]) == 0
    assert main(["role", "grant", "1001", "supervisor"]) == 0
    assert roles_of(db, 1001) == {"admin", "supervisor"}
    assert main(["role", "revoke", "1001", "admin"]) == 0
    assert roles_of(db, 1001) == {"supervisor"}
    out = capsys.readouterr().out
    assert "已授予 1001 管理员角色。" in out
    assert "已撤销 1001 的管理员角色。" in out
    with db.session() as session:
        entries = Repo(session).audit.entries()
    assert [(e.action, e.entity_id, e.actor.startswith("cli:")) for e in entries] == [
        ("role.grant", "1001", True),
        ("role.grant", "1001", True),
        ("role.revoke", "1001", True),
    ]


def test_granting_a_role_twice_says_so_and_changes_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["role", "grant", "7", "supervisor"]) == 0
    assert main(["role", "grant", "7", "supervisor"]) == 0
    assert "7 已是督查人员。" in capsys.readouterr().out
    with db.session() as session:
        assert len(Repo(session).audit.entries("role.grant")) == 1


@pytest.mark.parametrize(
    "argv", [["role", "grant", "7", "liaison"], ["role", "grant", "x", "admin"]]
)
def test_unknown_role_or_id_is_a_usage_error_that_changes_nothing(
    db: Database, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "参数错误" in capsys.readouterr().err
    assert roles_of(db, 7) == set()
