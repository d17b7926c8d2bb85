"""The office's own words: an admin rewrites the 导语 or 二、存在问题 before publishing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy import select

from domain.bulletin import build_bulletin
from domain.bulletin_wording import (
    drop_office_document,
    office_document,
    set_bulletin_wording,
    use_office_document,
)
from domain.errors import UserError
from domain.monthly import run_bulletin_cycle
from domain.periods import Month
from domain.rules import Rules
from reports.bulletin import bulletin_docx
from reports.notices import monthly_renderers
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage
from tests.botworld import World
from tests.test_monthly import CHATS, TZ

JULY = Month(2020, 7)


def test_the_office_rewrites_the_preamble_and_the_problems(gaoxin: Database, rules: Rules) -> None:
    said = set_bulletin_wording(
        gaoxin, JULY, "导语", "第一段导语。\n\n第二段导语，现通报如下：", "tg:1000"
    )
    assert said == "已修改2020年7月通报的导语（2 段）。"
    set_bulletin_wording(
        gaoxin, JULY, "存在问题", "一是重视不够。\n二是数量少。\n三是质量低。", "tg:1000"
    )
    bulletin = build_bulletin(gaoxin, rules, JULY, dt.date(2020, 8, 5))
    assert bulletin.preamble == "第一段导语。\n第二段导语，现通报如下："
    assert bulletin.problems == ["一是重视不够。", "二是数量少。", "三是质量低。"]
    texts = [p.text for p in Document(io.BytesIO(bulletin_docx(bulletin, rules))).paragraphs]
    assert texts[4:6] == ["第一段导语。", "第二段导语，现通报如下："]
    assert "二是数量少。" in texts
    with gaoxin.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "bulletin.wording")
        ).first()
        assert entry is not None and entry.actor == "tg:1000"
    set_bulletin_wording(gaoxin, JULY, "导语", "默认", "tg:1000")
    again = build_bulletin(gaoxin, rules, JULY, dt.date(2020, 8, 5))
    assert again.preamble.startswith("为落实国家、省关于全面推进政务公开工作的系列部署")


@pytest.mark.parametrize(
    "part, text, said",
    [
        ("结尾", "文字", "可修改的部分：导语、存在问题"),
        ("导语", "", "请在导语后写上新的文字"),
        ("导语", "\u200b\n \n", "请在导语后写上新的文字"),
        ("导语", "长" * 2001, "文字过长"),
        ("文件", "新的全文", "整份修改稿请发送 .docx 文件"),
    ],
)
def test_wording_that_cannot_be_used_is_refused(
    gaoxin: Database, part: str, text: str, said: str
) -> None:
    with pytest.raises(UserError, match=said):
        set_bulletin_wording(gaoxin, JULY, part, text, "tg:1000")


def test_a_published_bulletin_keeps_its_words(gaoxin: Database, rules: Rules) -> None:
    now = dt.datetime(2020, 8, 5, 9, 0, tzinfo=TZ)
    run_bulletin_cycle(gaoxin, rules, now, TZ, CHATS, monthly_renderers(rules))
    with pytest.raises(UserError, match="已发布，不能再修改"):
        set_bulletin_wording(gaoxin, JULY, "导语", "迟到的导语", "tg:1000")


async def test_an_admin_rewrites_the_preamble_in_chat_and_previews_it(world: World) -> None:
    admin = world.admin
    await admin.says("/wording 2020-07 导语 本期导语第一段。\n本期导语第二段，现通报如下：")
    reply = await admin.reply()
    assert reply.text.startswith("已修改2020年7月通报的导语（2 段）。")
    await admin.says("/bulletin 2020-07")
    await admin.reply()
    docx = await admin.reply()
    assert docx.document is not None
    content = world.sandbox.files[docx.document["file_id"]].content
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert texts[4:6] == ["本期导语第一段。", "本期导语第二段，现通报如下："]
    for _ in ("xlsx", "png", "trend png"):
        await admin.reply()
    await admin.says("/wording 2020-07 结尾 文字")
    assert "可修改的部分：导语、存在问题" in (await admin.reply()).text


def edited_docx(text: str) -> bytes:
    """A real .docx, as the office would send back after editing."""
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_an_admin_sends_back_an_edited_docx(world: World) -> None:
    admin = world.admin
    edited = edited_docx("办公室修改后的通报全文")
    await admin.uploads("通报修改稿.docx", edited, caption="/wording 2020-07")
    said = (await admin.reply()).text
    assert said.startswith("已收到2020年7月通报的修改稿，发布时将原样发出。")
    assert office_document(world.db, JULY) == edited
    await admin.uploads("不是文档.docx", b"not a zip", caption="/wording 2020-07")
    assert "不是 Word（.docx）文件" in (await admin.reply()).text
    await admin.uploads("没写月份.docx", edited, caption="/wording")
    assert "请在修改稿的说明中写 /wording 年-月" in (await admin.reply()).text


def test_the_edited_docx_is_published_as_is_and_then_final(gaoxin: Database, rules: Rules) -> None:
    edited = edited_docx("办公室修改后的通报全文")
    use_office_document(gaoxin, JULY, "修改稿.docx", edited, "tg:1000")
    now = dt.datetime(2020, 8, 5, 9, 0, tzinfo=TZ)
    run_bulletin_cycle(gaoxin, rules, now, TZ, CHATS, monthly_renderers(rules))
    with gaoxin.session() as session:
        sent = session.scalars(
            select(OutboxMessage).where(OutboxMessage.key == "bulletin:2020-07:docx")
        ).one()
        assert sent.document == edited
    with pytest.raises(UserError, match="已发布，不能再修改"):
        use_office_document(gaoxin, JULY, "晚了.docx", edited, "tg:1000")


def test_withdrawing_the_edited_docx_goes_back_to_the_system_s(gaoxin: Database) -> None:
    use_office_document(gaoxin, JULY, "稿.docx", edited_docx("稿"), "tg:1000")
    assert office_document(gaoxin, JULY) is not None
    said = drop_office_document(gaoxin, JULY, "tg:1000")
    assert said.startswith("已撤回2020年7月通报的修改稿")
    assert office_document(gaoxin, JULY) is None
