"""Publications recorded from a column's contents: matched, listed, recorded once (issue 14)."""

from __future__ import annotations

import asyncio
import io
import signal
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from bot.cli import main
from bot.sandbox import Fault, Sandbox, SandboxUser
from domain.published import column_text
from domain.rules import Rules
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, Publication
from tests.botworld import World
from tests.test_month_lock import issue_july
from tests.test_reliability import bind_liaisons, outbox_drained, start_bot, texts
from tests.waiting import settled

COLUMN = """政务公开看山东 2020年第7期
1. 接庄街道全方位公开助力精准扶贫政策落地 2020-07-25
2、济宁高新区多措并举开展信访条例宣传工作（来源：济宁高新区）
3. 济宁高新区四项新举措举办首次新闻发布会
4. 任城区多措并举开展信访条例宣传工作
5. 全市召开安全生产工作会议
"""


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Publication, AuditEntry, OutboxMessage)
        )


def published(tmp_path: Path, *options: str) -> list[str]:
    path = tmp_path / "看山东.txt"
    path.write_text(COLUMN, encoding="utf-8")
    return ["import", "published", "--platform", "看山东", "--year", "2020", *options, str(path)]


def test_a_dry_run_lists_every_line_and_records_nothing(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(gaoxin)
    assert main(published(tmp_path, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "匹配确定（3）" in out
    assert "→ #14 接庄街道《济宁高新区接庄街道全方位公开助力精准扶贫政策落地》（相似度 100）" in out
    assert "待确认（1）" in out and "第5行 4. 任城区多措并举开展信访条例宣传工作" in out
    assert "未找到对应稿件（2）" in out and "第6行 5. 全市召开安全生产工作会议" in out
    assert "试运行：未记录任何内容" in out
    assert counts(gaoxin) == before


def test_confident_lines_are_recorded_once_each_as_publish_records_them(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publications, audits, _ = counts(gaoxin)
    assert main(published(tmp_path)) == 0
    assert "已记录 3 条被《政务公开看山东》采用" in capsys.readouterr().out
    with gaoxin.session() as session:
        recorded = session.execute(
            select(Publication.article_id, Publication.recorded_by).where(
                Publication.platform == "province"
            )
        ).all()
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "article.publish")
        ).all()
    assert sorted(n for n, _ in recorded if n in (1, 14, 17)) == [1, 14, 17]
    assert all(by.startswith("cli:") for n, by in recorded if n in (1, 14, 17))
    assert len(actions) == 3
    assert counts(gaoxin)[:2] == (publications + 3, audits + 3)
    assert main(published(tmp_path)) == 0  # the same list again
    out = capsys.readouterr().out
    assert "已记录过或与上文重复，不再记录（3）" in out and "没有需要记录的新采用" in out
    assert counts(gaoxin)[:2] == (publications + 3, audits + 3)


def test_a_reported_month_is_refused_line_by_line_as_publish_refuses_it(
    gaoxin: Database, rules: Rules, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issue_july(gaoxin, rules)
    before = counts(gaoxin)[:2]
    assert main(published(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "没有需要记录的新采用" in out
    assert "未记录 #14：2020年7月的通报已发布，2020年7月的数据已锁定" in out
    assert counts(gaoxin)[:2] == before


def test_a_word_file_of_the_column_gives_its_lines() -> None:
    document = Document()
    for line in COLUMN.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    assert column_text("看山东.docx", out.getvalue()).splitlines() == COLUMN.splitlines()


def test_an_unknown_platform_is_one_line(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = published(tmp_path)
    options[3] = "人民日报"
    assert main(options) == 1
    assert "未知平台“人民日报”" in capsys.readouterr().err


async def test_in_chat_the_sure_lines_are_recorded_by_one_press_the_doubtful_one_by_one(
    world: World,
) -> None:
    admin = world.admin
    liaison = await world.liaison("接庄街道", 3003)
    before = counts(world.db)[0]
    await admin.says("/published 看山东\n" + COLUMN)
    preview = await admin.reply()
    assert "《政务公开看山东》：6 行标题" in preview.text and "匹配确定（3）" in preview.text
    assert preview.buttons == ["全部记录（3 条）", "第5行→#17", "完成"]
    await admin.presses("全部记录（3 条）")
    assert "已记录 3 条被《政务公开看山东》采用" in (await admin.reply()).text
    assert "已被《政务公开看山东》采用" in (await liaison.reply()).text
    assert counts(world.db)[0] == before + 3
    await admin.presses("第5行→#17")  # recorded with the others: said so, not twice
    assert "未记录 #17：稿件 #17 已记录过被《政务公开看山东》采用" in (await admin.reply()).text
    assert counts(world.db)[0] == before + 3
    await admin.says("/published 看山东\n" + COLUMN)  # the same list again
    assert "已记录过或与上文重复，不再记录（3）" in (await admin.reply()).text
    await admin.presses("完成")
    assert "已结束" in (await admin.reply()).text
    assert counts(world.db)[0] == before + 3


async def test_in_chat_a_file_captioned_published_is_read_and_bad_input_is_one_line(
    world: World,
) -> None:
    admin = world.admin
    await admin.uploads("看山东.txt", COLUMN.encode(), caption="/published province")
    assert "匹配确定（3）" in (await admin.reply()).text
    await admin.says("/cancel")
    await admin.reply()
    await admin.says("/published")
    assert "用法：/published [平台]" in (await admin.reply()).text
    await admin.says("/published\n" + COLUMN)  # the column not named: asked by button
    ask = await admin.reply()
    assert ask.text == "这是哪个栏目刊发的？请选择：" and "《政务公开看山东》" in ask.buttons
    await admin.presses("《政务公开看山东》")
    assert "匹配确定（3）" in (await admin.reply()).text
    await admin.presses("完成")
    await admin.reply()
    await admin.says("/published 人民日报\n标题一二三四")
    assert "未知平台“人民日报”" in (await admin.reply()).text
    liaison = await world.liaison("接庄街道", 3003)
    await liaison.says("/published 看山东\n" + COLUMN)
    assert "此命令仅限政务公开办公室管理员使用" in (await liaison.reply()).text


COLUMN_TITLES = {
    1: "单位1推进基层政务公开标准化规范化建设",
    2: "单位2以政务公开为抓手助力企业复工复产",
    3: "单位3全方位公开助力精准扶贫政策落地",
}


async def until_text(user: SandboxUser, part: str) -> str:
    """The bot's next message to the user that holds ``part`` (notices may come between)."""
    while part not in (sent := (await user.reply(timeout=30)).text):
        pass
    return sent


async def test_a_bot_killed_while_recording_a_column_records_it_once_after_restart(
    db: Database,
) -> None:
    bind_liaisons(db)
    async with Sandbox() as sandbox:
        admin = sandbox.user(1, "办公室")
        liaisons = {n: sandbox.user(10_000 + n, f"联络员{n}") for n in COLUMN_TITLES}
        first = await start_bot(sandbox, db.url)
        try:
            for n, title in COLUMN_TITLES.items():
                await liaisons[n].says(f"/submit {title}")
                await until_text(liaisons[n], "已报送")
            lines = "\n".join(f"{n}. 济宁高新区{t}" for n, t in COLUMN_TITLES.items())
            await admin.says(f"/published 看山东\n{lines}")
            assert "匹配确定（3）" in await until_text(admin, "行标题")
            await outbox_drained(db)
            sandbox.inject(Fault("sendMessage", 0, stall=True))  # the answer to the press hangs
            await admin.presses("全部记录（3 条）")
            await asyncio.wait_for(sandbox.stalled.wait(), timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        sandbox.faults.clear()
        second = await start_bot(sandbox, db.url)
        try:
            await until_text(admin, "已记录 3 条被《政务公开看山东》采用")
            for n in COLUMN_TITLES:
                await until_text(liaisons[n], "已被《政务公开看山东》采用")
            await outbox_drained(db)
            await settled(sandbox, db)  # a second copy would have come by then
        finally:
            second.terminate()
            await second.wait()
    assert sum("已记录 3 条" in t for t in texts(sandbox, 1)) == 1
    for n in COLUMN_TITLES:
        assert sum("已被《政务公开看山东》采用" in t for t in texts(sandbox, 10_000 + n)) == 1
    with db.session() as session:
        recorded = session.scalars(
            select(Publication.article_id).where(Publication.platform == "province")
        ).all()
    assert len(recorded) == 3 and len(set(recorded)) == 3
