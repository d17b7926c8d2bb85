"""A broadcast to many liaisons through the outbox, against a sandbox limited to a set rate.

    python bench/bench_broadcast.py [--recipients 10000] [--rate 100] [--url DATABASE_URL]

The sandbox refuses (429) any message beyond ``--rate`` per second across all chats, as
Telegram does at about 30. The real bot (the application ``gongkai run`` builds, with its
``AIORateLimiter`` set to the same rate) drains the outbox; the script prints the delivery
rate against the limit, how many requests the sandbox refused, and checks that every liaison
got exactly one message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections import Counter

from common import fresh_database
from sqlalchemy import insert, text

from bot.app import build_application, start_polling, stop_polling
from bot.sandbox import Limits, Sandbox
from domain.rules import load_rules
from runtime.settings import Settings
from storage.db import Database
from storage.models import OutboxMessage, utcnow


def prepare(url: str | None, recipients: int) -> Database:
    """A fresh database whose outbox holds one notice per recipient."""
    db = fresh_database(url, "bench-broadcast.db")
    now = utcnow()
    with db.session() as session:
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "key": f"bench:{n}",
                    "chat_id": 100_000 + n,
                    "text": f"提醒：第 {n} 号联络员，本月尚未报送政务公开工作信息。",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for n in range(recipients)
            ],
        )
    return db


async def broadcast(db: Database, recipients: int, rate: float) -> None:
    """Deliver the outbox through the real bot and print the figures."""
    async with Sandbox(limits=Limits(global_per_second=rate)) as sandbox:
        for n in range(recipients):
            sandbox.user(100_000 + n, f"联络员{n}")
        settings = Settings(bot_token=sandbox.token, api_server=sandbox.url, database_url=db.url)
        application = build_application(
            settings, load_rules(), db, delivery_interval=0.5, overall_rate=rate
        )
        await start_polling(application)
        started = time.perf_counter()
        try:
            while True:
                with db.session() as session:
                    done = session.scalar(
                        text("SELECT count(*) FROM outbox WHERE status <> 'pending'")
                    )
                if done >= recipients:
                    break
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
        finally:
            await stop_polling(application)
        per_chat = Counter(chat.id for chat, message in sandbox.log if chat.id >= 100_000)
    achieved = recipients / elapsed
    doubled = sum(1 for count in per_chat.values() if count > 1)
    lost = recipients - len(per_chat)
    print(f"{recipients:,} messages at a limit of {rate:g}/s, database {db.engine.dialect.name}")
    print(
        f"delivered in {elapsed:.1f} s = {achieved:.1f}/s ({achieved / rate:.0%} of the limit); "
        f"429 refusals {sandbox.refused_for_flooding}; duplicates {doubled}; lost {lost}"
    )


def main() -> None:
    """Fill the outbox and deliver it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--url", help="database (default: a temporary SQLite file)")
    args = parser.parse_args()
    # A delivery round still running when the next is due is skipped, by design; say nothing.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    db = prepare(args.url, args.recipients)
    asyncio.run(broadcast(db, args.recipients, args.rate))


if __name__ == "__main__":
    main()
