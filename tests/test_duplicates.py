"""重复报送 caught when submitted: the unit asked, the office told (issue 14, item 2)."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.duplicates import similar_titles
from domain.rules import Rules
from storage.db import Database
from storage.models import Article
from tests.botworld import World


def articles(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


async def test_a_title_very_like_the_units_own_asks_whether_it_is_a_duplicate(
    world: World,
) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit 济宁高新区王因街道扎实推进村务公开规范化建设")
    assert "已报送 #18" in (await liaison.reply()).text
    before = articles(world.db)
    await liaison.says("/submit 王因街道扎实推进村务公开规范化建设工作")
    ask = await liaison.reply()
    assert (
        "是否重复报送？" in ask.text
        and "#18《济宁高新区王因街道扎实推进村务公开规范化建设》" in ask.text
    )
    assert ask.buttons == ["不是重复，继续报送", "取消"]
    await liaison.presses("取消")
    assert "已取消" in (await liaison.reply()).text
    assert articles(world.db) == before
    await liaison.says("/submit 王因街道扎实推进村务公开规范化建设工作")
    await liaison.reply()
    await liaison.presses("不是重复，继续报送")
    assert "已报送 #19《王因街道扎实推进村务公开规范化建设工作》" in (await liaison.reply()).text
    assert articles(world.db) == before + 1
    # Step by step: asked after the title, then on to the link.
    await liaison.says("/submit")
    await liaison.reply()
    await liaison.says("济宁高新区王因街道扎实推进村务公开规范化建设！")
    assert "是否重复报送？" in (await liaison.reply()).text
    await liaison.presses("不是重复，继续报送")
    assert "请发送稿件的网页链接" in (await liaison.reply()).text
    told = "\n".join(await world.remaining(world.admin))  # notices due together may be one
    assert "新稿件 #18" in told and "新稿件 #19" in told and "#20" not in told


async def test_titles_that_differ_in_a_number_are_a_series_not_duplicates(world: World) -> None:
    liaison = await world.liaison("王因街道", 3002)
    await liaison.says("/submit 王因街道政务公开工作简报第1期")
    assert "已报送 #18" in (await liaison.reply()).text
    await liaison.says("/submit 王因街道政务公开工作简报第2期")
    assert "已报送 #19" in (await liaison.reply()).text
    told = "\n".join(await world.remaining(world.admin))
    assert "新稿件 #18" in told and "新稿件 #19" in told and "相似" not in told


async def test_a_title_very_like_another_units_is_recorded_and_flagged_to_the_office(
    world: World,
) -> None:
    liaison = await world.liaison("柳行街道", 3003)
    await liaison.says("/submit 济宁高新区接庄街道全方位公开助力精准扶贫政策落地实施")
    assert "已报送 #18" in (await liaison.reply()).text
    notice = (await world.admin.reply()).text
    assert "新稿件 #18" in notice
    assert (
        "⚠️ 与其他单位稿件相似：#14 接庄街道《济宁高新区接庄街道全方位公开助力精准扶贫政策落地》"
        in notice
    )
    await world.admin.says("/pending")
    await world.admin.reply()
    cards = [m.text for m in world.admin.unread()] + [(await world.admin.reply()).text]
    assert any("#18" in c and "与其他单位稿件相似：#14" in c for c in cards)


def test_the_check_can_be_turned_off(gaoxin: Database, rules: Rules) -> None:
    off = rules.model_copy(
        update={"duplicates": rules.duplicates.model_copy(update={"same_unit": 0, "other_unit": 0})}
    )
    title = "济宁高新区接庄街道全方位公开助力精准扶贫政策落地"
    assert similar_titles(gaoxin, off, 1, 2020, title) == []
    assert [s.article_id for s in similar_titles(gaoxin, rules, 1, 2020, title)] == [14]
