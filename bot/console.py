"""``gongkai console``: chat with the real bot in the terminal, through the sandbox, as anyone.

For trying the bot and training liaisons without a token or a network. Lines are sent as
messages; lines starting with ``:`` are console commands (``:help`` lists them). Every file the
bot sends is saved into a folder and its path printed, so the clerk can open the preview.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.app import build_application, start_polling, stop_polling
from bot.sandbox import Sandbox, SandboxUser, SentMessage
from domain.rules import Rules
from runtime.settings import Settings
from storage.db import Database

CONSOLE_HELP = """控制台命令：
  :press 按钮文字        点击机器人最近消息上的按钮
  :upload 文件路径 [说明]  发送文件（说明写 /import 即导入）
  :as 用户ID [姓名]       切换为另一个用户
  :quit                  退出"""


def render(message: SentMessage, saved: Path | None = None) -> str:
    """A bot message as the terminal shows it: text, buttons, where its file was saved."""
    lines = [message.text] if message.text else []
    if message.buttons:
        lines.append("  ".join(f"[{label}]" for label in message.buttons))
    if saved is not None:
        lines.append(f"📎 已保存：{saved}")
    return "\n".join(lines)


def save_attachment(sandbox: Sandbox, message: SentMessage, folder: Path) -> Path | None:
    """Write the message's document or photo into ``folder``, never over an earlier file."""
    document = message.document
    photos = message.raw.get("photo") or []
    if document:
        file_id, name = document["file_id"], document.get("file_name") or "文件"
    elif photos:
        file_id = photos[-1]["file_id"]
        name = sandbox.files[file_id].name or f"图片-{message.raw['message_id']}.png"
    else:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / Path(name).name, 1
    while path.exists():
        n += 1
        path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    path.write_bytes(sandbox.files[file_id].content)
    return path.resolve()


async def run_console(
    settings: Settings,
    rules: Rules,
    db: Database,
    user_id: int,
    name: str,
    files: Path,
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
        write(f"机器人发来的文件保存在 {files.resolve()}。")
        printer = asyncio.create_task(_print_replies(sandbox, lambda: user, files, write))
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


async def _print_replies(
    sandbox: Sandbox, current: Callable[[], SandboxUser], files: Path, write: Callable[[str], None]
) -> None:
    while True:
        for message in current().unread():
            write(f"🤖 {render(message, save_attachment(sandbox, message, files))}\n")
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
            try:
                content = Path(path).read_bytes()
            except OSError as exc:
                write(f"⚠️ 无法读取文件 {path}：{exc.strerror}")
                return user
            await user.uploads(Path(path).name, content, caption or None)
        elif command == "as":
            raw_id, _, name = rest.strip().partition(" ")
            if not raw_id.isascii() or not raw_id.isdigit():
                write("⚠️ 用户ID应为数字，例如 :as 3001 王芳")
                return user
            user = sandbox.user(int(raw_id), name or f"用户{raw_id}")
            write(f"已切换为 {user.data['first_name']}（{user.id}）。")
        else:
            write(CONSOLE_HELP)
    except LookupError:
        write(f"⚠️ 最近的消息上没有按钮“{rest.strip()}”")
    return user


def main_console(
    settings: Settings, rules: Rules, db: Database, user_id: int, name: str, files: Path
) -> None:
    """Blocking entry point for the CLI."""
    try:
        asyncio.run(run_console(settings, rules, db, user_id, name, files))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
