"""Bad input to every command gets a clear Chinese message and changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from domain import tabular
from domain.periods import Month
from domain.stagnation import Streak
from reports.chat import streak_sentence
from storage.db import Database
from storage.models import Article, AuditEntry, Invite, Unit
from tests.botworld import BULLETIN_CHAT, World


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
        ("/forward abc", "稿件编号“abc”无效，应为正整数，例如 #12"),
        ("/forward 99999999999999999999", "稿件编号“99999999999999999999”无效"),
        ("/forward 2147483648", "稿件编号“2147483648”无效"),
        ("/forward 0", "稿件编号“0”无效"),
        ("/forward ²", "稿件编号“²”无效"),
        ("/forward ٣", "稿件编号“٣”无效"),
        ("/forward ９９９", "没有编号为 #999 的稿件"),
        ("/publish 9223372036854775808 province", "稿件编号“9223372036854775808”无效"),
        ("/publish ² province", "稿件编号“²”无效"),
        ("/task T²", "任务编号“T²”无效"),
        ("/task T99999999999", "任务编号“T99999999999”无效"),
        ("/rank 0000-01", "月份超出范围：“0000-01”，应在 2000-01 至 2100-12 之间"),
        ("/rank 9999-12", "月份超出范围"),
        ("/rank 2020-01..9999-12", "月份超出范围"),
        ("/rank ２０２０-１３", "月份格式错误"),
        ("/bulletin 0000-01", "月份超出范围"),
        ("/stats 0000-01", "月份超出范围"),
        ("/scores 9999-12", "月份超出范围"),
        ("/assessment 0000", "年份“0000”无效，应为 2000—2100 之间的四位数字"),
        ("/assessment ²⁰²⁰", "年份“²⁰²⁰”无效"),
        ("/forward 999", "没有编号为 #999 的稿件"),
        ("/forward 1", "稿件 #1 已上报（已采用），无需重复操作"),
        ("/decline 1 2", "用法：/decline 12"),
        ("/decline 1", "稿件 #1 已被上级平台采用，不能改为不上报"),
        ("/publish", "用法：/publish 编号 平台，例如 /publish 12 省级"),
        ("/publish 1 县级", "未知平台“县级”。可用平台：《政务公开经验做法》（市级，city）"),
        ("/publish 1 市级", "稿件 #1 已记录过被《政务公开经验做法》采用，不重复计分"),
        ("/publish 1 city", "稿件 #1 已记录过被《政务公开经验做法》采用，不重复计分"),
        ("/publish #x city", "稿件编号“#x”无效"),
        ("/rank 2020-13", "月份格式错误：“2020-13”"),
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
        "柳行街道,日期错,8月1日,yes,\n"
    ).encode()
    await world.admin.uploads("articles.csv", content, caption="/import")
    reply = (await world.admin.reply()).text
    assert "articles.csv 有 2 处错误，未导入任何数据" in reply
    assert "第 3 行：未知单位“火星办事处”" in reply
    assert "第 4 行：日期格式错误：“8月1日”" in reply
    assert snapshot(world.db) == before


async def test_import_of_a_good_file_by_chat(world: World) -> None:
    content = "unit,title,submitted_on,forwarded,published_in\n柳行街道,新稿,2020-08-01,yes,city\n"
    await world.admin.uploads("articles.csv", content.encode(), caption="/import")
    assert (await world.admin.reply()).text == "稿件导入完成：新增 1 篇，更新 0 篇，未变 0 篇。"
    await world.admin.uploads("notes.txt", b"hello", caption="/import")
    assert "不支持的文件类型" in (await world.admin.reply()).text


async def test_a_button_whose_conversation_has_ended_is_answered_as_stale(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit")
    assert "请发送稿件标题" in (await liaison.reply()).text
    await liaison.says("/cancel")
    await liaison.reply()
    before = snapshot(world.db)
    press = await liaison.sends_button_data("sub:skip")
    answer = await liaison.button_answer(press)
    assert answer == {"text": "此按钮已失效，请重新发送命令", "show_alert": True}
    assert snapshot(world.db) == before


@pytest.mark.parametrize("data", ["rev:fwd:²", "rev:fwd", "pub:99999999999:province", "zzz"])
async def test_forged_button_data_is_answered_and_changes_nothing(world: World, data: str) -> None:
    await world.admin.says("/pending")
    await world.admin.reply()
    before = snapshot(world.db)
    press = await world.admin.sends_button_data(data)
    answer = await world.admin.button_answer(press)
    assert answer["show_alert"] is True
    assert "无效" in answer["text"] or "已失效" in answer["text"]
    assert snapshot(world.db) == before
    assert all("系统繁忙" not in t.text for t in world.admin.unread())


def titles(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Article.title).order_by(Article.id)))


async def test_invisible_and_control_characters_never_reach_the_database(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit 王因街道\x00推进\u200b村务公开\u202e")
    assert "已报送 #18《王因街道推进村务公开》" in (await liaison.reply()).text
    before = snapshot(world.db)
    await liaison.says("/submit 王因街道推进村务公开\u200b")
    again = (await liaison.reply()).text
    assert "已报送过" in again or "重复" in again, again
    await liaison.says("/submit \u200b\u200d\u2060")  # no title: asked for it step by step
    assert "请发送稿件标题" in (await liaison.reply()).text
    await liaison.says("\u200b\u200e")
    assert "标题为空" in (await liaison.reply()).text
    await liaison.says("/cancel")
    await liaison.reply()
    await liaison.says("/start \x00")  # nothing left of the code: the menu
    assert "您的身份：王因街道联络员" in (await liaison.reply()).text
    assert "新稿件 #18：王因街道《王因街道推进村务公开》" in (await world.admin.reply()).text
    await world.admin.says("/unit 柳行\x00街道")
    assert (await world.admin.reply()).text.startswith("柳行街道\n")
    assert snapshot(world.db) == before
    assert titles(world.db)[-1] == "王因街道推进村务公开"


async def test_a_title_typed_again_with_other_punctuation_is_the_same_article(
    world: World,
) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit 王因街道“四项”举措推进村务公开（一）")
    assert "已报送 #18" in (await liaison.reply()).text
    before = snapshot(world.db)
    for twin in (
        '/submit 王因街道"四项"举措推进村务公开(一)',
        "/submit 王因街道 “四项” 举措推进村务公开（一）。",
        "/submit 王因街道「四项」举措推进村务公开（一）",
    ):
        await liaison.says(twin)
        refused = (await liaison.reply()).text
        assert "本单位今年已报送过同名稿件 #18《王因街道“四项”举措推进村务公开（一）》" in refused
    await liaison.says("/submit 。。。！！")
    assert "标题只有标点或符号，没有文字" in (await liaison.reply()).text
    assert snapshot(world.db) == before
    assert await world.remaining(world.admin) == [
        "新稿件 #18：王因街道《王因街道“四项”举措推进村务公开（一）》待审核。"
    ]


async def test_a_command_sent_again_half_way_through_starts_it_over(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit")
    assert "请发送稿件标题" in (await liaison.reply()).text
    await liaison.says("/submit 王因街道推进村务公开")
    assert "已报送 #18《王因街道推进村务公开》" in (await liaison.reply()).text
    assert await world.remaining(world.admin) == [
        "新稿件 #18：王因街道《王因街道推进村务公开》待审核。"
    ]


async def test_a_photo_sticker_or_location_nothing_waits_for_is_answered(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    before = snapshot(world.db)
    for content in (
        {"photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 10, "height": 10}]},
        {"location": {"latitude": 35.4, "longitude": 116.6}},
        {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3}},
    ):
        world.sandbox.new_message(liaison.chat, liaison.data, **content)
        assert "此消息未被处理。随稿件上传文件请先发送 /submit" in (await liaison.reply()).text
    await liaison.uploads("稿件.docx", b"PK")
    assert "此消息未被处理" in (await liaison.reply()).text
    assert snapshot(world.db) == before


async def test_channel_posts_are_ignored_quietly(world: World) -> None:
    channel = world.sandbox.channel(-100777, "某频道")
    before = snapshot(world.db)
    world.sandbox.channel_post(
        channel, document=("articles.csv", b"unit,title\n"), caption="/import"
    )
    world.sandbox.channel_post(channel, text="/rank")
    await world.admin.says("/help")
    await world.admin.reply()  # the posts before it were handled by now
    assert world.sandbox.bot_messages(channel.id) == []
    assert snapshot(world.db) == before
    assert world.admin.unread() == []


@pytest.mark.parametrize("command", ["/mine", "/tasks", "/submit 群里报送", "/progress", "/start"])
async def test_a_liaisons_commands_in_a_group_show_nothing(world: World, command: str) -> None:
    liaison = await world.liaison("王因街道", 3002)
    group = world.sandbox.group(-100900, "某工作群")
    before = snapshot(world.db)
    await liaison.says(command, chat=group)
    reply = await liaison.reply(chat=group)
    assert reply.text == "请私聊机器人使用此命令。"
    assert snapshot(world.db) == before


@pytest.mark.parametrize("command", ["/invite 柳行街道", "/pending", "/unit 柳行街道", "/bulletin"])
async def test_office_commands_in_a_group_show_nothing(world: World, command: str) -> None:
    group = world.sandbox.group(BULLETIN_CHAT, "政务公开工作群")
    await world.admin.says(command, chat=group)
    assert (await world.admin.reply(chat=group)).text == "请私聊机器人使用此命令。"
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Invite)) == 0


async def test_rankings_work_in_the_bulletin_chat_but_not_in_other_groups(world: World) -> None:
    bulletin_chat = world.sandbox.group(BULLETIN_CHAT, "政务公开工作群")
    await world.admin.says("/rank 2020-07", chat=bulletin_chat)
    assert "排名" in (await world.admin.reply(chat=bulletin_chat)).text
    other = world.sandbox.group(-100901, "闲聊群")
    await world.admin.says("/rank@gongkai_bot 2020-07", chat=other)
    assert (await world.admin.reply(chat=other)).text == "请私聊机器人使用此命令。"


async def test_mine_and_unit_for_a_unit_that_never_submitted(world: World) -> None:
    liaison = await world.liaison("财政金融局", 3010)
    await liaison.says("/mine")
    mine = (await liaison.reply()).text
    assert "截至2020年7月已连续7个月无持续进展（全区通报）。" in mine
    assert "上月有报送" not in mine
    never = Streak("新单位", "街道", 0, None, Month(2020, 7), 0, 1)
    assert streak_sentence(never, world.rules) == "尚无报送记录，暂不计算连续无进展月数。"
    await world.admin.says("/unit 接庄街道")
    assert "最近一次报送在2020年7月，无连续无进展记录。" in (await world.admin.reply()).text
    assert (await world.admin.reply()).text == "接庄街道2020年逐月情况"  # its chart


def zip_bomb(unpacked_mb: int) -> bytes:
    """A real workbook with a shared-strings part that inflates to ``unpacked_mb`` MB."""
    book = Workbook()
    book.active.append(["unit", "title"])
    plain = io.BytesIO()
    book.save(plain)
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item, source.read(item))
        strings = b"<t>" + b"x" * (unpacked_mb * 2**20) + b"</t>"
        target.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<si><t>unit</t></si><si><t>title</t></si><si>" + strings + b"</si></sst>",
        )
    return bomb.getvalue()


async def test_a_zip_bomb_is_refused_in_one_line_and_the_bot_stays_responsive(
    world: World,
) -> None:
    liaison = await world.liaison("王因街道", 3002)
    content = zip_bomb(40)
    assert len(content) < 200_000
    before = snapshot(world.db)
    await liaison.uploads("台账.xlsx", content)
    await world.admin.uploads("units.xlsx", content, caption="/import")
    visitor = world.person(7001, "访客")
    await visitor.says("/help")
    assert "尚未绑定单位" in (await visitor.reply(timeout=2)).text
    refusal = (await liaison.reply()).text
    assert "台账.xlsx：解压后约 40 MB，超过上限 30 MB，未读取" in refusal
    assert "解压后约 40 MB" in (await world.admin.reply()).text
    assert snapshot(world.db) == before


async def test_a_table_past_the_row_limit_is_refused_in_one_line(world: World) -> None:
    rows = "".join(f"王因街道,标题{n},2020-07-01\n" for n in range(tabular.MAX_ROWS + 1))
    before = snapshot(world.db)
    await world.admin.uploads(
        "articles.csv", ("unit,title,submitted_on\n" + rows).encode(), caption="/import"
    )
    refusal = (await world.admin.reply()).text
    assert f"articles.csv：超过 {tabular.MAX_ROWS} 行数据" in refusal and "未导入" in refusal
    assert "系统繁忙" not in refusal
    assert snapshot(world.db) == before


async def test_a_liaisons_table_is_refused_before_it_is_downloaded(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    calls = len(world.sandbox.calls)
    await liaison.uploads("articles.csv", b"unit,title\n", caption="/import")
    assert (await liaison.reply()).text == "此命令仅限政务公开办公室管理员使用。"
    assert "getFile" not in [method for method, _ in world.sandbox.calls[calls:]]
