"""Every command, by an admin, a liaison and a supervisor, with each of the hostile arguments in
``tests/data/hostile_arguments.json``: never 系统繁忙, never an error alert, nothing set aside
in the inbox; commands that only read leave the database as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sandbox import SandboxUser
from domain.roles import grant_role
from storage.db import Database
from storage.models import (
    Adjustment,
    Article,
    AuditEntry,
    Campaign,
    InboxUpdate,
    Invite,
    OutboxMessage,
    Publication,
    Unit,
)
from tests.botworld import World
from tests.waiting import eventually

CORPUS: list[str] = json.loads(
    (Path(__file__).parent / "data" / "hostile_arguments.json").read_text(encoding="utf-8")
)
READING = [
    "help", "start", "units", "pending", "rank", "unit", "stats", "stagnant", "mine", "tasks",
    "task", "ledger", "scores", "assessment", "campaigns", "report_template", "bulletin", "rollup",
]  # fmt: skip
CHANGING = [
    "invite", "forward", "decline", "publish", "endorse", "import", "veto", "adjust", "submit",
    "progress", "campaign", "answer", "cancel", "wording", "published",
]  # fmt: skip
COUNTED = (Article, Publication, Unit, Invite, Adjustment, Campaign, AuditEntry)


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }


async def all_handled(db: Database, done: int) -> None:
    """Until ``done`` updates are handled, none is open and every reply is sent."""

    def handled_and_sent() -> bool:
        with db.session() as session:
            handled = session.scalar(select(func.count()).where(InboxUpdate.status == "done"))
            open_updates = session.scalar(
                select(func.count()).where(InboxUpdate.status.in_(("pending", "processing")))
            )
            unsent = session.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        return (handled or 0) >= done and not open_updates and not unsent

    await eventually(handled_and_sent, timeout=300, what=f"{done} updates handled")


async def send_all(user: SandboxUser, commands: list[str]) -> int:
    """Every command with every argument; how many messages were sent."""
    for command in commands:
        for argument in CORPUS:
            await user.says(f"/{command} {argument}".rstrip())
        await user.says("/cancel")  # whatever conversation an argument started ends here
    return len(commands) * (len(CORPUS) + 1)


def handled(db: Database) -> int:
    with db.session() as session:
        query = select(func.count()).where(InboxUpdate.status == "done")
        return session.scalar(query) or 0


def crashes(world: World) -> list[str]:
    """系统繁忙 in any chat, error alerts to the admins, updates set aside. Every answer is
    read here (each is looked at for those)."""
    for person in world.people.values():
        person.unread()
    found = [
        f"{chat_id}: {m.get('text', '')[:80]}"
        for chat_id in world.sandbox.chats
        for m in world.sandbox.bot_messages(chat_id)
        if "系统繁忙" in m.get("text", "") or "处理消息出错" in m.get("text", "")
    ]
    with world.db.session() as session:
        failed = session.scalars(
            select(InboxUpdate.update_id).where(InboxUpdate.status == "failed")
        )
        found += [f"update {update_id} set aside" for update_id in failed]
    return found


async def acting_as(world: World, role: str) -> SandboxUser:
    """The admin, a bound liaison, or a supervisor (督查人员) granted the role."""
    if role == "admin":
        return world.admin
    if role == "liaison":
        return await world.liaison("王因街道", 3002)
    grant_role(world.db, 4001, "supervisor", "test")
    return world.person(4001, "督查室")


@pytest.mark.parametrize("role", ["admin", "liaison", "supervisor"])
async def test_hostile_arguments_to_reading_commands_change_nothing(
    world: World, role: str
) -> None:
    user = await acting_as(world, role)
    await all_handled(world.db, 0)
    before = counts(world.db)
    sent = handled(world.db) + await send_all(user, READING)
    await all_handled(world.db, sent)
    assert handled(world.db) == sent
    assert crashes(world) == []
    assert counts(world.db) == before


@pytest.mark.parametrize("role", ["admin", "liaison", "supervisor"])
async def test_hostile_arguments_to_changing_commands_never_crash(world: World, role: str) -> None:
    user = await acting_as(world, role)
    await all_handled(world.db, 0)
    sent = handled(world.db) + await send_all(user, CHANGING)
    await all_handled(world.db, sent)
    assert crashes(world) == []
