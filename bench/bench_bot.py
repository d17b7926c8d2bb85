"""Liaisons submitting through the full stack, beside a bare PTB echo bot on the same sandbox.

    python bench/bench_bot.py [--users 50] [--seconds 10] [--url DATABASE_URL] [--processes N]

The sandbox and the simulated users run in this process; the bot runs in a child process
(``gongkai``'s own builder, polling the sandbox, on a fresh database), as it would in
production. Two loads, each for both bots:

- saturation: every user sends ``/submit <title>``, waits for the receipt, sends the next;
  prints updates per second;
- steady: every user sends one message a second; prints the median and 95th-percentile
  time from the update being queued to the bot's reply arriving.

With ``--processes N`` (N > 1, PostgreSQL), gongkai runs as N webhook processes behind a
round-robin load balancer (``bot.sandbox.round_robin``), as several processes run in
production; the echo bot stays one polling process.

The echo bot is a bare PTB Application whose one handler replies with the text it got: the
floor for any bot on this sandbox and machine. gongkai runs with Telegram's overall cap of 30
messages a second lifted (``overall_rate=0``): with the cap, every bot tops out at 30 a
second on Telegram's side whatever its own speed, and this measures the bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import fresh_database
from sqlalchemy import text

from bot.sandbox import Sandbox, SandboxUser, round_robin

ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_chat.send_message(update.effective_message.text)

root, token = sys.argv[1], sys.argv[2]
app = (ApplicationBuilder().token(token).base_url(root + "/bot")
       .base_file_url(root + "/file/bot").build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=1)
"""

GONGKAI_BOT = """
import sys
from bot.app import build_application
from runtime.settings import Settings
from domain.rules import load_rules
from storage.db import Database

root, token, url = sys.argv[1], sys.argv[2], sys.argv[3]
settings = Settings(bot_token=token, api_server=root, database_url=url,
                    admin_ids=frozenset({1}))
app = build_application(settings, load_rules(), Database(url), overall_rate=0)
app.run_polling(poll_interval=0, timeout=1)
"""

GONGKAI_WEBHOOK = """
import sys
from bot.app import build_application
from runtime.settings import Settings
from bot.webhook import WebhookServer, run_webhook
from domain.rules import load_rules
from storage.db import Database

root, token, url, public, port = sys.argv[1:6]
settings = Settings(bot_token=token, api_server=root, database_url=url,
                    admin_ids=frozenset({1}))
app = build_application(settings, load_rules(), Database(url), overall_rate=0)
server = WebhookServer(app, "/hook", "bench-secret", lambda: {})
run_webhook(app, server, listen="127.0.0.1", port=int(port), webhook_url=public)
"""


def prepare_database(url: str | None, users: int) -> str:
    """A fresh database with one unit and one bound liaison per simulated user."""
    db = fresh_database(url, "bench-bot.db")
    with db.engine.begin() as connection:
        for n in range(1, users + 1):
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
                    "SELECT :id, 'liaison', min(id), 'bench', CURRENT_TIMESTAMP FROM offices"
                ),
                {"id": 10_000 + n},
            )
    db.dispose()
    return db.url


async def exchange(sandbox: Sandbox, user: SandboxUser, message: str) -> float:
    """Send one message and wait for its reply (the one that quotes it: the month-end
    reminder may come in between); seconds from queueing to the reply."""
    started = time.perf_counter()
    await user.says(message)
    quoted = message.split(" ", 1)[-1]
    while quoted not in (await user.reply(timeout=30)).text:
        pass
    return time.perf_counter() - started


async def saturation(sandbox: Sandbox, users: list[SandboxUser], seconds: float) -> float:
    """Updates per second when every user sends again as soon as answered."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop(user: SandboxUser) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            await exchange(sandbox, user, f"/submit 压测稿件 {user.id}-{n}")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(u) for u in users))
    return done / (time.perf_counter() - started)


async def steady(sandbox: Sandbox, users: list[SandboxUser], seconds: float) -> list[float]:
    """Latencies when every user sends one message a second."""
    latencies: list[float] = []

    async def loop(user: SandboxUser, offset: float) -> None:
        await asyncio.sleep(offset)
        for n in range(int(seconds)):
            tick = time.perf_counter()
            latencies.append(await exchange(sandbox, user, f"/submit 稳态稿件 {user.id}-{n}"))
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))

    await asyncio.gather(*(loop(u, i / len(users)) for i, u in enumerate(users)))
    return latencies


def start(program: str, *arguments: str) -> subprocess.Popen[bytes]:
    """A bot process running ``program`` with the project on its path."""
    return subprocess.Popen(
        [sys.executable, "-c", program, *arguments],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


def free_ports(count: int) -> list[int]:
    """Ports free now, for the webhook processes to bind."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


async def run_loads(
    sandbox: Sandbox, people: list[SandboxUser], seconds: float
) -> tuple[float, list[float]]:
    """Once the bot answers: saturation, then the steady load."""
    await exchange(sandbox, people[0], "/submit 预热")
    for person in people:
        person.unread()
    rate = await saturation(sandbox, people, seconds)
    for person in people:
        person.unread()
    return rate, await steady(sandbox, people, seconds)


async def measure(
    kind: str, url: str, users: int, seconds: float, processes: int = 1
) -> tuple[float, list[float]]:
    """Start the sandbox and the bot (``processes`` of them behind a load balancer), run
    both loads, stop."""
    async with Sandbox() as sandbox:
        people = [sandbox.user(10_000 + n, f"联络员{n}") for n in range(1, users + 1)]
        sandbox.user(1, "管理员")  # receives the new-article notices
        if kind == "echo" or processes == 1:
            program = ECHO_BOT if kind == "echo" else GONGKAI_BOT
            children = [start(program, sandbox.url, sandbox.token, url)]
            try:
                return await run_loads(sandbox, people, seconds)
            finally:
                await stop(children)
        ports = free_ports(processes)
        backends = [f"http://127.0.0.1:{port}/hook" for port in ports]
        async with round_robin(backends) as (public, served):
            children = [
                start(GONGKAI_WEBHOOK, sandbox.url, sandbox.token, url, public, str(port))
                for port in ports
            ]
            try:
                result = await run_loads(sandbox, people, seconds)
            finally:
                await stop(children)
            print(f"updates accepted per process: {served}")
            return result


async def stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every bot process and wait for it."""
    for child in children:
        child.terminate()
    for child in children:
        await asyncio.to_thread(child.wait, 30)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Run both bots and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--url", help="database for gongkai (default: a temporary SQLite file)")
    parser.add_argument(
        "--processes", type=int, default=1, help="gongkai processes (webhook mode when > 1)"
    )
    args = parser.parse_args()
    if args.processes > 1 and not (args.url or "").startswith("postgresql"):
        parser.error("several processes share a PostgreSQL database: give --url postgresql+…")
    url = prepare_database(args.url, args.users)
    results = {}
    for kind in ("echo", "gongkai"):
        results[kind] = asyncio.run(measure(kind, url, args.users, args.seconds, args.processes))
    print(
        f"{args.users} users, {args.seconds:.0f} s per load, database {url.split(':')[0]}, "
        f"{args.processes} gongkai process(es)"
    )
    for kind, (rate, latencies) in results.items():
        print(
            f"{kind:8s} saturation {rate:7.1f} updates/s   steady 1 msg/s/user: "
            f"median {statistics.median(latencies) * 1000:5.1f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:5.1f} ms ({len(latencies)} replies)"
        )
    share = results["gongkai"][0] / results["echo"][0]
    print(f"gongkai reaches {share:.0%} of the echo bot's rate")


if __name__ == "__main__":
    main()
