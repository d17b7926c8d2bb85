"""催报 through the sandbox on an injected clock: opening, answers (twice, late, a template
that fails its checks), reminders on working days, escalation once, the office's view."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from domain.campaigns import open_campaign
from domain.rules import Rules, load_rules
from jobs.monthly import campaign_followup_job
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import CampaignAnswer
from tests.annual_report_seed import filled_template
from tests.botworld import SUPERVISION_CHAT, World, running_bot
from tests.conftest import EXAMPLES
from tests.test_bot_flow import edited_message
from tests.waiting import eventually

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2021, 1, 13, 10, 0, tzinfo=TZ)


@pytest.fixture
async def world(yanshi: Database, yanshi_rules: Rules) -> AsyncIterator[World]:
    async with running_bot(yanshi, yanshi_rules, now=NOW) as running:
        yield running


async def run_followup(world: World, when: dt.datetime) -> None:
    await world.caught_up()
    world.clock.now = when
    assert world.application.job_queue is not None
    world.application.job_queue.run_once(campaign_followup_job, 0)
    await world.settled()


def supervision_texts(world: World) -> list[str]:
    return [m["text"] for m in world.sandbox.bot_messages(SUPERVISION_CHAT) if "催报" in m["text"]]


async def open_by_conversation(world: World) -> None:
    admin = world.admin
    await admin.says("/campaign")
    assert "请发送事项名称" in (await admin.reply()).text
    await admin.says("2020年政府信息公开工作年度报告")
    assert "请发送截止日期" in (await admin.reply()).text
    await admin.says("2020-12-31")
    assert "截止日期 2020-12-31 已过" in (await admin.reply()).text
    await admin.says("2021年1月29日")
    units = await admin.reply()
    assert units.buttons[:3] == ["全部单位", "类别：市直单位", "类别：镇街"]
    await admin.presses("输入单位名单")
    await admin.reply()
    await admin.says("公安局、统计厅")
    assert "“统计厅”（是否指：统计局？）" in (await admin.reply()).text
    await admin.says("公安局、统计局、伊洛街道")
    kinds = await admin.reply()
    assert kinds.buttons == ["文件", "文字材料", "填好的年度报告模板（.xlsx）", "约稿稿件"]
    await admin.presses("填好的年度报告模板（.xlsx）")
    summary = await admin.reply()
    assert "单位：3 个单位" in summary.text and "截止：2021-01-29" in summary.text
    await admin.presses("发起")
    done = await edited_message(world, admin.id, summary.raw["message_id"])
    assert done["text"].startswith("已发起催报 C1 2020年政府信息公开工作年度报告：3 个单位")


async def test_a_campaign_from_opening_to_escalation(world: World) -> None:
    police = await world.liaison("公安局", 3001)
    statistics = await world.liaison("统计局", 3002)
    yiluo = await world.liaison("伊洛街道", 3003)
    await open_by_conversation(world)
    for liaison in (police, statistics, yiluo):
        told = await liaison.reply()
        assert told.text.startswith("📮 催报 C1：2020年政府信息公开工作年度报告")
        assert "请于 2021年1月29日 前报送填好的年度报告模板（.xlsx）" in told.text

    # A template that breaks the cross-check is refused with the precise failure.
    await police.says("/answer 1")
    assert "请发送填好的年度报告模板" in (await police.reply()).text
    broken = filled_template(**{"依申请公开!B4": 53, "依申请公开!H4": 54})
    await police.uploads("年报.xlsx", broken)
    refusal = await police.reply()
    assert "自然人列：第一项 + 第二项 = 53 + 0 = 53，第三项 + 第四项 = 52 + 0 = 52" in refusal.text
    await police.uploads("年报.xlsx", filled_template())
    assert "已收到 C1 2020年政府信息公开工作年度报告 的报送。" in (await police.reply()).text
    # Again: both kept, the latest counts.
    await police.says("/answer")
    assert (await police.reply()).buttons == ["C1 2020年政府信息公开工作年度报告"]
    await police.presses("C1 2020年政府信息公开工作年度报告")
    await police.reply()
    await police.uploads("年报（修改）.xlsx", filled_template())
    assert "第 2 次报送，以最新一次为准" in (await police.reply()).text

    # Reminders: 5 working days before the 29th is Friday the 22nd; then the 27th and the 28th.
    await run_followup(world, dt.datetime(2021, 1, 21, 18, 0, tzinfo=TZ))
    assert statistics.unread() == []
    await run_followup(world, dt.datetime(2021, 1, 22, 9, 0, tzinfo=TZ))
    reminder = await statistics.reply()
    assert reminder.text.startswith(
        "⏰ 提醒：催报 C1 2020年政府信息公开工作年度报告将于 2021年1月29日 截止"
    )
    assert "提醒" in (await yiluo.reply()).text
    await run_followup(world, dt.datetime(2021, 1, 25, 9, 0, tzinfo=TZ))
    await run_followup(world, dt.datetime(2021, 1, 27, 9, 0, tzinfo=TZ))
    assert "提醒" in (await statistics.reply()).text
    assert "提醒" in (await yiluo.reply()).text
    await world.settled()
    reminders = [
        [m["text"] for m in world.sandbox.bot_messages(chat) if m["text"].startswith("⏰")]
        for chat in (police.id, statistics.id, yiluo.id)
    ]
    assert [len(texts) for texts in reminders] == [0, 2, 2], reminders

    # After the deadline the 督查室 hears of the missing units, once.
    await run_followup(world, dt.datetime(2021, 1, 30, 9, 0, tzinfo=TZ))
    await run_followup(world, dt.datetime(2021, 2, 1, 9, 0, tzinfo=TZ))
    (overdue,) = await eventually(lambda: supervision_texts(world), what="the overdue notice")
    assert "仍有 2 个单位未报送：统计局、伊洛街道" in overdue

    # A late answer is taken and marked late.
    await statistics.says("/answer C1")
    await statistics.reply()
    await statistics.uploads("统计局年报.xlsx", filled_template())
    assert "已超过截止日期 2021-01-29，记为逾期报送" in (await statistics.reply()).text

    await world.admin.says("/campaign C1")
    status = await world.admin.reply()
    assert "应报 3 个单位，已报 2 个，未报 1 个" in status.text
    assert "未报送：伊洛街道" in status.text
    assert "公安局 2021-01-13，共 2 次，以最新为准：年报（修改）.xlsx" in status.text
    assert "统计局 2021-02-01（逾期）" in status.text
    sheet_message = await world.admin.reply()
    assert sheet_message.document is not None
    content = world.sandbox.files[sheet_message.document["file_id"]].content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[2][:3] == ("公安局", "市直单位", "已报送") and rows[2][5] == 2
    assert rows[4][:3] == ("伊洛街道", "镇街", "未报送")
    with world.db.session() as session:
        answers = list(session.scalars(select(CampaignAnswer).order_by(CampaignAnswer.id)))
    assert [(a.file_name, a.late) for a in answers] == [
        ("年报.xlsx", False),
        ("年报（修改）.xlsx", False),
        ("统计局年报.xlsx", True),
    ]


async def test_liaisons_see_what_they_owe_and_strangers_cannot_answer(world: World) -> None:
    police = await world.liaison("公安局", 3001)
    await open_by_conversation(world)
    await police.reply()
    await police.says("/mine")
    mine = await police.reply()
    assert (
        "催报事项" in mine.text
        and "C1 2020年政府信息公开工作年度报告：请于 2021-01-29 前报送" in mine.text
    )
    other = await world.liaison("财政局", 3004)
    await other.says("/answer 1")
    assert "催报 C1 不需要财政局报送" in (await other.reply()).text
    await other.says("/answer 99")
    assert "没有编号为 C99 的催报事项" in (await other.reply()).text
    stranger = world.person(9001, "陌生人")
    await stranger.says("/answer 1")
    assert "仅限已绑定单位的联络员" in (await stranger.reply()).text
    await stranger.says("/report_template")
    assert "仅限已绑定单位的联络员" in (await stranger.reply()).text


async def test_a_template_sent_on_its_own_is_checked(world: World) -> None:
    police = await world.liaison("公安局", 3001)
    await police.says("/report_template")
    template = await police.reply()
    assert template.document is not None
    assert template.document["file_name"] == "政府信息公开工作年度报告模板.xlsx"
    await police.uploads("年报.xlsx", filled_template(**{"复议诉讼!E4": 2}))
    refusal = await police.reply()
    assert "工作表“复议诉讼” E4：行政复议的总计 = 2" in refusal.text
    await police.uploads("年报.xlsx", filled_template())
    assert "检查通过：济宁市人民政府办公室2020年年度报告" in (await police.reply()).text
    report = await police.reply()
    assert report.document is not None
    assert report.document["file_name"] == "济宁市人民政府办公室2020年政府信息公开工作年度报告.docx"
    await police.uploads("units.csv", "name,category\n甲,乙\n".encode())
    assert "仅限政务公开办公室管理员" in (await police.reply()).text


async def test_a_commission_is_answered_with_an_article_and_a_late_one_costs_the_unit(
    yanshi: Database,
) -> None:
    scheme = load_rules(EXAMPLES / "rules" / "city-2008-sum.toml")
    async with running_bot(yanshi, scheme, now=NOW) as world:
        police = await world.liaison("公安局", 3001)
        opened = open_campaign(
            world.db,
            scheme,
            "“放管服”改革经验",
            dt.date(2021, 1, 12) + dt.timedelta(days=1),
            "公安局",
            "article",
            "cli:t",
            CHAT_WORDING,
        )
        told = await police.reply()
        assert "请于 2021年1月13日 前报送约稿稿件" in told.text
        await police.says(f"/answer C{opened.id}")
        assert "发送稿件标题，或发送稿件文件并在说明中写标题" in (await police.reply()).text
        await police.says("公安局“放管服”改革<b>三项</b>举措")
        receipt = (await police.reply()).text
        assert receipt.startswith(f"已收到约稿 C{opened.id} “放管服”改革经验：已报送 #")
        assert "《公安局“放管服”改革<b>三项</b>举措》，等待政务公开办公室审核" in receipt
        assert "新稿件" in (await world.admin.reply()).text
        await world.admin.says("/pending")
        await world.admin.reply()
        assert f"约稿：C{opened.id}" in (await world.admin.reply()).text

        world.clock.advance(days=1)  # past the deadline: the next answer is late, and costs 10
        await police.says(f"/answer C{opened.id}")
        await police.reply()
        await police.says("公安局“放管服”改革经验（补充）")
        assert "记为逾期报送" in (await police.reply()).text
        assert "新稿件" in (await world.admin.reply()).text
        penalty = (await police.reply()).text
        assert "扣10分" in penalty and f"约稿 C{opened.id}" in penalty and "逾期报送" in penalty
        await world.nothing_unread()
