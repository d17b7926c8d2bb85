"""``gongkai demo --city``: June 2021 across two levels, offline, through the real bot.

济宁市 and its two districts (济宁高新区, 任城区) in one deployment, from
``examples/jining-city``: the city's units and 2021 任务分解表, each district's units and
history under its own rules. Liaisons of both districts submit; each district forwards, which
submits the article to the city; the city publishes two in its 《政务公开经验做法》, forwards
one that the province then publishes, and declines one, and each district records and scores
what happened above by its own rules. A district reports progress on a city task. Then each
office's bulletin goes out on its own working day of July to its own chat, the city's with
its districts rolled up. The transcript and every file go to the output folder, a folder per
office.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import stop_polling
from bot.demo import TZ, Clock, DemoResult, Script, save_files, start_bot
from bot.examples import CITY_OFFICES, EXAMPLES, city_rules, load_city
from bot.sandbox import Sandbox, SandboxUser
from domain.offices import list_offices, set_office
from domain.periods import Month
from domain.roles import grant_role
from domain.rules import load_rules
from domain.workdays import nth_working_day, nth_working_day_before_end
from jobs.monthly import as_office, bulletin_job, reminder_job
from runtime.settings import Settings
from storage.db import Database

JUNE = Month(2021, 6)
CITY_ADMIN, CITY_SUPERVISOR = 1000, 2000


@dataclass(frozen=True)
class Seat:
    """An office's admin and its two chats (一月一通报 and 督查室)."""

    admin: int
    admin_name: str
    chat: int
    chat_title: str
    supervision: int
    supervision_title: str


OFFICES = {
    "济宁市": Seat(
        CITY_ADMIN, "市政府办公室-王科长", -1001, "济宁市政务公开工作群", -1002, "市政府督查室"
    ),
    "济宁高新区": Seat(
        4000, "高新区党政办-刘主任", -1101, "高新区政务公开工作群", -1102, "高新区党政办督查室"
    ),
    "任城区": Seat(
        5000, "任城区政府办-张主任", -1201, "任城区政务公开工作群", -1202, "任城区政府督查室"
    ),
}
# The district's own liaison to the city: reports on the city's tasks as the district's unit.
CITY_LIAISON = (4100, "高新区党政办-周科员", "济宁高新区管委会")
# (office, unit, liaison id, liaison name, day of June, title)
JUNE_ARTICLES = [
    ("济宁高新区", "接庄街道", 4001, "高新区接庄-王芳", 7, "济宁高新区接庄街道“阳光村务”全公开"),
    (
        "济宁高新区",
        "行政审批服务局（市场监督管理局）",
        4002,
        "高新区审批局-李强",
        8,
        "济宁高新区企业开办“零成本”政策全公开",
    ),
    ("任城区", "古槐街道", 5001, "古槐-赵静", 8, "任城区古槐街道“网格+公开”打通服务群众最后一米"),
    ("任城区", "区医疗保障局", 5002, "任城区医保局-孙涛", 9, "任城区医保报销政策“明白卡”进万家"),
]
# A liaison whose unit submits nothing in June: reminded before the month ends.
QUIET = ("任城区", "南苑街道", 5003, "南苑-钱伟")
# What the city does with each district's article: publish in its own column, forward
# upward (the province publishes it later), or decline.
CITY_DECISIONS = ["publish", "forward", "publish", "decline"]


async def play_city(out: Path) -> DemoResult:
    """Run June 2021 for the city and its districts and write everything to ``out``."""
    started_at = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("gongkai-demo.db*"):
        stale.unlink()
    db = Database(f"sqlite:///{out / 'gongkai-demo.db'}")
    db.upgrade()
    load_city(db, "demo")
    offices = {office.name: office.id for office in list_offices(db)}
    for name, seat in OFFICES.items():
        if name != "济宁市":  # the city's admins and chats are the deployment's settings
            grant_role(db.scoped(offices[name]), seat.admin, "admin", "demo")
            set_office(
                db, name, "demo", bulletin_chat_id=seat.chat, supervision_chat_id=seat.supervision
            )
    grant_role(db, CITY_SUPERVISOR, "supervisor", "demo")
    clock = Clock(dt.datetime(2021, 6, 1, 9, 0, tzinfo=TZ))
    city = OFFICES["济宁市"]
    async with Sandbox() as sandbox:
        folders = {}
        for name, seat in OFFICES.items():
            sandbox.group(seat.chat, seat.chat_title)
            sandbox.group(seat.supervision, seat.supervision_title)
            folders[seat.chat] = folders[seat.supervision] = out / name
        settings = Settings(
            bot_token=sandbox.token,
            api_server=sandbox.url,
            database_url=db.url,
            admin_ids=frozenset({CITY_ADMIN}),
            bulletin_chat_id=city.chat,
            supervision_chat_id=city.supervision,
        )
        application = await start_bot(settings, city_rules(), db, clock)
        script = Script(sandbox, clock, application, db)
        try:
            await _play_june(script, sandbox, offices)
        finally:
            await stop_polling(application)
        files = save_files(sandbox, out, folders)
    transcript = out / "transcript.txt"
    transcript.write_text("\n".join(script.lines).lstrip() + "\n", encoding="utf-8")
    db.dispose()
    return DemoResult(transcript, files, time.monotonic() - started_at)


def _number(text: str) -> int:
    """The article number a message names first (``#48``)."""
    found = re.search(r"#(\d+)", text)
    assert found is not None, text
    return int(found.group(1))


async def _play_june(script: Script, sandbox: Sandbox, offices: dict[str, int]) -> None:
    admins = {name: sandbox.user(seat.admin, seat.admin_name) for name, seat in OFFICES.items()}
    supervisor = sandbox.user(CITY_SUPERVISOR, "市政府督查室-陈科长")
    liaisons: dict[int, SandboxUser] = {}

    async def invite(admin: SandboxUser, unit: str, user_id: int, name: str) -> None:
        await script.act(admin.says(f"/invite {unit}"))
        code = admin.unread()[-1].text.split("/start ")[-1].strip()
        liaisons[user_id] = sandbox.user(user_id, name)
        await script.act(liaisons[user_id].says(f"/start {code}"))

    script.when(dt.datetime(2021, 6, 1, 9, 0, tzinfo=TZ), "市、区两级办公室邀请联络员")
    await script.act(admins["济宁市"].says("/start"))
    people = [(office, unit, user_id, name) for office, unit, user_id, name, *_ in JUNE_ARTICLES]
    for office, unit, user_id, name in [*people, QUIET]:
        await invite(admins[office], unit, user_id, name)
    user_id, name, unit = CITY_LIAISON
    await invite(admins["济宁市"], unit, user_id, name)
    for admin in admins.values():
        admin.unread()

    for office, unit, user_id, _, day, title in JUNE_ARTICLES:
        script.when(dt.datetime(2021, 6, day, 10, 0, tzinfo=TZ), f"{office}{unit}报送稿件")
        await script.act(liaisons[user_id].says(f"/submit {title}"))

    script.when(dt.datetime(2021, 6, 10, 15, 0, tzinfo=TZ), "两区审核，采用并报送市级平台")
    copies = []
    for office, *_ in JUNE_ARTICLES:
        await script.act(admins[office].says("/pending"))
        await script.act(admins[office].presses("上报"))
        copies.append(_number(admins["济宁市"].unread()[-1].text))

    script.when(dt.datetime(2021, 6, 11, 10, 0, tzinfo=TZ), "市政府办公室处理各区报送的稿件")
    city = admins["济宁市"]
    for copy, decision in zip(copies, CITY_DECISIONS, strict=True):
        if decision == "publish":
            await script.act(city.says(f"/publish {copy} 经验做法"))
        else:
            await script.act(city.says(f"/{decision} {copy}"))
    forwarded = copies[CITY_DECISIONS.index("forward")]

    script.when(dt.datetime(2021, 6, 17, 10, 0, tzinfo=TZ), "高新区报送市级任务进展")
    reporter = liaisons[CITY_LIAISON[0]]
    progress = "/progress T1 已在区政府门户网站开设“十四五”规划专题，公开规划12项"
    await script.act(reporter.says(progress))

    script.when(dt.datetime(2021, 6, 22, 11, 0, tzinfo=TZ), "省级平台刊发，市政府办公室记录采用")
    await script.act(city.says(f"/publish {forwarded} 看山东"))

    before_end = city_rules().schedule.reminder_working_days_before_end
    reminder_day = nth_working_day_before_end(JUNE, before_end)
    script.when(dt.datetime.combine(reminder_day, dt.time(9, 0), TZ), "月底前提醒未报送单位")
    for name in OFFICES:
        await script.job(as_office(reminder_job, _office_id(offices, name)))

    script.when(dt.datetime(2021, 6, 30, 16, 0, tzinfo=TZ), "市政府督查室查看各区汇总和排名")
    await script.act(supervisor.says("/start"))
    await script.act(supervisor.says("/rollup 2021-01..2021-06"))
    await script.act(supervisor.says("/rank 2021-01..2021-06 县市区"))
    await script.act(supervisor.says("/rank 任城区 2021-01..2021-06"))

    # Each office's bulletin on its own working day of July, as its rules say.
    days = {
        office.name: nth_working_day(JUNE.next(), _working_day(office.rules))
        for office in CITY_OFFICES
    }
    for name in sorted(days, key=lambda n: days[n]):
        script.when(dt.datetime.combine(days[name], dt.time(9, 0), TZ), f"{name}一月一通报")
        await script.job(as_office(bulletin_job, _office_id(offices, name)))


def _office_id(offices: dict[str, int], name: str) -> int | None:
    """How jobs name an office: None for the root (the city), else its id."""
    return None if name == "济宁市" else offices[name]


def _working_day(rules: str) -> int:
    """The working day of the month an office's rules (a file of the example) issue on."""
    return load_rules(EXAMPLES / rules).schedule.bulletin_working_day


def run_city_demo(out: Path) -> DemoResult:
    """Blocking entry point for the CLI."""
    return asyncio.run(play_city(out))
