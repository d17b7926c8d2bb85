"""`gongkai run` fails fast with one line; webhook mode checks the secret; the console chats."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from bot.app import build_application
from bot.cli import main
from bot.console import run_console
from bot.sandbox import Sandbox
from bot.settings import Settings
from domain.rules import Rules
from storage.db import Database


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_delivers_updates_and_rejects_a_wrong_secret(
    db: Database, rules: Rules
) -> None:
    async with Sandbox() as sandbox:
        settings = Settings(bot_token=sandbox.token, database_url=db.url, api_server=sandbox.url)
        application = build_application(settings, rules, db)
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token="s3cret"
        )
        try:
            assert sandbox.webhook == {"url": url, "secret": "s3cret"}
            visitor = sandbox.user(7001, "访客")
            await visitor.says("/help")
            assert "尚未绑定单位" in (await visitor.reply()).text
            async with httpx.AsyncClient() as client:
                forged = await client.post(
                    url,
                    json={"update_id": 999, "message": {}},
                    headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
                )
            assert forged.status_code == 403
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


async def test_console_relays_between_the_terminal_and_the_bot(db: Database, rules: Rules) -> None:
    lines = iter(["/help", ":press 不存在", ":as 7002 新用户", "/start", ":quit"])
    written: list[str] = []

    def read_line() -> str:
        time.sleep(0.6)  # a person reads the answer before typing on
        return next(lines)

    settings = Settings(database_url=db.url, admin_ids=frozenset({1000}))
    await asyncio.wait_for(
        run_console(settings, rules, db, 1000, "试用者", read_line, written.append), timeout=20
    )
    text = "\n".join(written)
    assert "您的身份：管理员" in text
    assert "⚠️ no button '不存在'" in text
    assert "已切换为 新用户（7002）" in text
    assert "联络员请点击政务公开办公室发给您的邀请链接完成绑定" in text
