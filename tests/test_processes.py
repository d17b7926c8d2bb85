"""Several `gongkai run` processes on one PostgreSQL, in webhook mode behind a round-robin load
balancer, during a burst of submissions, a broadcast, a campaign past its deadline and (when
the wall clock says one is due) a bulletin: every message goes out once and every job runs
once."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.sandbox import Sandbox, round_robin
from domain.campaigns import open_campaign
from domain.monthly import bulletin_due
from domain.rules import Rules
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import Article, AuditEntry, BulletinIssue, InboxUpdate
from tests.test_reliability import LIAISONS, bind_liaisons, texts
from tests.test_run import free_port
from tests.waiting import eventually, settled

pytestmark = pytest.mark.skipif(
    not os.environ.get("GONGKAI_TEST_DATABASE_URL"), reason="several processes need PostgreSQL"
)
ADMIN = 1
BULLETIN_CHAT = -1001
SUPERVISION_CHAT = -1002
SECRET = "one-secret-for-all"
# The processes run on the default settings: Beijing time.
TZ = ZoneInfo("Asia/Shanghai")


async def start_process(
    sandbox: Sandbox, db: Database, public_url: str, port: int, log: Path
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "GONGKAI_BOT_TOKEN": sandbox.token,
        "GONGKAI_API_SERVER": sandbox.url,
        "GONGKAI_DATABASE_URL": db.url,
        "GONGKAI_ADMIN_IDS": str(ADMIN),
        "GONGKAI_BULLETIN_CHAT_ID": str(BULLETIN_CHAT),
        "GONGKAI_SUPERVISION_CHAT_ID": str(SUPERVISION_CHAT),
        "GONGKAI_WEBHOOK_SECRET": SECRET,
    }
    command = ["run", "--webhook-url", public_url, "--listen", "127.0.0.1", "--port", str(port)]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *command,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM, and SIGKILL for any process still there 30 s later: none outlives the test."""
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"process {process.pid} did not stop on SIGTERM") from None


async def healthy(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    """Wait for ``/healthz``; fail with the process's log if it exits first."""
    async with aiohttp.ClientSession() as session:

        async def up() -> bool:
            if process.returncode is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise AssertionError(f"process on port {port} exited {process.returncode}:\n{tail}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as page:
                    return page.status == 200
            except aiohttp.ClientError:
                return False

        await eventually(up, timeout=60, what=f"/healthz on port {port}")


async def until(missing: Callable[[], list[str]], timeout: float = 90) -> None:
    """Wait until ``missing()`` is empty; fail with what is still missing."""
    try:
        await eventually(lambda: not missing(), timeout=timeout, what="every answer")
    except AssertionError:
        raise AssertionError(f"still missing after {timeout} s: {missing()[:10]}") from None


def bulletin_is_due(rules: Rules) -> bool:
    """Whether the processes, on the wall clock, find last month's bulletin due (from the
    3rd working day of a month, 09:00, Beijing time)."""
    now = dt.datetime.now(TZ)
    return now >= bulletin_due(now, rules, TZ)[1]


@pytest.mark.parametrize("processes", [2, 3])
async def test_several_processes_send_each_message_once_and_run_each_job_once(
    db: Database, rules: Rules, processes: int, tmp_path: Path
) -> None:
    bind_liaisons(db)
    # Past its deadline before any process starts: whichever takes the jobs' lease escalates it.
    yesterday = dt.datetime.now(TZ).date() - dt.timedelta(days=1)
    open_campaign(db, rules, "上月材料", yesterday, "all", "text", "test", CHAT_WORDING)
    due = bulletin_is_due(rules)
    async with Sandbox() as sandbox:
        sandbox.user(ADMIN, "办公室")
        sandbox.group(BULLETIN_CHAT, "政务公开工作群")
        sandbox.group(SUPERVISION_CHAT, "督查室")
        users = [sandbox.user(10_000 + n, f"联络员{n}") for n in LIAISONS]
        ports = [free_port() for _ in range(processes)]
        backends = [f"http://127.0.0.1:{port}/hook" for port in ports]
        async with round_robin(backends) as (public_url, served):
            logs = [tmp_path / f"process-{port}.log" for port in ports]
            running = [
                await start_process(sandbox, db, public_url, port, log)
                for port, log in zip(ports, logs, strict=True)
            ]
            try:
                for process, port, log in zip(running, ports, logs, strict=True):
                    await healthy(process, port, log)
                await until(lambda: [] if sandbox.webhook else ["the webhook"])
                for n, user in zip(LIAISONS, users, strict=True):
                    await user.says(f"/submit 第{n}篇稿件")
                opened = open_campaign(
                    db,
                    rules,
                    "半年工作总结",
                    dt.date.today() + dt.timedelta(days=30),
                    "all",
                    "text",
                    "test",
                    CHAT_WORDING,
                )

                def unanswered() -> list[str]:
                    left = [
                        f"{u.id}: {what}"
                        for u in users
                        for what, found in (
                            ("receipt", any(t.startswith("已报送") for t in texts(sandbox, u.id))),
                            ("campaign", any("半年工作总结" in t for t in texts(sandbox, u.id))),
                        )
                        if not found
                    ]
                    if not any("催报逾期" in t for t in texts(sandbox, SUPERVISION_CHAT)):
                        left.append("overdue campaign")
                    if due and not sandbox.bot_messages(BULLETIN_CHAT):
                        left.append("bulletin")
                    return left

                await until(unanswered)
                await settled(sandbox, db, quiet=3)  # a second copy would be here by then
            finally:
                await stop_all(running)
        assert all(served), served  # the balancer reached every process
        for chat in [ADMIN, BULLETIN_CHAT, SUPERVISION_CHAT, *(u.id for u in users)]:
            sent = [
                (m.get("text", ""), (m.get("document") or {}).get("file_name"))
                for m in sandbox.bot_messages(chat)
            ]
            assert len(sent) == len(set(sent)), (chat, sent)
        for n, user in zip(LIAISONS, users, strict=True):
            receipts = [t for t in texts(sandbox, user.id) if t.startswith("已报送 #")]
            assert len(receipts) == 1 and f"《第{n}篇稿件》" in receipts[0]
    assert sum("催报逾期" in t for t in texts(sandbox, SUPERVISION_CHAT)) == 1
    assert opened.units == len(LIAISONS)
    # The bulletin's due moment may pass while the test runs: then either count is right.
    bulletins = {int(due), int(bulletin_is_due(rules))}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == len(LIAISONS)
        assert session.scalar(select(func.count()).select_from(BulletinIssue)) in bulletins
        issued = select(func.count()).where(AuditEntry.action == "bulletin.issued")
        assert session.scalar(issued) in bulletins
        handlers = session.scalars(select(InboxUpdate.claimed_by).distinct()).all()
        statuses = set(session.scalars(select(InboxUpdate.status)))
    assert statuses == {"done"}
    assert len(handlers) >= 1
