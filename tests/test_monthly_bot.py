"""The monthly jobs inside the running bot: catch-up at start, approval by button."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.sandbox import SentMessage
from domain.rules import Rules
from storage.db import Database
from tests.botworld import BULLETIN_CHAT, SUPERVISION_CHAT, World, running_bot
from tests.waiting import eventually

TZ = ZoneInfo("Asia/Shanghai")


async def messages_in(world: World, chat_id: int, count: int) -> list[SentMessage]:
    sent = await eventually(
        lambda: (
            len(world.sandbox.bot_messages(chat_id)) >= count
            and world.sandbox.bot_messages(chat_id)
        ),
        timeout=30,
        what=f"{count} messages in {chat_id}",
    )
    return [SentMessage(m) for m in sent]


async def test_a_bot_started_after_the_due_time_issues_the_missed_bulletin_once(
    gaoxin: Database, rules: Rules
) -> None:
    late = dt.datetime(2020, 8, 20, 10, 0, tzinfo=TZ)
    async with running_bot(gaoxin, rules, now=late) as world:
        group = await messages_in(world, BULLETIN_CHAT, 7)
        assert group[0].text.startswith(
            "济宁高新区管委会办公室\n关于1—7月份政务公开信息采用情况的通报"
        )
        assert [m.document["file_name"] for m in group[1:5] if m.document] == [
            "关于1—7月份政务公开信息采用情况的通报.docx",
            "关于1—7月份政务公开信息采用情况的通报附件.xlsx",
            "2020年1—7月得分情况.png",
            "2020年1—7月报送采用情况.png",
        ]
        assert group[5].text.startswith("全区通报")
        assert group[6].document and group[6].document["file_name"] == "全区通报-2020-07.docx"
        notices = await messages_in(world, SUPERVISION_CHAT, 3)
        assert [n.text.split("\n")[0] for n in notices] == [
            "督办单 〔2020〕第1号",
            "督办单 〔2020〕第2号",
            "督办单 〔2020〕第3号",
        ]
    async with running_bot(gaoxin, rules, now=late) as again:  # a restart sends nothing more
        await again.caught_up()
        await again.settled()
        assert again.sandbox.bot_messages(BULLETIN_CHAT) == []


async def test_an_admin_publishes_a_held_bulletin_by_button(gaoxin: Database, rules: Rules) -> None:
    strict = Rules.model_validate(
        {
            **rules.model_dump(),
            "escalation": {**rules.escalation.model_dump(), "require_approval": True},
        }
    )
    due = dt.datetime(2020, 8, 5, 9, 30, tzinfo=TZ)
    async with running_bot(gaoxin, strict, now=due) as world:
        admin = world.admin
        request = await admin.reply()
        assert "需经批准后发出" in request.text
        assert request.buttons == ["发布", "暂缓"]
        assert world.sandbox.bot_messages(BULLETIN_CHAT) == []
        await admin.presses("发布")
        group = await messages_in(world, BULLETIN_CHAT, 7)
        assert "关于1—7月份政务公开信息采用情况的通报" in group[0].text
        decided = world.sandbox.bot_messages(admin.id)[0]
        assert decided["text"] == "2020年7月的通报已发布：下发督办单 3 个，全区通报 15 个单位。"
        assert "reply_markup" not in decided  # the buttons are gone: no second decision
        await world.settled()
        assert len(world.sandbox.bot_messages(BULLETIN_CHAT)) == 7
