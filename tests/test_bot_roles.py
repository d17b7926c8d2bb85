"""Every command × every role: allowed, or refused with a clear message that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage.db import Database
from storage.models import AuditEntry
from tests.botworld import SUPERVISOR_ID, World

LIAISON_ONLY = "仅限已绑定单位的联络员"
ADMIN_ONLY = "仅限政务公开办公室管理员"
SUPERVISOR_ONLY = "仅限督查人员和管理员"

# command → the refusal a caller without the role gets
COMMANDS = {
    "/submit 角色测试稿件": LIAISON_ONLY,
    "/mine": LIAISON_ONLY,
    "/tasks": LIAISON_ONLY,
    "/progress T1 进展": LIAISON_ONLY,
    "/answer 1": LIAISON_ONLY,
    "/report_template": LIAISON_ONLY,
    "/invite 柳行街道": ADMIN_ONLY,
    "/wording 2020-08 导语 默认": ADMIN_ONLY,
    "/units": ADMIN_ONLY,
    "/pending": ADMIN_ONLY,
    "/forward 1": ADMIN_ONLY,
    "/decline 1": ADMIN_ONLY,
    "/publish 1 city": ADMIN_ONLY,
    "/import": ADMIN_ONLY,
    "/rank": SUPERVISOR_ONLY,
    "/unit 党政办公室": SUPERVISOR_ONLY,
    "/stats": SUPERVISOR_ONLY,
    "/rollup": SUPERVISOR_ONLY,
    "/stagnant": SUPERVISOR_ONLY,
    "/task T1": SUPERVISOR_ONLY,
    "/ledger": SUPERVISOR_ONLY,
    "/scores": SUPERVISOR_ONLY,
    "/assessment 2020": SUPERVISOR_ONLY,
    "/adjust 党政办公室 +2 表现突出": ADMIN_ONLY,
    "/veto 党政办公室 网页长期不更新": ADMIN_ONLY,
    "/campaign 1": ADMIN_ONLY,
    "/campaigns": ADMIN_ONLY,
}
# Commands that answer with a chart after their text.
CHARTED = {"/rank", "/unit 党政办公室"}
LIAISON_COMMANDS = {"/submit 角色测试稿件", "/mine", "/tasks", "/progress T1 进展", "/answer 1"}
ALLOWED = {
    "stranger": set(),
    "liaison": LIAISON_COMMANDS | {"/report_template"},
    "supervisor": {
        "/rank",
        "/unit 党政办公室",
        "/stats",
        "/rollup",
        "/stagnant",
        "/task T1",
        "/ledger",
        "/scores",
        "/assessment 2020",
        "/report_template",
    },
    "admin": set(COMMANDS) - LIAISON_COMMANDS,
}


async def person_with_role(world: World, role: str) -> int:
    if role == "admin":
        return world.admin.id
    if role == "supervisor":
        assert main(["role", "grant", str(SUPERVISOR_ID), "supervisor"]) == 0
        return SUPERVISOR_ID
    if role == "liaison":
        await world.admin.says("/invite 柳行街道")
        code = (await world.admin.reply()).text.split("/start ")[-1].strip()
        liaison = world.person(3001, "张三")
        await liaison.says(f"/start {code}")
        await liaison.reply()
        return liaison.id
    return world.person(9001, "陌生人").id


def audit_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize("role", ["stranger", "liaison", "supervisor", "admin"])
async def test_each_command_is_allowed_or_refused_by_role(world: World, role: str) -> None:
    user = world.person(await person_with_role(world, role))
    for command, refusal in COMMANDS.items():
        before = audit_count(world.db)
        await user.says(command)
        reply = await user.reply()
        if command in ALLOWED[role]:
            assert refusal not in reply.text, f"{role} was refused {command}"
            if command in CHARTED:
                assert (await user.reply()).photo is not None
            for extra in user.unread():  # /pending sends a card per article
                assert refusal not in extra.text
        else:
            assert refusal in reply.text, f"{role} was not refused {command}: {reply.text}"
            assert audit_count(world.db) == before, f"refused {command} changed something"
    if role == "liaison":  # the office hears of the one article the liaison could submit
        told = await world.remaining(world.admin)
        assert told == ["新稿件 #18：柳行街道《角色测试稿件》待审核。"]


async def test_each_role_sees_its_own_command_menu(world: World) -> None:
    for role in ("liaison", "supervisor", "admin"):
        user_id = await person_with_role(world, role)
        await world.person(user_id).says("/start")
        await world.person(user_id).reply()
    menus = world.sandbox.commands
    names = {key: [c["command"] for c in value] for key, value in menus.items()}
    assert names["default"] == ["start", "help"]
    assert names["chat:3001"] == [
        "submit",
        "mine",
        "tasks",
        "progress",
        "answer",
        "report_template",
        "cancel",
        "help",
    ]
    assert names[f"chat:{SUPERVISOR_ID}"] == [
        "rank",
        "unit",
        "stats",
        "rollup",
        "stagnant",
        "task",
        "ledger",
        "scores",
        "assessment",
        "help",
    ]
    assert names["chat:1000"][:3] == ["pending", "forward", "decline"]
    assert "rank" in names["chat:1000"] and "submit" not in names["chat:1000"]
