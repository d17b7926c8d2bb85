"""The sandbox Bot API: an unmodified PTB Bot sees Telegram's shapes, errors and limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.sandbox import Fault, Limits, Sandbox
from bot.sandbox_html import EntityParseError, parse_html


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(limits=Limits(per_chat_per_second=3)) as box:
        yield box


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    client = Bot(
        sandbox.token, base_url=f"{sandbox.url}/bot", base_file_url=f"{sandbox.url}/file/bot"
    )
    async with client:
        yield client


async def test_get_me_and_updates_round_trip(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.user(101, "Alice")
    assert (await bot.get_me()).username == "gongkai_bot"
    await alice.says("/start abc")
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["/start abc"]
    assert updates[0].message and updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_html_messages_become_text_and_entities(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.user(101, "Alice")
    await bot.send_message(101, "<b>粗体</b> &lt;标题&gt; &amp; <code>#1</code>", parse_mode="HTML")
    reply = await alice.reply()
    assert reply.text == "粗体 <标题> & #1"
    assert [(e["type"], e["offset"], e["length"]) for e in reply.entities] == [
        ("bold", 0, 2),
        ("code", 10, 2),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("a <b>b", 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", "Unsupported start tag at byte offset 2"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
    ],
)
async def test_unescaped_html_is_refused_like_telegram(
    sandbox: Sandbox, bot: Bot, text: str, error: str
) -> None:
    sandbox.user(101, "Alice")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(101, text, parse_mode="HTML")
    with pytest.raises(EntityParseError, match=error):
        parse_html(text)


async def test_limits_and_errors_match_telegram(sandbox: Sandbox, bot: Bot) -> None:
    sandbox.user(101, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(101, "字" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")
    sandbox.user(102, "Bob")
    sandbox.block(102)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(102, "hi")
    for n in range(3):
        await bot.send_message(101, f"第{n}条")
    with pytest.raises(RetryAfter, match="Retry in 1"):
        await bot.send_message(101, "超速")


async def test_injected_faults_fail_the_next_calls_then_clear(sandbox: Sandbox, bot: Bot) -> None:
    sandbox.user(101, "Alice")
    sandbox.inject(Fault("sendMessage", status=502, description="Bad Gateway", times=1))
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.send_message(101, "hi")
    sandbox.inject(Fault("sendMessage", status=0, delay=0.5))
    with pytest.raises(TimedOut):
        await bot.send_message(101, "slow", read_timeout=0.1)
    await bot.send_message(101, "ok")


async def test_buttons_files_and_edits(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.user(101, "Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("上报", callback_data="fwd:1")]])
    sent = await bot.send_message(101, "选择", reply_markup=keyboard)
    assert (await alice.reply()).buttons == ["上报"]
    await alice.presses("上报")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None and query.data == "fwd:1"
    assert await query.answer()
    await bot.edit_message_text("已上报", chat_id=101, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("已上报", chat_id=101, message_id=sent.message_id)

    await bot.send_document(101, b"%PDF-1.4 test", filename="通报.pdf", caption="附件")
    document = (await alice.reply()).document
    assert document is not None and document["file_name"] == "通报.pdf"
    await alice.uploads("稿件.docx", b"PK\x03\x04 docx")
    upload = (await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1))[-1]
    assert upload.message and upload.message.document
    file = await upload.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"PK\x03\x04 docx"
