"""The outbox under Telegram's faults: 429, 5xx, dropped connections, 403, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
import threading

from sqlalchemy import func, select

from bot.sandbox import Fault, Sandbox
from domain.notices import enqueue
from domain.rules import Rules
from jobs.delivery import deliver_outbox
from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import Repo
from tests.botworld import World, running_bot
from tests.waiting import eventually

NOW = dt.datetime(2020, 8, 4, 10, 0, tzinfo=dt.UTC)
RECIPIENTS = range(7001, 7031)


def queue_broadcast(world: World, key: str = "broadcast") -> None:
    for user_id in RECIPIENTS:
        world.person(user_id, f"联络员{user_id}")
    with world.db.session() as session:
        repo = Repo(session)
        for user_id in RECIPIENTS:
            enqueue(repo, f"{key}:to:{user_id}", user_id, f"通知 <b>{user_id}</b>")


def statuses(db: Database) -> dict[str, int]:
    with db.session() as session:
        return Repo(session).outbox.counts()


async def until_delivered(world: World, expected: int, seconds: float = 20.0) -> None:
    def done() -> bool:
        counts = statuses(world.db)
        return counts.get("sent", 0) + counts.get("undeliverable", 0) >= expected

    await eventually(done, timeout=seconds, what=f"{expected} messages delivered")


def test_a_notice_queued_by_two_transactions_at_once_is_queued_once(db: Database) -> None:
    """Two jobs chasing the same overdue task at one moment (seen on PostgreSQL): the second
    waits for the first, then queues nothing; neither fails."""
    key = "task-overdue:1:2022-01:to:7"
    outcomes: list[bool] = []

    def second() -> None:
        with db.session() as session:
            outcomes.append(enqueue(Repo(session), key, 7, "第二次"))

    with db.session() as session:
        assert enqueue(Repo(session), key, 7, "第一次")
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()  # waiting for this transaction, on either database
    other.join(timeout=30)
    assert outcomes == [False]
    with db.session() as session:
        assert session.scalars(select(OutboxMessage.text)).all() == ["第一次"]


def received(world: World, user_id: int) -> list[str]:
    """What the user has been sent and the test has not read yet (now read)."""
    return [m.text for m in world.person(user_id).unread()]


def kick(world: World) -> None:
    assert world.application.job_queue is not None
    world.application.job_queue.run_once(deliver_outbox, 0)


async def test_429_waits_retry_after_and_delivers_each_once(gaoxin: Database, rules: Rules) -> None:
    async with running_bot(gaoxin, rules, now=NOW) as world:
        world.sandbox.inject(
            Fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=3)
        )
        queue_broadcast(world)
        kick(world)
        await until_delivered(world, 30)
        for user_id in RECIPIENTS:
            assert received(world, user_id) == [f"通知 {user_id}"]
        with gaoxin.session() as session:
            waited = session.scalar(
                select(func.count()).where(OutboxMessage.last_error.like("429%"))
            )
        assert waited >= 1


async def test_5xx_and_dropped_connections_are_retried_with_backoff(
    gaoxin: Database, rules: Rules
) -> None:
    async with running_bot(gaoxin, rules, now=NOW) as world:
        world.sandbox.inject(Fault("sendMessage", 502, "Bad Gateway", times=2))
        world.sandbox.inject(Fault("sendMessage", 0, drop=True, times=2))
        queue_broadcast(world)
        kick(world)
        await until_delivered(world, 30)
        assert statuses(world.db) == {"sent": 30}
        for user_id in RECIPIENTS:
            assert len(received(world, user_id)) == 1


async def test_a_blocked_user_is_marked_undeliverable_and_the_admins_are_told_once(
    gaoxin: Database, rules: Rules
) -> None:
    async with running_bot(gaoxin, rules, now=NOW) as world:
        admin = world.admin
        world.sandbox.block(7005)
        queue_broadcast(world)
        kick(world)
        await until_delivered(world, 31)  # 30 notices and the alert about 7005
        counts = statuses(world.db)
        assert counts == {"sent": 30, "undeliverable": 1}
        alert = await admin.reply()
        assert "一条消息无法送达（对方 7005）" in alert.text
        assert "blocked by the user" in alert.text
        assert admin.unread() == []
        for user_id in RECIPIENTS:
            assert received(world, user_id) == ([] if user_id == 7005 else [f"通知 {user_id}"])


BOT_PROCESS = """
import sys
from bot.app import build_application
from runtime.settings import Settings
from domain.rules import load_rules
from storage.db import Database

root, token, url = sys.argv[1:4]
settings = Settings(bot_token=token, api_server=root, database_url=url)
# A killed process's claims are anyone's 2 s later (on SQLite at once: one process).
build_application(
    settings, load_rules(), Database(url), delivery_interval=0.2, claim_seconds=2
).run_polling(poll_interval=0, timeout=1)
"""


async def bot_process(sandbox: Sandbox, url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT_PROCESS, sandbox.url, sandbox.token, url
    )


async def test_a_bot_killed_in_the_middle_of_a_broadcast_delivers_every_message_once(
    gaoxin: Database, rules: Rules
) -> None:
    async with Sandbox() as sandbox:
        with gaoxin.session() as session:
            repo = Repo(session)
            for user_id in RECIPIENTS:
                sandbox.user(user_id, f"联络员{user_id}")
                enqueue(repo, f"broadcast:to:{user_id}", user_id, f"通知 {user_id}")
        sandbox.inject(Fault("sendMessage", 0, times=12))  # twelve go through
        sandbox.inject(Fault("sendMessage", 0, stall=True))  # the thirteenth hangs
        first = await bot_process(sandbox, gaoxin.url)
        await asyncio.wait_for(sandbox.stalled.wait(), timeout=30)
        first.send_signal(signal.SIGKILL)  # killed with a request in flight
        await first.wait()
        assert statuses(gaoxin) == {"sent": 12, "pending": 18}
        second = await bot_process(sandbox, gaoxin.url)
        try:
            await eventually(
                lambda: statuses(gaoxin) == {"sent": 30}, timeout=30, what="30 messages sent"
            )
        finally:
            second.terminate()
            await second.wait()
        assert statuses(gaoxin) == {"sent": 30}
        for user_id in RECIPIENTS:
            assert [m["text"] for m in sandbox.bot_messages(user_id)] == [f"通知 {user_id}"]


def test_texts_due_for_one_chat_go_as_one_message_in_order() -> None:
    from domain.notices import MERGED_MAX, Pending, merge_for_chats

    def text(n: int, chat: int, body: str = "通知", document: bytes | None = None) -> Pending:
        return Pending(n, f"k{n}", chat, f"{body}{n}", document, None, 0, None)

    batch = [
        text(1, 100),
        text(2, 200),
        text(3, 100),
        text(4, 100, document=b"docx"),
        text(5, 100),
        text(6, 200),
        text(7, 100, body="长" * MERGED_MAX),
    ]
    groups = [[m.id for m in group] for group in merge_for_chats(batch)]
    # 1 and 3 go together; the document ends chat 100's group, so 5 starts another, and 7
    # does not fit beside it.
    assert groups == [[1, 3], [2, 6], [4], [5], [7]]
