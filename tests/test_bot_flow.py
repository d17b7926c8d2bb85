"""Whole scenarios through the sandbox: invite → bind → submit → forward → publish → rank."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.sandbox import SandboxUser, SentMessage
from domain.rules import Rules, load_rules
from handlers.common import ROLE_REFUSALS
from storage.db import Database
from storage.models import Article, AuditEntry
from tests.botworld import SUPERVISOR_ID, World, running_bot
from tests.conftest import EXAMPLES, GAOXIN_NOW
from tests.waiting import eventually


async def invite_and_bind(
    world: World, unit: str, user_id: int, name: str
) -> tuple[SandboxUser, SentMessage, SentMessage]:
    """The admin invites, the person binds; returns the liaison, the invite and the welcome."""
    admin = world.admin
    await admin.says(f"/invite {unit}")
    invite = await admin.reply()
    code = invite.text.split("/start ")[-1].strip()
    liaison = world.person(user_id, name)
    await liaison.says(f"/start {code}")
    return liaison, invite, await liaison.reply()


async def edited_message(world: World, chat_id: int, message_id: int) -> dict[str, Any]:
    """The bot's message once it has been edited (waits up to five seconds)."""

    def edited() -> dict[str, Any] | None:
        return next(
            (
                m
                for m in world.sandbox.bot_messages(chat_id)
                if m["message_id"] == message_id and "edit_date" in m
            ),
            None,
        )

    return await eventually(edited, timeout=5, what=f"an edit of message {message_id}")


async def test_invite_bind_submit_forward_publish_rank(world: World) -> None:
    liaison, invite, welcome = await invite_and_bind(world, "柳行街道", 3001, "张三")
    assert "https://t.me/gongkai_bot?start=" in invite.text
    assert "绑定成功！您已成为柳行街道的联络员。" in welcome.text

    await liaison.says("/submit 柳行街道推进村务公开规范化")
    receipt = await liaison.reply()
    assert receipt.text.startswith("已报送 #18《柳行街道推进村务公开规范化》")

    admin = world.admin
    notice = await admin.reply()
    assert "新稿件 #18：柳行街道《柳行街道推进村务公开规范化》待审核" in notice.text
    await admin.says("/pending")
    assert (await admin.reply()).text == "待审核稿件共 1 篇："
    card = await admin.reply()
    assert card.buttons == ["上报", "不上报"]
    await admin.presses("上报")
    edited = await edited_message(world, admin.id, card.raw["message_id"])
    assert edited["text"].startswith("已上报：#18《柳行街道推进村务公开规范化》，暂计 2 分")
    told = await liaison.reply()
    assert told.text.startswith("稿件 #18《柳行街道推进村务公开规范化》已采用并报送上级平台")

    await admin.says("/publish 18 省级")
    assert "计 20 分（原 2 分）" in (await admin.reply()).text
    told = await liaison.reply()
    assert (
        told.text == "稿件 #18《柳行街道推进村务公开规范化》已被《政务公开看山东》采用，计 20 分。"
    )

    await admin.says("/publish 18 《政务公开经验做法》")
    assert "得分不变" in (await admin.reply()).text
    assert "同一信息不重复计分" in (await liaison.reply()).text

    supervisor = world.person(SUPERVISOR_ID, "督查室")
    assert main(["role", "grant", str(SUPERVISOR_ID), "supervisor"]) == 0
    await supervisor.says("/rank 2020-08 街道")
    table = await supervisor.reply()
    assert "2020年8月政务公开工作信息得分排名（街道）" in table.text
    first = [line for line in table.text.splitlines() if line.strip().startswith("1 ")]
    assert first and "柳行街道" in first[0] and first[0].split()[-2:] == ["20", "↑1"]
    chart = await supervisor.reply()
    assert chart.photo is not None and chart.photo["width"] >= 1080

    with world.db.session() as session:
        article = session.get(Article, 18)
        assert article is not None and (article.points, article.best_platform) == (20, "province")
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == "18").order_by(AuditEntry.id)
        ).all()
    assert actions == ["article.submit", "article.forward", "article.publish", "article.publish"]


async def test_submit_conversation_takes_link_file_and_columns(world: World) -> None:
    liaison, _, _ = await invite_and_bind(world, "王因街道", 3002, "李四")
    await liaison.says("/submit")
    assert "请发送稿件标题" in (await liaison.reply()).text
    await liaison.says("  ")
    assert "标题为空" in (await liaison.reply()).text
    await liaison.says("王因街道“阳光村务”再升级")
    assert "网页链接" in (await liaison.reply()).text
    await liaison.says("not a link")
    assert "链接格式不正确" in (await liaison.reply()).text
    await liaison.says("https://www.jnhtz.gov.cn/art/2020/8/5/1.html")
    assert "稿件文件" in (await liaison.reply()).text
    await liaison.uploads("病毒.exe", b"MZ")
    assert "不支持的文件类型" in (await liaison.reply()).text
    await liaison.uploads("稿件.docx", b"PK\x03\x04 docx")
    columns = await liaison.reply()
    assert columns.buttons == [
        "《政务公开经验做法》",
        "《政务公开看山东》",
        "《政务公开工作交流》",
        "其它国家级报刊",
        "完成",
    ]
    await liaison.presses("《政务公开看山东》")
    await edited_message(world, liaison.id, columns.raw["message_id"])
    await liaison.presses("完成")
    summary = await liaison.reply()
    assert "标题：《王因街道“阳光村务”再升级》" in summary.text
    assert "文件：稿件.docx" in summary.text
    assert "拟投平台：《政务公开看山东》" in summary.text
    await liaison.presses("确认报送")
    done = await edited_message(world, liaison.id, summary.raw["message_id"])
    assert done["text"] == "已报送 #18《王因街道“阳光村务”再升级》，等待政务公开办公室审核。"
    with world.db.session() as session:
        article = session.get(Article, 18)
        assert article is not None
        assert (article.link, article.file_name, article.intended_for) == (
            "https://www.jnhtz.gov.cn/art/2020/8/5/1.html",
            "稿件.docx",
            "province",
        )
    told = await world.remaining(world.admin)
    assert told == ["新稿件 #18：王因街道《王因街道“阳光村务”再升级》待审核。"]


async def test_cancel_at_any_step_saves_nothing(world: World) -> None:
    liaison, _, _ = await invite_and_bind(world, "王因街道", 3002, "李四")
    await liaison.says("/submit")
    await liaison.reply()
    await liaison.says("半截稿件")
    await liaison.reply()
    await liaison.says("/cancel")
    assert (await liaison.reply()).text == "已取消，未保存任何内容。"
    with world.db.session() as session:
        assert session.scalar(select(Article).where(Article.title == "半截稿件")) is None
    await liaison.says("/cancel")
    assert (await liaison.reply()).text == "当前没有进行中的操作。"


async def test_forgotten_conversation_times_out_politely(gaoxin: Database, rules: Rules) -> None:
    async with running_bot(gaoxin, rules, now=GAOXIN_NOW, submit_timeout=0.5) as world:
        liaison, _, _ = await invite_and_bind(world, "王因街道", 3002, "李四")
        await liaison.says("/submit")
        await liaison.reply()
        assert "长时间未操作而取消" in (await liaison.reply(timeout=5)).text


async def test_titles_typed_with_html_come_back_escaped(world: World) -> None:
    liaison, _, _ = await invite_and_bind(world, "柳行街道", 3001, "张三")
    title = "<b>加粗</b> & <script>alert(1)</script> 1<2"
    await liaison.says(f"/submit {title}")
    receipt = await liaison.reply()
    assert receipt.text == f"已报送 #18《{title}》，等待政务公开办公室审核。"
    notice = await world.admin.reply()
    assert title in notice.text


async def test_duplicate_title_this_year_is_refused(world: World) -> None:
    liaison, _, _ = await invite_and_bind(world, "柳行街道", 3001, "张三")
    await liaison.says("/submit 同一个标题")
    await liaison.reply()
    await liaison.says("/submit 同一个标题")
    assert "本单位今年已报送过同名稿件 #18《同一个标题》" in (await liaison.reply()).text
    assert await world.remaining(world.admin) == ["新稿件 #18：柳行街道《同一个标题》待审核。"]


@pytest.mark.parametrize(
    "code_of",
    [
        lambda code: "wrong-code",
        lambda code: code,  # used twice: the second person is refused
    ],
)
async def test_wrong_or_used_invite_is_refused_and_binds_nobody(world: World, code_of: Any) -> None:
    _, invite, _ = await invite_and_bind(world, "柳行街道", 3001, "张三")
    code = invite.text.split("/start ")[-1].strip()
    stranger = world.person(4001, "王五")
    await stranger.says(f"/start {code_of(code)}")
    refusal = await stranger.reply()
    assert "邀请码无效" in refusal.text or "已被使用" in refusal.text
    await stranger.says("/mine")
    assert "仅限已绑定单位的联络员" in (await stranger.reply()).text


async def test_expired_invite_is_refused(world: World) -> None:
    admin = world.admin
    await admin.says("/invite 柳行街道")
    code = (await admin.reply()).text.split("/start ")[-1].strip()
    world.clock.advance(days=8)
    late = world.person(4002, "迟到")
    await late.says(f"/start {code}")
    assert "该邀请码已过期" in (await late.reply()).text


async def test_unknown_unit_suggests_close_names(world: World) -> None:
    admin = world.admin
    await admin.says("/invite 柳行")
    assert "您是不是要找：柳行街道？" in (await admin.reply()).text
    supervisor = world.person(SUPERVISOR_ID, "督查室")
    assert main(["role", "grant", str(SUPERVISOR_ID), "supervisor"]) == 0
    await supervisor.says("/unit 公安")
    assert "您是不是要找：公安分局？" in (await supervisor.reply()).text
    await supervisor.says("/unit 公安分局")
    detail = await supervisor.reply()
    assert (await supervisor.reply()).photo is not None  # its year month by month
    assert "公安分局（区直部门）" in detail.text
    assert "《济宁高新区公安分局聚力“三个坚持”推进基层警务公开工作规范化建设》" in detail.text
    await supervisor.says("/unit 柳行街道")
    assert (await supervisor.reply()).text.startswith("柳行街道\n")  # not 柳行街道（街道）
    await admin.says("/units")
    listing = (await admin.reply()).text.split("\n\n")
    streets = next(block for block in listing if block.startswith("街道"))
    numbers = [line.split(".")[0] for line in streets.splitlines()[1:]]
    assert numbers == ["1", "2", "3", "4", "5"]  # numbered within the category


async def test_mine_shows_score_rank_streak_and_this_month(world: World) -> None:
    liaison, _, _ = await invite_and_bind(world, "党政办公室", 3003, "赵六")
    await liaison.says("/mine")
    text = (await liaison.reply()).text
    assert "得分 30，第 1 名（共 25 个单位）" in text
    assert "报送 2 篇，采用 2 篇" in text
    assert "本月（8月）尚未报送稿件" in text


async def test_stats_and_stagnant_for_supervisors(world: World) -> None:
    admin = world.admin
    await admin.says("/stats 2020-01..2020-07")
    stats = (await admin.reply()).text
    assert "报送 17 篇，采用 15 篇，上报未刊发 2 篇" in stats
    assert "《政务公开看山东》：3 篇" in stats and "《政务公开经验做法》：12 篇" in stats
    assert "街道：报送 3 篇" in stats and "区直部门：报送 14 篇" in stats
    await admin.says("/stagnant")
    stagnant = (await admin.reply()).text
    assert "截至2020年7月连续无持续进展的单位" in stagnant
    assert "柳行街道：连续7个月无持续进展（全区通报）" in stagnant
    assert "党工委政法委" not in stagnant


async def test_a_failing_handler_apologises_with_a_reference_and_alerts_admins(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.queries

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(handlers.queries, "rank_units", broken)
    await world.admin.says("/rank")
    apology = await world.admin.reply()
    assert apology.text.startswith("系统繁忙，请稍后再试。（编号 ")
    reference = apology.text.split("编号 ")[1].rstrip("）")
    alert = await world.admin.reply()
    assert f"处理消息出错（编号 {reference}，用户 1000）：RuntimeError" in alert.text
    assert "database on fire" not in apology.text + alert.text


async def test_unknown_command_and_stray_text_get_help(world: World) -> None:
    person = world.person(5001, "路人")
    await person.says("/frobnicate")
    assert "未知命令" in (await person.reply()).text
    await person.says("你好")
    assert "/help" in (await person.reply()).text


async def test_a_liaisons_help_says_how_the_units_articles_are_scored(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/help")
    text = (await liaison.reply()).text
    assert "本单位计分办法" in text
    assert "省政府门户网站《政务公开看山东》专栏采用一篇计20分" in text
    assert text.endswith("同一信息被重复采用的，以最高分为准，不重复计分。")
    await world.admin.says("/help")
    assert "本单位计分办法" not in (await world.admin.reply()).text


async def test_a_ranking_too_long_for_one_message_is_split_or_sent_as_xlsx(
    db: Database, rules: Rules
) -> None:
    from openpyxl import load_workbook

    from domain.units import import_units

    def units(count: int) -> bytes:
        rows = "".join(f"第{n:03d}街道办事处,街道\n" for n in range(1, count + 1))
        return ("name,category\n" + rows).encode()

    import_units(db, "units.csv", units(100), "test")
    async with running_bot(db, rules, now=GAOXIN_NOW) as world:
        await world.admin.says("/rank 2020-07")
        first, second = await world.admin.replies(2)
        assert "（1/2）" in first.text and "（2/2）" in second.text
        assert all(len(m.text) <= 4096 for m in (first, second))
        assert (await world.admin.reply()).photo is not None  # then the chart
    import_units(db, "units.csv", units(300), "test")
    async with running_bot(db, rules, now=GAOXIN_NOW) as world:
        await world.admin.says("/rank 2020-07")
        sent = await world.admin.reply()
        assert sent.document is not None
        assert sent.document["file_name"] == "得分排名-2020-07-2020-07.xlsx"
        content = world.sandbox.files[sent.document["file_id"]].content
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None and sheet.max_row == 302
        assert (await world.admin.reply()).photo is not None  # then the chart


async def test_an_admin_records_a_leaders_endorsement_and_the_unit_is_told(
    gaoxin: Database,
) -> None:
    scheme = load_rules(EXAMPLES / "rules" / "city-2008-sum.toml")
    async with running_bot(gaoxin, scheme, now=GAOXIN_NOW) as world:
        liaison, _, _ = await invite_and_bind(world, "柳行街道", 3001, "张三")
        await liaison.says("/submit 柳行街道推进村务公开规范化")
        await liaison.reply()
        admin = world.admin
        await admin.reply()
        await admin.says("/endorse 18 省政府")
        assert "尚未上报" in (await admin.reply()).text
        await admin.says("/forward 18")
        await admin.reply()
        await liaison.reply()

        await admin.says("/endorse 18")
        ask = await admin.reply()
        assert ask.buttons == [
            "国务院领导（另计20分）",
            "省政府领导（另计10分）",
            "市政府领导（另计5分）",
        ]
        await admin.presses("省政府领导（另计10分）")
        assert (await admin.reply()).text == (
            "已记录：#18《柳行街道推进村务公开规范化》获省政府领导批示，另计 10 分，"
            "现计 10 分，已通知柳行街道。"
        )
        assert (await liaison.reply()).text == (
            "稿件 #18《柳行街道推进村务公开规范化》获省政府领导批示，另计 10 分，现计 10 分。"
        )
        await admin.says("/endorse 18 省政府")
        assert "已记录过省政府领导批示，不重复计分" in (await admin.reply()).text
        await liaison.says("/endorse 18 国务院")
        assert (await liaison.reply()).text == ROLE_REFUSALS["admin"]
        await admin.says("/publish 18 门户网站图片")
        assert "计 10.5 分（原 10 分）" in (await admin.reply()).text
        await liaison.reply()
        await admin.says("/help")
        assert "/endorse — 记录领导批示" in (await admin.reply()).text
        await world.nothing_unread()

    with gaoxin.session() as session:
        article = session.get(Article, 18)
        assert article is not None and article.points == Decimal("10.5")
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == "18").order_by(AuditEntry.id)
        ).all()
    assert actions == ["article.submit", "article.forward", "article.endorse", "article.publish"]


async def test_endorse_is_not_offered_where_the_rules_score_no_endorsements(world: World) -> None:
    await world.admin.says("/help")
    assert "/endorse" not in (await world.admin.reply()).text
    await world.admin.says("/endorse 1 省级")
    assert "未设领导批示加分" in (await world.admin.reply()).text


async def test_mine_tells_a_liaison_what_the_weeks_quota_still_wants(gaoxin: Database) -> None:
    scheme = load_rules(EXAMPLES / "rules" / "weekly-quota.toml")
    async with running_bot(gaoxin, scheme, now=GAOXIN_NOW) as world:
        liaison, _, _ = await invite_and_bind(world, "柳行街道", 3001, "张三")
        await liaison.says("/submit 柳行街道推进村务公开规范化")
        await liaison.reply()
        assert "新稿件 #18" in (await world.admin.reply()).text
        await liaison.says("/mine")
        mine = (await liaison.reply()).text
        assert "本周已报送 1 篇，还差 1 篇（每周 2 篇）。" in mine
        await liaison.says("/help")
        assert "每周报送2篇以上为完成任务，计基础分1分" in (await liaison.reply()).text
