"""Nothing lost, nothing doubled: replies that fail after the change, edited commands, a bot
killed (SIGKILL, a real process) in the middle of a burst or of a conversation."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys

import pytest
from sqlalchemy import func, select, text

from bot.sandbox import Fault, Sandbox, SandboxUser
from domain.inbox import claim_update, finish_update, record_update, release_claims
from storage.db import Database
from storage.models import Article, InboxUpdate, OutboxMessage, Publication
from tests.botworld import World
from tests.waiting import eventually, settled


def articles(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def texts(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in sandbox.bot_messages(chat_id)]


@pytest.mark.parametrize(
    "fault",
    [
        Fault("sendMessage", 500, "Internal Server Error"),
        Fault("sendMessage", 502, "Bad Gateway"),
        Fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1),
        Fault("sendMessage", drop=True),
        Fault("sendMessage", 500, "Internal Server Error", times=2),
    ],
    ids=["500", "502", "429", "dropped", "500-twice"],
)
async def test_a_receipt_that_fails_to_send_arrives_later_and_the_article_is_saved_once(
    world: World, fault: Fault
) -> None:
    liaison = await world.liaison("王因街道", 3002)
    before = articles(world.db)
    world.sandbox.inject(fault)
    await liaison.says("/submit 王因街道推进村务公开")
    receipt = await liaison.reply(timeout=20)
    assert receipt.text.startswith("已报送 #18《王因街道推进村务公开》")
    assert articles(world.db) == before + 1
    assert await world.remaining(liaison) == []  # no "系统繁忙", no second receipt
    told = await world.remaining(world.admin)
    assert told == ["新稿件 #18：王因街道《王因街道推进村务公开》待审核。"]  # once


async def test_an_edited_command_is_not_run_again(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    sent = await liaison.says("/submit 原标题有错字")
    assert "已报送 #18" in (await liaison.reply()).text
    await liaison.edits(sent, "/submit 原标题无错字")
    assert "不会再次执行" in (await liaison.reply()).text
    assert articles(world.db) == 18

    admin = world.admin
    assert "新稿件 #18" in (await admin.reply()).text
    command = await admin.says("/publish 18 province")
    assert "采用" in (await admin.reply()).text
    await admin.edits(command, "/publish 18 national")
    assert "不会再次执行" in (await admin.reply()).text
    with world.db.session() as session:
        platforms = session.scalars(
            select(Publication.platform).where(Publication.article_id == 18)
        )
        assert list(platforms) == ["province"]
    assert await world.remaining(liaison) == [
        "稿件 #18《原标题有错字》已被《政务公开看山东》采用，计 20 分。"
    ]  # told once, for the first publication only


async def test_every_update_is_recorded_and_marked_handled(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit 王因街道推进村务公开")
    await liaison.reply()
    assert "新稿件 #18" in (await world.admin.reply()).text
    with world.db.session() as session:
        statuses = session.scalars(select(InboxUpdate.status)).all()
    assert statuses and set(statuses) == {"done"}


def test_a_lone_process_taking_the_lease_frees_only_what_others_claimed(db: Database) -> None:
    # On SQLite the process that takes the jobs' lease voids the claims of a process that is
    # gone; the update it has claimed itself meanwhile (the first one, at start) stays its own,
    # so that handling it is not undone and done again.
    hold = dt.timedelta(minutes=1)
    for update_id in (1, 2):
        record_update(db, {"update_id": update_id, "message": {"chat": {"id": update_id}}})
    gone = claim_update(db, "gone", hold)
    mine = claim_update(db, "me", hold)
    assert gone is not None and mine is not None
    assert release_claims(db, "me") == 1
    assert finish_update(db, mine.update_id, "me")
    assert not finish_update(db, gone.update_id, "gone")


# -- a real process, killed ----------------------------------------------------------------

BOT_PROCESS = """
import sys
from bot.app import build_application
from runtime.settings import Settings
from domain.rules import load_rules
from storage.db import Database

root, token, url = sys.argv[1:4]
settings = Settings(bot_token=token, api_server=root, database_url=url, admin_ids=frozenset({1}))
build_application(
    settings, load_rules(), Database(url), delivery_interval=0.2, claim_seconds=2, lease_seconds=3
).run_polling(poll_interval=0, timeout=1)
"""
LIAISONS = range(1, 21)


async def start_bot(sandbox: Sandbox, url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT_PROCESS, sandbox.url, sandbox.token, url
    )


def bind_liaisons(db: Database) -> None:
    """One unit and one bound liaison (user 10000 + n) per n."""
    with db.engine.begin() as connection:
        for n in LIAISONS:
            connection.execute(
                text(
                    "INSERT INTO units (id, office_id, name, category, display_order, active, "
                    "created_at) SELECT :n, min(id), :name, '街道', :n, true, CURRENT_TIMESTAMP "
                    "FROM offices"
                ),
                {"n": n, "name": f"单位{n}"},
            )
            connection.execute(
                text(
                    "INSERT INTO users (telegram_id, full_name, unit_id, created_at) "
                    "VALUES (:id, :name, :n, CURRENT_TIMESTAMP)"
                ),
                {"id": 10_000 + n, "name": f"联络员{n}", "n": n},
            )
            connection.execute(
                text(
                    "INSERT INTO role_grants (telegram_id, role, office_id, granted_by, "
                    "granted_at) "
                    "SELECT :id, 'liaison', min(id), 'test', CURRENT_TIMESTAMP FROM offices"
                ),
                {"id": 10_000 + n},
            )


async def receipts(user: SandboxUser, deadline: float) -> list[str]:
    """Every message the bot has sent the user by ``deadline`` (loop time), waiting for a
    receipt (the month's reminder may come too: the bot runs on today's date)."""
    timeout = deadline - asyncio.get_running_loop().time()
    await eventually(
        lambda: any(t.startswith("已报送") for t in texts(user.sandbox, user.id)),
        timeout=max(timeout, 0.1),
        what=f"a receipt for {user.id}",
    )
    await settled(user.sandbox)  # a second copy would have come by then
    return texts(user.sandbox, user.id)


@pytest.mark.parametrize("replies_before_kill", [0, 5, 13])
async def test_a_bot_killed_during_a_burst_answers_everyone_once_after_restart(
    db: Database, replies_before_kill: int
) -> None:
    bind_liaisons(db)
    async with Sandbox() as sandbox:
        sandbox.user(1, "办公室")
        users = [sandbox.user(10_000 + n, f"联络员{n}") for n in LIAISONS]
        if replies_before_kill:
            sandbox.inject(Fault("sendMessage", 0, times=replies_before_kill))
        sandbox.inject(Fault("sendMessage", 0, stall=True))  # the next send hangs
        first = await start_bot(sandbox, db.url)
        try:
            for n, user in zip(LIAISONS, users, strict=True):
                await user.says(f"/submit 第{n}篇稿件")
            await asyncio.wait_for(sandbox.stalled.wait(), timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)  # with a send in flight
            await first.wait()
        sandbox.faults.clear()
        second = await start_bot(sandbox, db.url)
        try:
            deadline = asyncio.get_running_loop().time() + 60
            answered = [await receipts(user, deadline) for user in users]
        finally:
            second.terminate()
            await second.wait()
    for n, sent in zip(LIAISONS, answered, strict=True):
        assert len(sent) == len(set(sent)), (n, sent)  # nothing twice
        receipt = [t for t in sent if t.startswith("已报送 #")]
        assert len(receipt) == 1 and f"《第{n}篇稿件》" in receipt[0], (n, sent)
    with db.session() as session:
        titles = session.scalars(select(Article.title)).all()
    assert sorted(titles) == sorted(f"第{n}篇稿件" for n in LIAISONS)


async def outbox_drained(db: Database) -> None:
    """Until every queued message is marked sent (a kill then loses nothing in flight)."""

    def drained() -> bool:
        with db.session() as session:
            waiting = session.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        return not waiting

    await eventually(drained, timeout=30, what="the outbox drained")


async def answer_to(user: SandboxUser) -> str:
    """The bot's next answer to the user, past the month's reminder (today's date)."""
    while True:
        sent = (await user.reply(timeout=30)).text
        if not sent.startswith("提醒："):
            return sent


async def test_a_conversation_interrupted_by_a_restart_goes_on_after_it(db: Database) -> None:
    bind_liaisons(db)
    async with Sandbox() as sandbox:
        liaison = sandbox.user(10_001, "联络员1")
        first = await start_bot(sandbox, db.url)
        try:
            await liaison.says("/submit")
            assert "请发送稿件标题" in await answer_to(liaison)
            await liaison.says("一篇跨越重启的稿件")
            assert "网页链接" in await answer_to(liaison)
            await outbox_drained(db)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        second = await start_bot(sandbox, db.url)
        try:
            await liaison.presses("跳过")
            assert "稿件文件" in await answer_to(liaison)
            await liaison.presses("跳过")
            assert "拟投哪些上级平台" in await answer_to(liaison)
            await liaison.presses("完成")
            assert "标题：《一篇跨越重启的稿件》" in await answer_to(liaison)
            await liaison.presses("确认报送")
            await eventually(lambda: articles(db), timeout=30, what="the article saved")
        finally:
            second.terminate()
            await second.wait()
    with db.session() as session:
        assert session.scalars(select(Article.title)).all() == ["一篇跨越重启的稿件"]


async def run_cli(sandbox: Sandbox, url: str) -> asyncio.subprocess.Process:
    """``gongkai run`` (long polling) as an operator starts it."""
    env = {
        **os.environ,
        "GONGKAI_BOT_TOKEN": sandbox.token,
        "GONGKAI_API_SERVER": sandbox.url,
        "GONGKAI_DATABASE_URL": url,
        "GONGKAI_ADMIN_IDS": "1",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_second_poller_on_the_same_token_stops_with_one_line(db: Database) -> None:
    bind_liaisons(db)
    async with Sandbox() as sandbox:
        admin = sandbox.user(1, "办公室")
        liaison = sandbox.user(10_001, "联络员1")
        first = await run_cli(sandbox, db.url)
        try:
            await liaison.says("/submit 第一个进程收到的稿件")
            assert (await answer_to(liaison)).startswith("已报送 #1")
            second = await run_cli(sandbox, db.url)
            assert second.stderr is not None
            err = await asyncio.wait_for(second.stderr.read(), timeout=60)
            assert await second.wait() == 2
            last = err.decode().strip().splitlines()[-1]
            assert last.startswith(
                "另一个进程正在用同一令牌轮询（Telegram 409 Conflict），本进程已退出"
            )
            await liaison.says("/submit 第二个进程退出后的稿件")
            assert (await answer_to(liaison)).startswith("已报送 #2")
        finally:
            first.terminate()
            await first.wait()
    assert all("Conflict" not in t and "系统繁忙" not in t for t in texts(sandbox, admin.id))
    assert all("系统繁忙" not in t for t in texts(sandbox, liaison.id))
