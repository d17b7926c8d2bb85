"""Score sheets and the assessment through the sandbox: /scores, /adjust, /veto, /assessment."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from domain.rules import Rules
from storage.db import Database
from storage.models import Adjustment
from tests.botworld import World, running_bot
from tests.conftest import JINING_2020

NOW = dt.datetime(2020, 12, 28, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
async def world(yanshi: Database, yanshi_rules: Rules) -> AsyncIterator[World]:
    async with running_bot(yanshi, yanshi_rules, now=NOW) as running:
        yield running


def adjustments(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Adjustment)) or 0


async def test_scores_shows_the_bulletin_with_its_files(world: World) -> None:
    admin = world.admin
    await admin.says("/scores 2020-12")
    message = await admin.reply()
    assert "全年表现较好的单位有：市公安局、教育体育局和伊洛街道、首阳山街道。" in message.text
    assert "公安局" in message.text and "287.5" in message.text
    docx, xlsx = await admin.reply(), await admin.reply()
    assert docx.document is not None and docx.document["file_name"].endswith(".docx")
    assert xlsx.document is not None
    book = load_workbook(io.BytesIO(world.sandbox.files[xlsx.document["file_id"]].content))
    assert list(book["附件2"].iter_rows(values_only=True))[2][0] == "伊洛街道"
    await admin.says("/scores 2020-11")
    assert "2020年11月尚无月度评分数据" in (await admin.reply()).text
    await admin.says("/scores 2020/12")
    assert "月份格式错误" in (await admin.reply()).text


async def test_admin_adjusts_by_buttons_and_the_unit_is_told(world: World) -> None:
    admin = world.admin
    liaison = await world.liaison("统计局", 3005)

    await admin.says("/adjust 统计局")
    offer = await admin.reply()
    assert offer.buttons == ["+1", "+2", "+5", "-1", "-2", "-5", "取消"]
    await admin.presses("+2")
    assert "统计局 +2 分：请发送原因" in (await admin.reply()).text
    await admin.says("  ")
    assert "请写明原因" in (await admin.reply()).text
    await admin.says("材料报送及时 <及时>")
    done = await admin.reply()
    assert (
        done.text
        == "已记录：统计局 2020年12月加2分，原因：材料报送及时 <及时>。已通知该单位联络员。"
    )
    told = await liaison.reply()
    assert told.text == "统计局 2020年12月考核加2分。原因：材料报送及时 <及时>"

    await admin.says("/adjust 统计局 +0 无")
    assert "分值不能为 0" in (await admin.reply()).text
    await admin.says("/adjust 统计局 -1")
    assert "统计局 -1 分：请发送原因" in (await admin.reply()).text
    await admin.says("/cancel")
    assert "已取消" in (await admin.reply()).text
    await admin.says("/adjust 统计厅 -1 迟报")
    assert "没有名为“统计厅”的单位" in (await admin.reply()).text
    await admin.says("/adjust 统计局 abc 迟报")
    assert "分值“abc”格式错误" in (await admin.reply()).text
    await admin.says("/adjust 统计局 +99 测试")
    assert "分值 +99 超出范围：每次加减分最多 ±10 分" in (await admin.reply()).text
    assert adjustments(world.db) == 1


async def test_a_large_adjustment_waits_for_the_admin_to_confirm_it(world: World) -> None:
    admin = world.admin
    liaison = await world.liaison("统计局", 3005)
    await admin.says("/adjust 统计局 +8 专项工作<突出>")
    ask = await admin.reply()
    assert ask.text == "请确认：统计局 2020年12月加8分，原因：专项工作<突出>。"
    assert ask.buttons == ["确认记录", "取消"]
    assert adjustments(world.db) == 0
    await admin.presses("确认记录")
    done = await admin.reply()
    assert done.text == "已记录：统计局 2020年12月加8分，原因：专项工作<突出>。已通知该单位联络员。"
    assert "考核加8分" in (await liaison.reply()).text
    assert adjustments(world.db) == 1

    await admin.says("/adjust 统计局 -6")
    assert "请发送原因" in (await admin.reply()).text
    await admin.says("迟报")
    assert (await admin.reply()).text == "请确认：统计局 2020年12月扣6分，原因：迟报。"
    await admin.presses("取消")
    assert "已取消" in (await admin.reply()).text
    assert adjustments(world.db) == 1

    await admin.says("/adjust 统计局 +9 第一次")
    first = await admin.reply()
    await admin.says("好的")
    assert "请点上面的“确认记录”按钮记录" in (await admin.reply()).text
    await admin.says("/adjust 统计局 +7 第二次")  # starts over; the first prompt's button is stale
    assert (await admin.reply()).text == "请确认：统计局 2020年12月加7分，原因：第二次。"
    first_confirm = first.raw["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    answer = await admin.button_answer(await admin.sends_button_data(first_confirm))
    assert answer["text"] == "此按钮已失效，请重新发送命令"
    await admin.presses("确认记录")
    assert "加7分，原因：第二次" in (await admin.reply()).text
    assert adjustments(world.db) == 2

    await admin.says("/adjust 统计局 +5 按时报送")  # at the threshold: recorded at once
    assert (await admin.reply()).text.startswith("已记录：统计局 2020年12月加5分")
    assert adjustments(world.db) == 3
    assert await world.remaining(liaison) == [  # each recorded entry told once, none other
        "统计局 2020年12月考核加7分。原因：第二次",
        "统计局 2020年12月考核加5分。原因：按时报送",
    ]


async def test_an_adjustment_for_a_unit_without_a_liaison_says_nobody_was_told(
    world: World,
) -> None:
    await world.admin.says("/adjust 统计局 +1 材料报送及时")
    done = (await world.admin.reply()).text
    assert done.endswith("该单位尚无联络员，未能通知。")
    await world.admin.says("/veto 公安局 网页长期不更新")
    assert (await world.admin.reply()).text.endswith("该单位尚无联络员，未能通知。")


async def test_veto_zeroes_the_year_in_the_next_scores(world: World) -> None:
    admin = world.admin
    await admin.says("/veto 公安局")
    assert "请写明原因" in (await admin.reply()).text
    await admin.says("/veto 公安局 网页长期不更新")
    assert "公安局 2020 年单项否决，年度得分按零分计算" in (await admin.reply()).text
    await admin.says("/veto 公安局 再来一次")
    assert "已被单项否决，无需重复" in (await admin.reply()).text
    await admin.says("/scores")
    message = await admin.reply()
    assert "0（单项否决）" in message.text
    assert "公安局：单项否决（12月，网页长期不更新），全年按零分计算。" in message.text
    assert adjustments(world.db) == 1
    await world.settled()
    files = [m.document["file_name"] for m in admin.unread() if m.document]
    assert [name.rsplit(".", 1)[1] for name in sorted(files)] == ["docx", "xlsx"]


async def test_assessment_in_chat(db: Database, jining_2020_rules: Rules) -> None:
    assert main(["import", "units", str(JINING_2020 / "units.csv")]) == 0
    assert main(["import", "scores", str(JINING_2020 / "scores.csv")]) == 0
    async with running_bot(db, jining_2020_rules, now=NOW) as world:
        admin = world.admin
        await admin.says("/assessment 2020")
        assert "缺少第三方评估成绩的单位：任城区政府" in (await admin.reply()).text
        await admin.uploads("evaluations.csv", (JINING_2020 / "evaluations.csv").read_bytes())
        assert "第三方评估成绩导入完成：新增 58 个" in (await admin.reply()).text
        await admin.says("/assessment 20")
        assert "年份“20”无效，应为 2000—2100 之间的四位数字" in (await admin.reply()).text
        await admin.says("/assessment 2020")
        result = await admin.reply()
        assert "任城区等10个县（市、区）政府（管委会）" in result.text
        assert "（三）合格等次（10个，按考核成绩排序）" in result.text
        document = await admin.reply()
        assert document.document is not None
        assert document.document["file_name"] == "关于2020年全市政务公开工作考核情况的通报.docx"
