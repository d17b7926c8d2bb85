"""Bad input to every command gets a clear Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from domain.rules import Rules
from storage.db import Database
from storage.models import Article, AuditEntry, Unit
from tests.botworld import World, running_bot

NOW = dt.datetime(2020, 8, 4, 10, 0, tzinfo=dt.UTC)  # before the bulletin is due


@pytest.fixture
async def world(gaoxin: Database, rules: Rules) -> AsyncIterator[World]:
    async with running_bot(gaoxin, rules, now=NOW) as running:
        yield running


def snapshot(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Article, Unit, AuditEntry)
        )


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("/invite 火星办事处", "没有名为“火星办事处”的单位"),
        ("/forward", "用法：/forward 12"),
        ("/forward abc", "稿件编号应为数字，例如 #12，而不是“abc”"),
        ("/forward 999", "没有编号为 #999 的稿件"),
        ("/forward 1", "稿件 #1 已上报（已采用），无需重复操作"),
        ("/decline 1 2", "用法：/decline 12"),
        ("/decline 1", "稿件 #1 已被上级平台采用，不能改为不上报"),
        ("/publish", "用法：/publish 编号 平台代码"),
        ("/publish 1 county", "未知平台“county”。可用平台代码：city（《政务公开经验做法》）"),
        ("/publish 1 city", "稿件 #1 已记录过被《政务公开经验做法》采用，不重复计分"),
        ("/publish #x city", "稿件编号应为数字"),
        ("/rank 2020-13", "月份格式错误：'2020-13'"),
        ("/rank 2020-08..2020-01", "起始月份 2020-08 晚于结束月份 2020-01"),
        ("/rank 乡镇", "未知的单位类别“乡镇”"),
        ("/rank 2020-01 2020-02", "只能指定一个月份或月份范围"),
        ("/stats 2020/07", "月份格式错误"),
        ("/unit", "用法：/unit 单位名称"),
        ("/unit 火星办事处", "没有名为“火星办事处”的单位"),
        ("/task", "请提供任务编号，例如 /task T12"),
        ("/task T-1", "任务编号“T-1”无效"),
        ("/task 5", "没有编号为 T5 的任务"),
        ("/ledger", "尚未导入任务分解表"),
        ("/ledger 火星办事处", "没有名为“火星办事处”的单位"),
    ],
)
async def test_admin_bad_input_is_refused_and_changes_nothing(
    world: World, command: str, message: str
) -> None:
    before = snapshot(world.db)
    await world.admin.says(command)
    reply = await world.admin.reply()
    assert reply.text.startswith("⚠️ ")
    assert message in reply.text
    assert snapshot(world.db) == before


async def test_liaison_bad_input_is_refused_and_changes_nothing(world: World) -> None:
    await world.admin.says("/invite 柳行街道")
    code = (await world.admin.reply()).text.split("/start ")[-1].strip()
    liaison = world.person(3001, "张三")
    await liaison.says(f"/start {code}")
    await liaison.reply()
    before = snapshot(world.db)
    await liaison.says("/submit " + "长" * 201)
    assert "标题过长（201 字，最多 200 字）" in (await liaison.reply()).text
    await liaison.says("/start nonsense")
    assert "邀请码无效" in (await liaison.reply()).text
    assert snapshot(world.db) == before


async def test_import_with_bad_rows_lists_every_line_and_imports_nothing(world: World) -> None:
    before = snapshot(world.db)
    content = (
        "unit,title,submitted_on,forwarded,published_in\n"
        "柳行街道,好稿子,2020-08-01,yes,city\n"
        "火星办事处,坏稿子,2020-08-01,yes,\n"
        "柳行街道,日期错,2020-8-1,yes,\n"
    ).encode()
    await world.admin.uploads("articles.csv", content, caption="/import")
    reply = (await world.admin.reply()).text
    assert "articles.csv 有 2 处错误，未导入任何数据" in reply
    assert "第 3 行：未知单位“火星办事处”" in reply
    assert "第 4 行：日期格式错误：'2020-8-1'" in reply
    assert snapshot(world.db) == before


async def test_import_of_a_good_file_by_chat(world: World) -> None:
    content = "unit,title,submitted_on,forwarded,published_in\n柳行街道,新稿,2020-08-01,yes,city\n"
    await world.admin.uploads("articles.csv", content.encode(), caption="/import")
    assert (await world.admin.reply()).text == "稿件导入完成：新增 1 篇，更新 0 篇，未变 0 篇。"
    await world.admin.uploads("notes.txt", b"hello", caption="/import")
    assert "不支持的文件类型" in (await world.admin.reply()).text
