"""The task ledger through the sandbox: import by file, /tasks, /progress, /task, /ledger, jobs."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from bot.sandbox import SandboxUser, SentMessage
from domain.rules import Rules
from storage.db import Database
from storage.models import AuditEntry, ProgressReport, Task, TaskAssignment, Unit
from tests.botworld import SUPERVISION_CHAT, World, running_bot
from tests.conftest import JINING
from tests.test_bot_flow import edited_message
from tests.waiting import eventually

NOW = dt.datetime(2021, 5, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in 济宁, before the reminder day


@pytest.fixture
async def world(db: Database, jining_rules: Rules) -> AsyncIterator[World]:
    assert main(["import", "units", str(JINING / "units.csv")]) == 0
    async with running_bot(db, jining_rules, now=NOW) as running:
        yield running


async def import_seed_tasks(world: World) -> None:
    await world.admin.uploads("tasks.csv", (JINING / "tasks.csv").read_bytes())
    summary = await world.admin.reply()
    assert summary.text.startswith("2021年任务分解表导入完成：新增任务 66 项")


def task_id(db: Database, requirement_start: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(Task.id).where(Task.requirement.startswith(requirement_start))
        ).one()


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_task_table_with_bad_names_is_refused_line_by_line(world: World) -> None:
    table = (
        "部分,工作任务,牵头部门,责任单位,具体要求\n"
        "一、公开,（一）甲,市发改委,各县（市、区）政府,要求一\n"
        ",,市教育局,市体育厅、任城区,要求二\n"
    )
    await world.admin.uploads("任务.csv", table.encode())
    reply = await world.admin.reply()
    assert "任务.csv 有 3 处错误，未导入任何数据" in reply.text
    assert "第 2 行：牵头部门中的“市发改委”不是已知单位（是否指：市发展改革委" in reply.text
    assert "第 3 行：责任单位中的“市体育厅”不是已知单位" in reply.text
    assert "第 3 行：责任单位中的“任城区”不是已知单位（是否指：任城区政府" in reply.text
    assert count(world.db, Task) == 0


async def test_liaison_lists_tasks_and_reports_progress_with_files(world: World) -> None:
    await import_seed_tasks(world)
    liaison = await world.liaison("任城区政府", 3001)
    await liaison.says("/tasks")
    listing = await read_until(liaison, "发送 /progress 报送进展。")
    assert listing.startswith("任城区政府的工作任务（")
    lead_at, responsible_at = listing.index("牵头（2 项）"), listing.index("责任（")
    assert lead_at < responsible_at
    assert "尚未报送进展" in listing

    await liaison.says("/progress")
    picker = await liaison.reply()
    assert "请选择要报送进展的任务（共 " in picker.text
    first_page = picker.buttons
    assert first_page[-2:] == ["下一页 ▶", "取消"] and first_page[0].startswith("T")
    await liaison.presses("下一页 ▶")
    second = await world_edited(world, liaison, picker)
    assert second.buttons[0] not in first_page and "◀ 上一页" in second.buttons
    label = second.buttons[0]
    traffic = int(label.split()[0].removeprefix("T"))
    await liaison.presses(label)
    assert "请发送本次进展的文字说明" in (await liaison.reply()).text
    await liaison.says("已渠化改造 4 处交叉口 <b>不是标签</b> & 打通 2 条断头路")
    assert "可发送相关文件或图片" in (await liaison.reply()).text
    await liaison.uploads("病毒.exe", b"MZ")
    assert "不支持的文件类型" in (await liaison.reply()).text
    await liaison.uploads("现场照片.jpg", b"\xff\xd8\xff jpeg")
    assert "已收到 现场照片.jpg（共 1 个）" in (await liaison.reply()).text
    await liaison.uploads("进展说明.docx", b"PK\x03\x04 docx")
    assert "（共 2 个）" in (await liaison.reply()).text
    await liaison.presses("完成 / 跳过")
    summary = await liaison.reply()
    assert "进展：已渠化改造 4 处交叉口 <b>不是标签</b> & 打通 2 条断头路" in summary.text
    assert "附件：现场照片.jpg、进展说明.docx" in summary.text
    await liaison.presses("确认（推进中）")
    await world_edited(world, liaison, summary)
    with world.db.session() as session:
        report = session.scalars(select(ProgressReport)).one()
        assert report.task_id == traffic and not report.final
        assert [name for _, name in report.files] == ["现场照片.jpg", "进展说明.docx"]
        assert report.reported_on == dt.date(2021, 5, 20)

    await world.admin.says(f"/task T{traffic}")
    page = await world.admin.reply()
    assert "2021-05-20 任城区政府：已渠化改造 4 处交叉口 <b>不是标签</b>" in page.text
    assert "附件：现场照片.jpg、进展说明.docx" in page.text
    assert "牵头单位（" in page.text

    await liaison.says("/tasks")
    assert "最近进展 2021-05-20：已渠化改造" in await read_until(liaison, "发送 /progress")


async def read_until(user: SandboxUser, marker: str) -> str:
    """The bot's next messages joined, up to the one holding ``marker`` (a long answer is
    sent in pieces)."""
    pieces = [(await user.reply()).text]
    while marker not in pieces[-1]:
        pieces.append((await user.reply()).text)
    return "\n".join(pieces)


def overdue_notices(world: World) -> int:
    """How many overdue notices the 督查室 has received."""
    return sum(m["text"].count("任务逾期") for m in world.sandbox.bot_messages(SUPERVISION_CHAT))


async def world_edited(world: World, user: SandboxUser, message: SentMessage) -> SentMessage:
    """The message after the bot edited it."""
    return SentMessage(await edited_message(world, user.id, message.raw["message_id"]))


async def test_a_unit_cannot_report_on_a_task_that_is_not_its_own(world: World) -> None:
    await import_seed_tasks(world)
    propaganda = await world.liaison("市委宣传部", 3002)
    first = task_id(world.db, "县级以上政府要主动公开本地区")
    before = count(world.db, AuditEntry)
    await propaganda.says(f"/progress T{first} 已完成")
    refusal = await propaganda.reply()
    assert f"T{first} 不是市委宣传部牵头或负责的任务，不能报送进展" in refusal.text
    await propaganda.says("/progress T99999")
    assert "没有编号为 T99999 的任务" in (await propaganda.reply()).text
    await propaganda.says("/progress 第一项")
    assert "任务编号“第一项”无效" in (await propaganda.reply()).text
    assert count(world.db, ProgressReport) == 0 and count(world.db, AuditEntry) == before
    stranger = world.person(9001, "陌生人")
    await stranger.says("/progress")
    assert "仅限已绑定单位的联络员" in (await stranger.reply()).text
    # Its own task, in one line: recorded at once.
    own = task_id(world.db, "打造世界儒学研究交流传播高地")
    await propaganda.says(f"/progress T{own} 尼山世界文明论坛筹备方案已公开")
    assert f"已记录 T{own} 的进展" in (await propaganda.reply()).text
    assert count(world.db, ProgressReport) == 1


async def test_office_reads_a_task_and_exports_the_ledger(world: World) -> None:
    await import_seed_tasks(world)
    liaison = await world.liaison("市教育局", 3003)
    school = task_id(world.db, "持续做好学前教育行动计划")
    await liaison.says(f"/progress T{school} 已公开义务教育入学政策")
    await liaison.reply()
    admin = world.admin
    await admin.says("/task 12x")
    assert "任务编号“12x”无效" in (await admin.reply()).text
    await admin.says(f"/task {school}")
    page = await admin.reply()
    assert page.text.startswith(f"T{school} 一、深化重点领域政府信息公开")
    assert "牵头单位（1）：市教育局" in page.text
    assert "市教育局：已公开义务教育入学政策" in page.text

    await admin.says("/ledger 任城区")
    assert "没有名为“任城区”的单位。您是不是要找：任城区政府？" in (await admin.reply()).text
    await admin.says("/ledger 市教育局")
    summary = await admin.reply()
    assert summary.text.startswith("政务公开工作任务台账（市教育局）（截至 2021-05-20）")
    sent = await admin.reply()
    assert sent.document is not None
    content = world.sandbox.files[sent.document["file_id"]].content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))[2:]
    with world.db.session() as session:
        unit = session.scalars(select(Unit).where(Unit.name == "市教育局")).one()
        expected = session.scalar(
            select(func.count())
            .select_from(TaskAssignment)
            .where(TaskAssignment.unit_id == unit.id)
        )
    assert len(rows) == expected
    reported = next(row for row in rows if row[0] == f"T{school}")
    assert reported[4] == "市教育局" and reported[6] == "牵头"
    assert reported[9].date() == dt.date(2021, 5, 20)
    assert reported[10] == "已公开义务教育入学政策" and reported[11] == "推进中"


async def test_reminders_and_overdue_notices_go_out_from_the_running_bot(world: World) -> None:
    from jobs.monthly import task_followup_job

    await import_seed_tasks(world)
    rencheng = await world.liaison("任城区政府", 3001)
    education = await world.liaison("市教育局", 3003)
    school = task_id(world.db, "持续做好学前教育行动计划")
    await education.says(f"/progress T{school} 已公开入学政策")
    await education.reply()
    job_queue = world.application.job_queue
    assert job_queue is not None
    await world.caught_up()
    # May 25, 2021 is the 5th working day before the end of May.
    world.clock.now = dt.datetime(2021, 5, 25, 1, 30, tzinfo=dt.UTC)
    job_queue.run_once(task_followup_job, 0)
    reminder = await rencheng.reply()
    assert "任城区政府本月（5月）尚未报送工作任务进展" in reminder.text
    assert "请于 5月31日前发送 /progress 报送" in reminder.text
    job_queue.run_once(task_followup_job, 0)
    # January 2022: the two 年底前 tasks are overdue; the lead county hears of it, and so
    # does the 督查室, once.
    world.clock.now = dt.datetime(2022, 1, 4, 1, 30, tzinfo=dt.UTC)
    job_queue.run_once(task_followup_job, 0)
    overdue = await rencheng.reply()
    assert overdue.text.startswith("⚠️ 任务逾期：T")
    assert "完成时限 2021-12-31" in overdue.text
    job_queue.run_once(task_followup_job, 0)
    # Both notices reach the 督查室, once each (notices due together go as one message).
    await eventually(lambda: overdue_notices(world) == 2, what="two overdue notices")
    await world.settled()
    assert overdue_notices(world) == 2
    # 市教育局 reported in May (no reminder) and leads only the other overdue task, as one of
    # 市政府各部门、单位; each hears once.
    (told,) = education.unread()
    assert told.text.startswith("⚠️ 任务逾期") and told.text != overdue.text
    assert rencheng.unread() == []
