"""``gongkai console``: chat with the real bot in the terminal, through the sandbox, as anyone.

For trying the bot and training liaisons without a token or a network. Lines are sent as
messages; lines starting with ``:`` are console commands (``:help`` lists them).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.app import build_application, start_polling, stop_polling
from bot.sandbox import Sandbox, SandboxUser, SentMessage
from bot.settings import Settings
from domain.rules import Rules
from storage.db import Database

CONSOLE_HELP = """控制台命令：
  :press 按钮文字        点击机器人最近消息上的按钮
  :upload 文件路径 [说明]  发送文件（说明写 /import 即导入）
  :as 用户ID [姓名]       切换为另一个用户
  :quit                  退出"""


def render(message: SentMessage) -> str:
    """A bot message as the terminal shows it: text, buttons, attachment."""
    lines = [message.text]
    if message.buttons:
        lines.append("  ".join(f"[{label}]" for label in message.buttons))
    if message.document:
        lines.append(f"📎 {message.document.get('file_name', '文件')}")
    return "\n".join(lines)


async def run_console(
    settings: Settings,
    rules: Rules,
    db: Database,
    user_id: int,
    name: str,
    read_line: Callable[[], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Run the bot on a sandbox and relay between the terminal and the chosen user's chat."""
    async with Sandbox() as sandbox:
        bot_settings = settings.model_copy(
            update={"bot_token": sandbox.token, "api_server": sandbox.url}
        )
        application = build_application(bot_settings, rules, db, delivery_interval=0.5)
        await start_polling(application)
        user = sandbox.user(user_id, name)
        write(f"已连接（沙盒 {sandbox.url}），当前用户 {name}（{user_id}）。")
        write("直接输入即发送消息；输入 :help 查看控制台命令。")
        printer = asyncio.create_task(_print_replies(lambda: user, write))
        try:
            while True:
                try:
                    line = (await asyncio.to_thread(read_line)).strip()
                except EOFError:
                    break
                if not line:
                    continue
                if line.startswith(":"):
                    switched = await _console_command(sandbox, user, line, write)
                    if switched is None:
                        break
                    user = switched
                    continue
                await user.says(line)
                await asyncio.sleep(0.3)
        finally:
            printer.cancel()
            await stop_polling(application)


async def _print_replies(current: Callable[[], SandboxUser], write: Callable[[str], None]) -> None:
    while True:
        for message in current().unread():
            write(f"🤖 {render(message)}\n")
        await asyncio.sleep(0.1)


async def _console_command(
    sandbox: Sandbox, user: SandboxUser, line: str, write: Callable[[str], None]
) -> SandboxUser | None:
    command, _, rest = line[1:].partition(" ")
    try:
        if command == "quit":
            return None
        if command == "press":
            await user.presses(rest.strip())
        elif command == "upload":
            path, _, caption = rest.strip().partition(" ")
            await user.uploads(Path(path).name, Path(path).read_bytes(), caption or None)
        elif command == "as":
            raw_id, _, name = rest.strip().partition(" ")
            user = sandbox.user(int(raw_id), name or f"用户{raw_id}")
            write(f"已切换为 {user.data['first_name']}（{user.id}）。")
        else:
            write(CONSOLE_HELP)
    except (LookupError, OSError, ValueError) as exc:
        write(f"⚠️ {exc}")
    return user


def main_console(settings: Settings, rules: Rules, db: Database, user_id: int, name: str) -> None:
    """Blocking entry point for the CLI."""
    try:
        asyncio.run(run_console(settings, rules, db, user_id, name))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
