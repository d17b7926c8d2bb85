"""`gongkai run` fails fast with one line; webhook mode checks the secret; the console chats."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.app import build_application, start_application, stop_application
from bot.cli import main
from bot.console import run_console
from bot.sandbox import Sandbox
from bot.webhook import WebhookServer
from domain.notices import enqueue
from domain.rules import Rules
from domain.service_status import ServiceStatus, read_status
from runtime.settings import Settings
from storage.db import Database
from storage.models import BulletinIssue
from storage.repos import Repo
from tests.waiting import eventually


def test_run_without_a_token_is_one_line(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err == "配置错误：GONGKAI_BOT_TOKEN：未设置，gongkai run 需要机器人令牌\n"


def test_run_with_an_unreachable_database_is_one_line(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGKAI_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("GONGKAI_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("无法连接数据库")
    assert err.count("\n") == 1


_handed_out: set[int] = set()


def free_port() -> int:
    """A port no other test has had, below the kernel's ephemeral range: a port the kernel
    hands out (bind to 0, or any outgoing connection) could be taken again before the process
    under test binds it."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except OSError:
        low = 32768
    while True:
        port = random.randrange(max(1025, low - 12_000), low)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def test_run_on_a_port_in_use_is_one_line(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGKAI_BOT_TOKEN", "123:abc")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = str(taken.getsockname()[1])
        hook = "https://bot.example.gov.cn/hook"
        assert main(["run", "--webhook-url", hook, "--listen", "127.0.0.1", "--port", port]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"无法监听 127.0.0.1:{port}")
    assert err.count("\n") == 1


async def test_webhook_mode_delivers_updates_and_rejects_a_wrong_secret(
    db: Database, rules: Rules
) -> None:
    async with Sandbox() as sandbox:
        settings = Settings(bot_token=sandbox.token, database_url=db.url, api_server=sandbox.url)
        application = build_application(settings, rules, db)
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        server = WebhookServer(application, "/hook", "s3cret", lambda: _status(db, rules))
        await start_application(application)
        await application.bot.set_webhook(url, secret_token="s3cret")
        await server.start("127.0.0.1", port)
        try:
            assert sandbox.webhook == {"url": url, "secret": "s3cret", "max_connections": 40}
            visitor = sandbox.user(7001, "访客")
            await visitor.says("/help")
            assert "尚未绑定单位" in (await visitor.reply()).text
            async with httpx.AsyncClient() as client:
                forged = await client.post(
                    url,
                    json={"update_id": 999, "message": {}},
                    headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
                )
                garbled = await client.post(
                    url, content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                )
            assert forged.status_code == 403
            assert garbled.status_code == 400
        finally:
            await server.stop()
            await stop_application(application)


def _status(db: Database, rules: Rules) -> ServiceStatus:
    return read_status(db, rules, dt.datetime.now(dt.UTC), ZoneInfo("Asia/Shanghai"))


async def test_healthz_shows_the_service_in_chinese_and_as_json(db: Database, rules: Rules) -> None:
    async with Sandbox() as sandbox:
        settings = Settings(bot_token=sandbox.token, database_url=db.url, api_server=sandbox.url)
        application = build_application(settings, rules, db, lease_seconds=3)
        port = free_port()
        server = WebhookServer(application, "hook", "s3cret", lambda: _status(db, rules))
        await start_application(application)
        await server.start("127.0.0.1", port)
        try:
            services = application.bot_data.services
            async with httpx.AsyncClient() as client:

                async def holding() -> httpx.Response | None:
                    page = await client.get(f"http://127.0.0.1:{port}/healthz")
                    return page if services.holder in page.text else None

                page = await eventually(holding, timeout=5, what="the jobs' holder on /healthz")
                data = (await client.get(f"http://127.0.0.1:{port}/healthz?format=json")).json()
            assert page.status_code == 200
            assert f"定时任务：由 {services.holder} 运行" in page.text
            assert "收件箱：待处理 0 条" in page.text
            assert "下次一月一通报" in page.text
            assert data["ok"] is True
            assert data["jobs"]["holder"] == services.holder
        finally:
            await server.stop()
            await stop_application(application)


async def test_healthz_is_503_when_the_database_is_not_at_the_newest_schema(rules: Rules) -> None:
    async with Sandbox() as sandbox:
        db = Database("sqlite://")
        settings = Settings(
            bot_token=sandbox.token, database_url="sqlite://", api_server=sandbox.url
        )
        application = build_application(settings, rules, db)
        port = free_port()
        server = WebhookServer(application, "hook", "s3cret", lambda: _status(db, rules))
        await server.start("127.0.0.1", port)
        try:
            async with httpx.AsyncClient() as client:
                page = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert page.status_code == 503
            assert "请运行 gongkai db upgrade" in page.text
        finally:
            await server.stop()


def test_status_reports_backlogs_and_the_last_bulletin(
    env: str, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.session() as session:
        repo = Repo(session)
        enqueue(repo, "status:test", 42, "待发送")
        session.add(BulletinIssue(month=dt.date(2020, 7, 1), status="issued", created_by="test"))
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "发件箱：待发送 1 条" in out
    assert "最近通报：2020年7月，待发送（通报群未设置？" in out
    assert "定时任务：没有进程在运行" in out


def test_status_of_an_unreachable_database_exits_1(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert "✗ 无法连接数据库" in out
    assert "下次一月一通报" in out


async def test_console_relays_between_the_terminal_and_the_bot(
    db: Database, rules: Rules, tmp_path: Path
) -> None:
    lines = iter(["/help", ":press 不存在", ":as 7002 新用户", "/start", ":quit"])
    written: list[str] = []

    def read_line() -> str:
        time.sleep(0.6)  # a person reads the answer before typing on
        return next(lines)

    settings = Settings(database_url=db.url, admin_ids=frozenset({1000}))
    await asyncio.wait_for(
        run_console(settings, rules, db, 1000, "试用者", tmp_path, read_line, written.append),
        timeout=20,
    )
    text = "\n".join(written)
    assert "您的身份：管理员" in text
    assert "⚠️ 最近的消息上没有按钮“不存在”" in text
    assert "已切换为 新用户（7002）" in text
    assert "联络员请点击政务公开办公室发给您的邀请链接完成绑定" in text


async def test_console_in_an_empty_folder_loads_the_example_and_saves_the_files_it_receives(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "空文件夹"
    folder.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "console",
        "--example",
        "gaoxin-2020",
        "--admin",
        cwd=folder,
        env={**environment, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdin is not None and process.stdout is not None
    saved = folder / "console-files"
    try:
        process.stdin.write(b"/bulletin 2020-07\n")
        await process.stdin.drain()
        await eventually(lambda: len(list(saved.glob("*"))) >= 3, timeout=30, what="3 files")
        process.stdin.write(b":quit\n")
        await process.stdin.drain()
        out = (await asyncio.wait_for(process.stdout.read(), timeout=30)).decode()
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    assert (folder / "gongkai.db").is_file()
    assert "稿件导入完成：新增 17 篇" in out
    files = sorted(p.name for p in saved.iterdir())
    assert any(name.endswith(".docx") for name in files), out
    assert f"📎 已保存：{saved.resolve()}" in out
    assert "Traceback" not in out
