"""``gongkai demo``: a month of the 高新区 office, offline, through the real bot.

The sandbox Bot API and the real application run in this process on a fresh SQLite file with
the 高新区 2020 units and the articles of January to June. July is played through chat:
liaisons are invited and bind, submit their articles (one step by step, with a file), the
office forwards and records publications, a reminder goes out before the month ends; then the
clock moves to the 3rd working day of August and the month-end jobs issue the 1—7月 bulletin,
the 督办单 and the 全区通报. Everything the users saw is written to a transcript, and every
file the bot sent is saved beside it.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import build_application, start_polling, stop_polling
from bot.examples import EXAMPLES, example_rules
from bot.sandbox import Chat, Sandbox, SandboxUser
from domain.articles import import_articles
from domain.inbox import backlog
from domain.roles import grant_role
from domain.rules import Rules
from domain.units import import_units
from jobs.delivery import deliver_outbox
from jobs.monthly import MONTHLY_JOBS, bulletin_job, reminder_job
from runtime.settings import Settings
from storage.db import Database

EXAMPLE = EXAMPLES / "gaoxin-2020"
TZ = ZoneInfo("Asia/Shanghai")
ADMIN, SUPERVISOR = 1000, 2000
BULLETIN_CHAT, SUPERVISION_CHAT = -1001, -1002
JULY = [  # (unit, liaison id, liaison name, day, title, platform recorded by the office)
    ("接庄街道", 3001, "接庄-王芳", 2, "济宁高新区接庄街道全方位公开助力精准扶贫政策落地", None),
    (
        "行政审批服务局（市场监督管理局）",
        3002,
        "审批局-李强",
        8,
        "济宁高新区打造“四即”新模式服务企业全周期",
        "city",
    ),
    (
        "党工委政法委",
        3003,
        "政法委-赵敏",
        14,
        "济宁高新区以“和为贵”助力基层民生诉求响应体系规范化标准化建设",
        "city",
    ),
    ("党工委政法委", 3003, "政法委-赵敏", 20, "济宁高新区多措并举开展信访条例宣传工作", None),
]


class Clock:
    """The demo's business clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class DemoResult:
    """Where the demo wrote its files."""

    transcript: Path
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _rows_before(path: Path, before: dt.date) -> bytes:
    """The example's articles submitted before ``before``, as CSV."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    for row in reader:
        if dt.date.fromisoformat(row["submitted_on"]) < before:
            writer.writerow(row)
    return out.getvalue().encode()


async def _settle(sandbox: Sandbox, db: Database, quiet: float = 0.25, limit: float = 20.0) -> None:
    """Wait until the bot has handled every update, sent what it queued, and stopped
    sending for a moment."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline:
        if len(sandbox.log) == seen and backlog(db) == (0, 0):
            return
        seen = len(sandbox.log)
        await asyncio.sleep(quiet)


class Script:
    """Plays the month and keeps the transcript."""

    def __init__(self, sandbox: Sandbox, clock: Clock, application: Any, db: Database) -> None:
        self.sandbox = sandbox
        self.db = db
        self.clock = clock
        self.application = application
        self.lines: list[str] = []
        self.logged = 0

    def when(self, moment: dt.datetime, what: str) -> None:
        """Move the clock and note it in the transcript."""
        self.flush()
        self.clock.now = moment
        local = moment.astimezone(TZ)
        self.lines.append(f"\n=== {local:%Y年%m月%d日 %H:%M} {what} ===\n")

    async def act(self, action: Awaitable[Any]) -> None:
        """Do something as a user and let the bot answer."""
        await action
        await _settle(self.sandbox, self.db)
        self.flush()

    async def job(self, callback: Callable[[Any], Awaitable[None]]) -> None:
        """Run a scheduled job now, as its trigger would, wait for it to end (a city's bulletin
        takes a while to write), then let delivery finish."""
        assert self.application.job_queue is not None
        done = asyncio.Event()

        async def tracked(context: Any) -> None:
            try:
                await callback(context)
            finally:
                done.set()

        self.application.job_queue.run_once(tracked, 0)
        await asyncio.wait_for(done.wait(), 120)
        await _settle(self.sandbox, self.db, quiet=1.0, limit=40.0)
        self.application.job_queue.run_once(deliver_outbox, 0)
        await _settle(self.sandbox, self.db, quiet=1.0, limit=40.0)
        self.flush()

    def flush(self) -> None:
        """Append what happened in every chat since the last flush."""
        for chat, message in self.sandbox.log[self.logged :]:
            self.lines.append(_render(chat, message, self.sandbox.bot_id))
        self.logged = len(self.sandbox.log)


def _render(chat: Chat, message: dict[str, Any], bot_id: int) -> str:
    where = chat.title
    if chat.type == "private":
        where = f"私聊 {chat.user['first_name'] if chat.user else chat.id}"
    sender = message["from"]
    who = "🤖 机器人" if sender["id"] == bot_id else f"👤 {sender['first_name']}"
    body = message.get("text") or message.get("caption") or ""
    lines = [f"[{where}] {who}：{body}".rstrip()]
    if message.get("document"):
        lines.append(f"    📎 {message['document']['file_name']}")
    if message.get("photo"):
        size = message["photo"][-1]
        lines.append(f"    🖼 图表 {size['width']}×{size['height']}")
    if message.get("edit_date"):
        lines[0] = lines[0].replace("：", "（修改消息）：", 1)
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    if keyboard:
        lines.append("    " + "  ".join(f"[{b['text']}]" for row in keyboard for b in row))
    return "\n".join(lines)


async def start_bot(settings: Settings, rules: Rules, db: Database, clock: Clock) -> Any:
    """The real bot, polling the sandbox, once its start-up catch-up has decided; without its
    scheduled routine, which the demo fires itself at the instants it plays."""
    application = build_application(settings, rules, db, clock=clock, delivery_interval=0.5)
    await start_polling(application)
    while not application.bot_data.caught_up:
        await asyncio.sleep(0.05)
    assert application.job_queue is not None
    for job in application.job_queue.jobs():
        if job.name and job.name.split(":")[0] in MONTHLY_JOBS:
            job.schedule_removal()
    return application


async def play(out: Path, rules: Rules) -> DemoResult:
    """Run the whole month and write everything to ``out``."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    database = out / "gongkai-demo.db"
    for stale in out.glob("gongkai-demo.db*"):
        stale.unlink()
    db = Database(f"sqlite:///{database}")
    db.upgrade()
    import_units(db, "units.csv", (EXAMPLE / "units.csv").read_bytes(), "demo")
    before_july = _rows_before(EXAMPLE / "articles.csv", dt.date(2020, 7, 1))
    import_articles(db, "articles.csv", before_july, rules, "demo")
    grant_role(db, SUPERVISOR, "supervisor", "demo")
    clock = Clock(dt.datetime(2020, 7, 1, 9, 0, tzinfo=TZ))
    async with Sandbox() as sandbox:
        sandbox.group(BULLETIN_CHAT, "高新区政务公开工作群")
        sandbox.group(SUPERVISION_CHAT, "党政办督查室")
        settings = Settings(
            bot_token=sandbox.token,
            api_server=sandbox.url,
            database_url=db.url,
            admin_ids=frozenset({ADMIN}),
            bulletin_chat_id=BULLETIN_CHAT,
            supervision_chat_id=SUPERVISION_CHAT,
        )
        application = await start_bot(settings, rules, db, clock)
        script = Script(sandbox, clock, application, db)
        try:
            await _play_month(script, sandbox)
        finally:
            await stop_polling(application)
        files = save_files(sandbox, out, {BULLETIN_CHAT: out, SUPERVISION_CHAT: out})
    transcript = out / "transcript.txt"
    transcript.write_text("\n".join(script.lines).lstrip() + "\n", encoding="utf-8")
    db.dispose()
    return DemoResult(transcript, files, time.monotonic() - started)


async def _play_month(script: Script, sandbox: Sandbox) -> None:
    office = sandbox.user(ADMIN, "党政办-刘主任")
    supervisor = sandbox.user(SUPERVISOR, "督查室-陈科长")
    liaisons: dict[int, SandboxUser] = {}

    script.when(dt.datetime(2020, 7, 1, 9, 0, tzinfo=TZ), "办公室邀请联络员")
    await script.act(office.says("/start"))
    people = [(unit, user_id, name) for unit, user_id, name, *_ in JULY]
    for unit, user_id, name in [*people, ("柳行街道", 3004, "柳行-孙磊")]:
        if user_id in liaisons:
            continue
        await script.act(office.says(f"/invite {unit}"))
        invite = office.unread()[-1].text
        code = invite.split("/start ")[-1].strip()
        liaisons[user_id] = sandbox.user(user_id, name)
        await script.act(liaisons[user_id].says(f"/start {code}"))
    office.unread()

    for number, (unit, user_id, _, day, title, _) in enumerate(JULY):
        script.when(dt.datetime(2020, 7, day, 10, 0, tzinfo=TZ), f"{unit}报送稿件")
        liaison = liaisons[user_id]
        if number == 0:
            await script.act(liaison.says("/submit"))
            await script.act(liaison.says(title))
            await script.act(liaison.presses("跳过"))
            await script.act(liaison.uploads("接庄街道精准扶贫.docx", b"PK\x03\x04demo"))
            await script.act(liaison.presses("《政务公开经验做法》"))
            await script.act(liaison.presses("完成"))
            await script.act(liaison.presses("确认报送"))
        else:
            await script.act(liaison.says(f"/submit {title}"))
        script.when(dt.datetime(2020, 7, day, 15, 0, tzinfo=TZ), "办公室审核")
        await script.act(office.says("/pending"))
        await script.act(office.presses("上报"))
    published_on = iter([22, 24])
    for number, (_, _, _, _, _, platform) in enumerate(JULY):
        if platform:
            day = next(published_on)
            script.when(dt.datetime(2020, 7, day, 11, 0, tzinfo=TZ), "市级平台刊发，办公室记录采用")
            article_id = 14 + number
            await script.act(office.says(f"/publish {article_id}"))
            await script.act(office.presses("《政务公开经验做法》（10分）"))

    script.when(dt.datetime(2020, 7, 27, 9, 0, tzinfo=TZ), "月底前第5个工作日：提醒未报送单位")
    await script.job(reminder_job)
    await script.act(liaisons[3004].says("/mine"))

    script.when(dt.datetime(2020, 7, 31, 16, 0, tzinfo=TZ), "督查室查看排名和连续无进展单位")
    await script.act(supervisor.says("/start"))
    await script.act(supervisor.says("/rank 2020-01..2020-07"))
    await script.act(supervisor.says("/unit 党政办公室"))
    await script.act(supervisor.says("/stagnant"))

    script.when(dt.datetime(2020, 8, 5, 9, 0, tzinfo=TZ), "8月第3个工作日：一月一通报")
    await script.job(bulletin_job)


def save_files(sandbox: Sandbox, out: Path, folders: dict[int, Path]) -> list[Path]:
    """Write every file the bot sent to the group chats into each chat's folder, and the charts
    it showed in private chats into ``out``."""
    saved = []
    for chat_id, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        seen: set[str] = set()
        for message in sandbox.bot_messages(chat_id):
            document = message.get("document")
            if not document or document["file_name"] in seen:
                continue
            seen.add(document["file_name"])
            path = folder / document["file_name"]
            path.write_bytes(sandbox.files[document["file_id"]].content)
            saved.append(path)
    charts: set[Path] = set()
    for _, message in sandbox.log:  # the charts shown in private chats
        if message.get("photo") and message["from"]["id"] == sandbox.bot_id:
            stored = sandbox.files[message["photo"][-1]["file_id"]]
            path, n = out / stored.name, 1
            while path in charts:  # two charts of one name in this run: both kept
                n += 1
                path = out / f"{Path(stored.name).stem}-{n}{Path(stored.name).suffix}"
            charts.add(path)
            path.write_bytes(stored.content)
            saved.append(path)
    return saved


def run_demo(out: Path) -> DemoResult:
    """Blocking entry point for the CLI."""
    return asyncio.run(play(out, example_rules()))
