"""One bot, two offices (issue 16): each office's admins, liaisons and supervisors see only
their own office, through the real bot on the sandbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.sandbox import Sandbox, SandboxUser
from domain.rules import DEFAULT_RULES_TEXT, Rules
from storage.db import Database
from storage.models import Article, AuditEntry, Office
from tests.botworld import BULLETIN_CHAT, SUPERVISION_CHAT, World, running_bot
from tests.conftest import GAOXIN, GAOXIN_NOW
from tests.test_monthly_bot import TZ, messages_in

DISTRICT_ADMIN = 4000
DISTRICT_SUPERVISOR = 4002
CITY_UNITS = "name,category\n市大数据局,市直部门\n"
CITY_ARTICLES = (
    "unit,title,submitted_on,forwarded,published_in\n市大数据局,市级机密稿件,2020-07-02,no,\n"
)
TASKS = "部分,工作任务,牵头部门,责任单位,具体要求\n一、公开,（一）任务,{unit},,{requirement}\n"
CITY_TASKS = TASKS.format(unit="市大数据局", requirement="市级机密要求")
DISTRICT_TASKS = TASKS.format(unit="党政办公室", requirement="区级机密要求")


@pytest.fixture
async def city(db: Database, rules: Rules, tmp_path: Path) -> AsyncIterator[World]:
    """济宁市 (the root: one unit of its own, an article, a task and a campaign) and 济宁高新区
    (seed 002's units and articles) with an admin and a supervisor of its own."""
    files = {
        "units.csv": CITY_UNITS,
        "articles.csv": CITY_ARTICLES,
        "tasks.csv": CITY_TASKS,
        "district-tasks.csv": DISTRICT_TASKS,
    }
    district = ["--office", "济宁高新区"]
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    commands = [
        ["office", "rename", "本机关", "济宁市"],
        ["import", "units", str(tmp_path / "units.csv")],
        ["import", "articles", str(tmp_path / "articles.csv")],
        ["import", "tasks", "--year", "2020", str(tmp_path / "tasks.csv")],
        ["campaign", "open", "--title", "市级催报", "--deadline", "2099-01-31"],
        ["office", "add", "济宁高新区"],
        ["import", "units", str(GAOXIN / "units.csv"), "--office", "济宁高新区"],
        ["import", "articles", str(GAOXIN / "articles.csv"), "--office", "济宁高新区"],
        ["role", "grant", str(DISTRICT_ADMIN), "admin", "--office", "济宁高新区"],
        ["role", "grant", str(DISTRICT_SUPERVISOR), "supervisor", "--office", "济宁高新区"],
        ["import", "tasks", "--year", "2020", str(tmp_path / "district-tasks.csv"), *district],
        ["campaign", "open", "--title", "区级催报", "--deadline", "2099-01-31", *district],
    ]
    for command in commands:
        assert main(command) == 0, command
    async with running_bot(db, rules, now=GAOXIN_NOW) as world:
        yield world


def audit_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


async def said(world: World, user: SandboxUser, command: str) -> str:
    """Everything the bot answers ``user``'s ``command`` (cards and charts included)."""
    await user.says(command)
    texts = [(await user.reply()).text]
    await world.settled()
    texts += [m.text for m in user.unread()]
    return "\n".join(texts)


async def bind(world: World, admin_id: int, unit: str, user_id: int) -> None:
    admin = world.person(admin_id)
    await admin.says(f"/invite {unit}")
    code = (await admin.reply()).text.split("/start ")[-1].strip()
    liaison = world.person(user_id, f"{unit}联络员")
    await liaison.says(f"/start {code}")
    assert "绑定成功" in (await liaison.reply()).text


async def test_a_district_admin_runs_the_district_and_sees_nothing_of_the_city(
    city: World,
) -> None:
    district = city.person(DISTRICT_ADMIN, "高新区办公室")
    listing = await said(city, district, "/units")
    assert "党政办公室" in listing and "市大数据局" not in listing

    await bind(city, DISTRICT_ADMIN, "党政办公室", 4001)
    await city.person(4001).says("/submit 高新区新稿件")
    assert "已报送" in (await city.person(4001).reply()).text
    told = await city.remaining(district)
    assert told and told[0].startswith("新稿件") and "党政办公室《高新区新稿件》" in told[0]
    assert await city.remaining(city.admin) == []  # the city's admin hears nothing of it

    cards = await said(city, district, "/pending")
    assert "高新区新稿件" in cards and "市级机密稿件" not in cards
    cards = await said(city, city.admin, "/pending")
    assert "市级机密稿件" in cards and "高新区新稿件" not in cards

    ranking = await said(city, district, "/rank 2020-01..2020-07")
    assert "党政办公室" in ranking and "市大数据局" not in ranking
    await city.nothing_unread()


def ids(db: Database) -> dict[str, int]:
    with db.session() as session:
        city_article = session.scalar(select(Article.id).where(Article.title == "市级机密稿件"))
        district_article = session.scalar(
            select(Article.id).where(Article.title.like("%四项新举措%"))
        )
    assert city_article is not None and district_article is not None
    return {"city": city_article, "district": district_article}


# What an office's people try with the other office's numbers and names: {article} is an
# article of the other office, {unit} a unit of it, {campaign} and {task} its campaign and task.
FOREIGN_COMMANDS = [
    "/forward {article}",
    "/decline {article}",
    "/publish {article} city",
    "/endorse {article} province",
    "/unit {unit}",
    "/invite {unit}",
    "/adjust {unit} +2 表现突出",
    "/veto {unit} 网页长期不更新",
    "/campaign {campaign}",
    "/task T{task}",
    "/ledger",
    "/stats",
    "/stagnant",
    "/campaigns",
    "/scores",
    "/units",
    "/pending",
]


@pytest.mark.parametrize("who", ["district admin", "district supervisor", "city admin"])
async def test_another_offices_numbers_and_names_are_refused_and_change_nothing(
    city: World, who: str
) -> None:
    found = ids(city.db)
    if who == "city admin":
        user = city.admin
        foreign = {"article": found["district"], "unit": "党政办公室", "campaign": "C2", "task": 2}
        secrets = ("四项新举措", "党政办公室", "区级催报", "区级机密要求")
    else:
        user = city.person(DISTRICT_ADMIN if who == "district admin" else DISTRICT_SUPERVISOR)
        foreign = {"article": found["city"], "unit": "市大数据局", "campaign": "C1", "task": 1}
        secrets = ("市级机密稿件", "市级催报", "市级机密要求", "市大数据局")
    with city.db.session() as session:
        before = session.execute(select(Article.id, Article.status, Article.points)).all()
    for template in FOREIGN_COMMANDS:
        command = template.format(**foreign)
        audited = audit_count(city.db)
        answer = await said(city, user, command)
        for secret in secrets:
            if secret not in command:
                assert secret not in answer, f"{who} {command} showed {secret}: {answer}"
        assert "系统繁忙" not in answer
        assert audit_count(city.db) == audited, f"{who} {command} changed something"
    with city.db.session() as session:
        assert session.execute(select(Article.id, Article.status, Article.points)).all() == before
    await city.remaining(city.admin)
    await city.remaining(city.person(DISTRICT_ADMIN))


async def test_a_liaison_of_the_district_cannot_answer_the_citys_campaign(city: World) -> None:
    await bind(city, DISTRICT_ADMIN, "党政办公室", 4001)
    liaison = city.person(4001)
    audited = audit_count(city.db)
    for command in ("/answer C1 材料", "/progress T1 已完成", "/tasks", "/mine"):
        answer = await said(city, liaison, command)
        assert "市级催报" not in answer and "市级机密要求" not in answer, command
        assert "系统繁忙" not in answer
    assert audit_count(city.db) == audited
    await city.remaining(city.person(DISTRICT_ADMIN))


async def test_a_user_of_one_office_cannot_be_given_a_role_in_another(
    city: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["role", "grant", str(DISTRICT_ADMIN), "supervisor", "--office", "济宁市"]) == 1
    assert "已是“济宁高新区”的人员" in capsys.readouterr().err
    await bind(city, DISTRICT_ADMIN, "党政办公室", 4001)
    await city.admin.says("/invite 市大数据局")
    code = (await city.admin.reply()).text.split("/start ")[-1].strip()
    await city.person(4001).says(f"/start {code}")
    assert "另一机关" in (await city.person(4001).reply()).text
    await city.remaining(city.person(DISTRICT_ADMIN))


DISTRICT_BULLETIN_CHAT = -200500
DISTRICT_SUPERVISION_CHAT = -200600


def district_rules(working_day: int) -> str:
    """The built-in rules, escalating from May 2020, with the bulletin on ``working_day``."""
    return DEFAULT_RULES_TEXT.replace(
        "bulletin_working_day = 3", f"bulletin_working_day = {working_day}"
    ).replace('# since = "2020-07"', 'since = "2020-05"')


async def test_two_offices_issue_their_own_bulletins_on_their_own_days(
    gaoxin: Database, rules: Rules, tmp_path: Path
) -> None:
    """The root (高新区, due on the 3rd working day) and 任城区 (same units and articles, due on
    the 10th): on one clock each issues its own July bulletin to its own chats, 督办单 numbered
    from 1 in each, once."""
    (tmp_path / "rules.toml").write_text(district_rules(10), encoding="utf-8")
    district = ["--office", "任城区"]
    for command in (
        ["office", "add", "任城区", "--rules", str(tmp_path / "rules.toml")],
        [
            "office",
            "set",
            "任城区",
            "--bulletin-chat",
            str(DISTRICT_BULLETIN_CHAT),
            "--supervision-chat",
            str(DISTRICT_SUPERVISION_CHAT),
        ],
        ["import", "units", str(GAOXIN / "units.csv"), *district],
        ["import", "articles", str(GAOXIN / "articles.csv"), *district],
    ):
        assert main(command) == 0, command
    # 2020-08-10 is the 6th working day of August: the root's bulletin is due, the district's not.
    sixth = dt.datetime(2020, 8, 10, 10, 0, tzinfo=TZ)
    sandbox = Sandbox()
    async with sandbox:
        sandbox.group(DISTRICT_BULLETIN_CHAT, "任城区政务公开工作群")
        sandbox.group(DISTRICT_SUPERVISION_CHAT, "任城区督查室")
        async with running_bot(gaoxin, rules, now=sixth, sandbox=sandbox) as world:
            await messages_in(world, BULLETIN_CHAT, 7)
            notices = await messages_in(world, SUPERVISION_CHAT, 3)
            assert notices[0].text.split("\n")[0] == "督办单 〔2020〕第1号"
            await world.settled()
            assert sandbox.bot_messages(DISTRICT_BULLETIN_CHAT) == []
            # The 10th working day (14 August) at its time: the district's turn.
            world.clock.now = dt.datetime(2020, 8, 14, 9, 0, 30, tzinfo=TZ)
            job = world.application.job_queue.get_jobs_by_name(  # type: ignore[union-attr]
                f"monthly-bulletin:{district_id(gaoxin)}"
            )[0]
            await job.run(world.application)  # type: ignore[arg-type]
            group = await messages_in(world, DISTRICT_BULLETIN_CHAT, 7)
            assert "关于1—7月份政务公开信息采用情况的通报" in group[0].text
            notices = await messages_in(world, DISTRICT_SUPERVISION_CHAT, 3)
            assert [n.text.split("\n")[0] for n in notices] == [
                "督办单 〔2020〕第1号",
                "督办单 〔2020〕第2号",
                "督办单 〔2020〕第3号",
            ]
            await world.settled()
            assert len(sandbox.bot_messages(BULLETIN_CHAT)) == 7
            world.admin.unread()
        async with running_bot(gaoxin, rules, now=world.clock.now, sandbox=sandbox) as again:
            await again.caught_up()
            await again.settled()
            assert len(sandbox.bot_messages(BULLETIN_CHAT)) == 7
            assert len(sandbox.bot_messages(DISTRICT_BULLETIN_CHAT)) == 7
            again.admin.unread()


async def test_a_district_bulletin_with_no_chat_waits_and_its_admins_are_told_how(
    gaoxin: Database, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "rules.toml").write_text(district_rules(3), encoding="utf-8")
    district = ["--office", "任城区"]
    for command in (
        ["office", "add", "任城区", "--rules", str(tmp_path / "rules.toml")],
        ["import", "units", str(GAOXIN / "units.csv"), *district],
        ["import", "articles", str(GAOXIN / "articles.csv"), *district],
        ["role", "grant", str(DISTRICT_ADMIN), "admin", *district],
    ):
        assert main(command) == 0, command
    late = dt.datetime(2020, 8, 20, 10, 0, tzinfo=TZ)
    sandbox = Sandbox()
    async with sandbox:
        sandbox.group(DISTRICT_BULLETIN_CHAT, "任城区政务公开工作群")
        sandbox.group(DISTRICT_SUPERVISION_CHAT, "任城区督查室")
        # The admin's chat exists before the bot's catch-up writes to it.
        admin = sandbox.user(DISTRICT_ADMIN, "任城区办公室")
        async with running_bot(gaoxin, rules, now=late, sandbox=sandbox) as world:
            world.people[DISTRICT_ADMIN] = admin
            await messages_in(world, BULLETIN_CHAT, 7)
            told = await admin.reply(timeout=30)
            assert "尚未发出" in told.text
            assert "gongkai office set 任城区 --bulletin-chat" in told.text
            await world.settled()
            assert not admin.unread()  # told once
            world.admin.unread()
        command = ["office", "set", "任城区", "--bulletin-chat", str(DISTRICT_BULLETIN_CHAT)]
        assert main([*command, "--supervision-chat", str(DISTRICT_SUPERVISION_CHAT)]) == 0
        async with running_bot(gaoxin, rules, now=late, sandbox=sandbox) as again:
            group = await messages_in(again, DISTRICT_BULLETIN_CHAT, 7)
            assert "关于1—7月份政务公开信息采用情况的通报" in group[0].text
            await again.settled()
            assert len(sandbox.bot_messages(BULLETIN_CHAT)) == 7
            again.admin.unread()
            again.person(DISTRICT_ADMIN).unread()


def district_id(db: Database) -> int:
    with db.session() as session:
        found = session.scalar(select(Office.id).where(Office.name == "任城区"))
    assert found is not None
    return found


async def test_the_city_looks_into_a_districts_ranking_and_not_the_other_way(city: World) -> None:
    looked = await said(city, city.admin, "/rank 济宁高新区 2020-01..2020-07")
    assert "党政办公室" in looked and "市大数据局" not in looked
    assert looked.startswith("济宁高新区2020年")  # whose ranking it is, in its heading
    chart = city.sandbox.bot_messages(city.admin.id)[-1]
    assert chart["photo"] and chart["caption"].startswith("济宁高新区2020年")
    assert city.sandbox.files[chart["photo"][-1]["file_id"]].name.startswith("济宁高新区-")
    district = city.person(DISTRICT_ADMIN)
    refused = await said(city, district, "/rank 济宁市 2020-01..2020-07")
    assert "市大数据局" not in refused and "济宁市" in refused  # only what was typed comes back
    assert "系统繁忙" not in refused
    rolled = await said(city, city.admin, "/rollup 2020-01..2020-07")
    assert "下级机关信息报送汇总" in rolled and "济宁高新区" in rolled
    assert "本机关没有下级机关" in await said(city, district, "/rollup")


async def test_a_districts_forward_reaches_the_city_and_the_citys_publication_comes_back(
    city: World,
) -> None:
    await bind(city, DISTRICT_ADMIN, "党政办公室", 4001)
    liaison, district = city.person(4001), city.person(DISTRICT_ADMIN)
    await liaison.says("/submit 高新区上报市级的稿件")
    number = int((await liaison.reply()).text.split("#")[1].split("《")[0])
    await city.remaining(district)
    await district.says(f"/forward {number}")
    assert "已上报" in (await district.reply()).text
    told = await city.remaining(city.admin)
    assert told and "济宁高新区《高新区上报市级的稿件》待审核" in told[0]
    copy = int(told[0].split("#")[1].split("：")[0])
    assert copy != number
    await city.admin.says(f"/forward {copy}")
    await city.admin.reply()
    await city.admin.says(f"/publish {copy} 经验做法")
    assert "计 10 分" in (await city.admin.reply()).text
    heard = "\n".join(await city.remaining(liaison))
    assert f"#{number}" in heard and "《政务公开经验做法》采用" in heard
    mine = await said(city, liaison, "/mine")
    assert "高新区上报市级的稿件" in mine and "10" in mine
    await city.remaining(district)
    await city.nothing_unread()
