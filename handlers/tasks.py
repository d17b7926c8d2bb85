"""The task ledger in chat: /tasks, the /progress conversation, /task ID and /ledger [unit]."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.access import Identity, require_unit_name
from domain.attachments import REPORT_FILES, check_attachment
from domain.ledger import ledger_rows, parse_task_id, shorten, task_detail, task_ref
from domain.progress import (
    FILES_MAX,
    check_progress_text,
    record_progress,
    require_own_task,
    unit_tasks,
)
from handlers.common import (
    acknowledge,
    answer,
    arguments,
    caller,
    edit,
    refuse,
    refusing,
    requires,
    send_file,
)
from handlers.conversations import TEXT, Steps
from reports.chat import esc
from reports.ledger import ledger_summary, ledger_xlsx, task_message, unit_tasks_message
from runtime.context import BotContext
from runtime.services import services

PICK, WRITE, FILES, CONFIRM = range(4)
PAGE = 8
DONE_FILES = InlineKeyboardMarkup(
    [[InlineKeyboardButton("完成 / 跳过", callback_data="prg:files")]]
)


STEPS = Steps(
    "progress",
    expired="进展报送已因长时间未操作而取消，未保存任何内容。需要时请重新发送 /progress。",
)


@requires("liaison")
async def tasks(update: Update, context: BotContext, who: Identity) -> None:
    """/tasks: the unit's tasks, 牵头 first, with the last progress of each."""
    svc = services(context)
    assert who.unit_id is not None and who.unit_name is not None
    found = await asyncio.to_thread(unit_tasks, svc.db, who.unit_id, svc.today())
    await answer(update, unit_tasks_message(who.unit_name, found))


def tasks_keyboard(choices: list[tuple[int, str]], page: int) -> InlineKeyboardMarkup:
    """One button per task, a page at a time, with ◀ ▶ between pages."""
    shown = choices[page * PAGE : (page + 1) * PAGE]
    rows = [
        [InlineKeyboardButton(f"{task_ref(i)} {shorten(label)[:30]}", callback_data=f"prg:t:{i}")]
        for i, label in shown
    ]
    turn = []
    if page > 0:
        turn.append(InlineKeyboardButton("◀ 上一页", callback_data=f"prg:pg:{page - 1}"))
    if (page + 1) * PAGE < len(choices):
        turn.append(InlineKeyboardButton("下一页 ▶", callback_data=f"prg:pg:{page + 1}"))
    if turn:
        rows.append(turn)
    rows.append([InlineKeyboardButton("取消", callback_data="prg:no")])
    return InlineKeyboardMarkup(rows)


@requires("liaison")
@refusing(ConversationHandler.END)
async def begin(update: Update, context: BotContext, who: Identity) -> int:
    """/progress: pick a task by button; ``/progress T12`` picks it; with a text, records it."""
    svc = services(context)
    words = arguments(context)
    STEPS.data(context).clear()
    if words:
        task_id = parse_task_id(words[0])
        label = require_own_task(svc.db, who, task_id)
        if len(words) > 1:
            return await _record_at_once(update, context, who, task_id, " ".join(words[1:]))
        return await _ask_text(update, context, task_id, label)
    assert who.unit_id is not None
    found = await asyncio.to_thread(unit_tasks, svc.db, who.unit_id, svc.today())
    open_tasks = [(t.id, t.label) for t in found if not t.done]
    if not open_tasks:
        await answer(update, f"{esc(who.unit_name)}目前没有需要报送进展的任务。")
        return ConversationHandler.END
    STEPS.data(context)["choices"] = open_tasks
    await answer(
        update,
        f"请选择要报送进展的任务（共 {len(open_tasks)} 项未完成）。随时发送 /cancel 取消。",
        reply_markup=tasks_keyboard(open_tasks, 0),
    )
    return PICK


async def _record_at_once(
    update: Update, context: BotContext, who: Identity, task_id: int, text: str
) -> int:
    svc = services(context)
    report = record_progress(svc.db, who, task_id, text, [], False, svc.today())
    await answer(update, f"已记录 <b>{task_ref(task_id)}</b> 的进展（第 {report} 号）。")
    return ConversationHandler.END


async def turn_page(update: Update, context: BotContext) -> int:
    """◀ or ▶ between pages of tasks."""
    query = update.callback_query
    assert query is not None and query.data is not None
    page = int(query.data.rsplit(":", 1)[1])
    await acknowledge(query)
    await edit(update, None, tasks_keyboard(STEPS.data(context)["choices"], page))
    return PICK


@refusing(ConversationHandler.END)
async def picked(update: Update, context: BotContext) -> int:
    """A task pressed: checked again (the unit's tasks may have changed), then ask the text."""
    query = update.callback_query
    assert query is not None and query.data is not None
    task_id = int(query.data.rsplit(":", 1)[1])
    svc = services(context)
    label = require_own_task(svc.db, caller(update, context), task_id)
    await edit(update, None)
    return await _ask_text(update, context, task_id, label)


async def _ask_text(update: Update, context: BotContext, task_id: int, label: str) -> int:
    draft = STEPS.data(context)
    draft.update(task_id=task_id, label=label, files=[])
    await answer(
        update,
        f"<b>{task_ref(task_id)}</b> {esc(label)}\n请发送本次进展的文字说明（不超过 2000 字）。",
    )
    return WRITE


@refusing(WRITE, suffix="请重新发送，或 /cancel 取消。")
async def got_text(update: Update, context: BotContext) -> int:
    """The report's text, checked."""
    message = update.effective_message
    assert message is not None and message.text is not None
    STEPS.data(context)["text"] = check_progress_text(message.text)
    await answer(
        update,
        f"可发送相关文件或图片（最多 {FILES_MAX} 个），发完或没有文件时点“完成 / 跳过”。",
        reply_markup=DONE_FILES,
    )
    return FILES


@refusing(FILES)
async def got_file(update: Update, context: BotContext) -> int:
    """A document or photo added to the report."""
    message = update.effective_message
    assert message is not None
    files: list[tuple[str, str]] = STEPS.data(context)["files"]
    if len(files) >= FILES_MAX:
        await refuse(update, f"最多附 {FILES_MAX} 个文件，请点“完成 / 跳过”。")
        return FILES
    if message.document is not None:
        name = message.document.file_name or "附件"
        check_attachment(name, message.document.file_size, REPORT_FILES)
        files.append((message.document.file_id, name))
    elif message.photo:
        files.append((message.photo[-1].file_id, f"图片{len(files) + 1}.jpg"))
    else:
        await refuse(update, "请发送文件或图片，或点“完成 / 跳过”。")
        return FILES
    await answer(
        update, f"已收到 {esc(files[-1][1])}（共 {len(files)} 个）。", reply_markup=DONE_FILES
    )
    return FILES


async def files_done(update: Update, context: BotContext) -> int:
    """Show the summary: confirm as 推进中 or as 已完成, or cancel."""
    draft = STEPS.data(context)
    names = "、".join(name for _, name in draft["files"]) or "无"
    lines = [
        "<b>请确认进展报送</b>",
        f"任务：<b>{task_ref(draft['task_id'])}</b> {esc(draft['label'])}",
        f"进展：{esc(draft['text'])}",
        f"附件：{esc(names)}",
        "本任务已全部完成的，请点“确认（已完成）”。",
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确认（推进中）", callback_data="prg:ok"),
                InlineKeyboardButton("确认（已完成）", callback_data="prg:final"),
            ],
            [InlineKeyboardButton("取消", callback_data="prg:no")],
        ]
    )
    await answer(update, "\n".join(lines), reply_markup=keyboard)
    return CONFIRM


@refusing(ConversationHandler.END)
async def confirm(update: Update, context: BotContext) -> int:
    """Record the report."""
    svc = services(context)
    query = update.callback_query
    assert query is not None
    final = query.data == "prg:final"
    draft = STEPS.data(context)
    try:
        report = record_progress(
            svc.db,
            caller(update, context),
            draft["task_id"],
            draft["text"],
            draft["files"],
            final,
            svc.today(),
        )
    finally:
        STEPS.drop(context)
    state = "（已完成）" if final else ""
    await acknowledge(query, "已报送")
    await edit(
        update, f"已记录 <b>{task_ref(draft['task_id'])}</b> 的进展{state}（第 {report} 号）。"
    )
    return ConversationHandler.END


def conversation(timeout_seconds: float) -> ConversationHandler[BotContext]:
    """The /progress conversation."""
    return STEPS.handler(
        "progress",
        begin,
        {
            PICK: [
                CallbackQueryHandler(picked, pattern=r"^prg:t:\d+$"),
                CallbackQueryHandler(turn_page, pattern=r"^prg:pg:\d+$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^prg:no$"),
            ],
            WRITE: [MessageHandler(TEXT, got_text)],
            FILES: [
                MessageHandler(filters.Document.ALL | filters.PHOTO, got_file),
                CallbackQueryHandler(files_done, pattern=r"^prg:files$"),
                MessageHandler(TEXT, got_file),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=r"^prg:(ok|final)$"),
                CallbackQueryHandler(STEPS.cancel, pattern=r"^prg:no$"),
            ],
        },
        timeout_seconds,
    )


@requires("supervisor")
async def task(update: Update, context: BotContext, who: Identity) -> None:
    """/task ID: a task with every unit's part and reports."""
    svc = services(context)
    words = arguments(context)
    if not words:
        await refuse(update, "请提供任务编号，例如 /task T12。可用 /ledger 查看台账。")
        return
    detail = task_detail(svc.db, parse_task_id(words[0]), svc.today())
    await answer(update, task_message(detail))


@requires("supervisor")
async def ledger(update: Update, context: BotContext, who: Identity) -> None:
    """/ledger [单位]: the 台账 as a summary and an .xlsx."""
    svc = services(context)
    name = " ".join(arguments(context)).strip()
    today = svc.today()
    unit = require_unit_name(svc.db, name) if name else None
    rows = await asyncio.to_thread(ledger_rows, svc.db, today, unit.id if unit else None)
    scope = f"（{unit.name}）" if unit else ""
    heading = f"政务公开工作任务台账{scope}（截至 {today}）"
    await answer(update, ledger_summary(rows, heading))
    content = await asyncio.to_thread(ledger_xlsx, rows, heading)
    await send_file(update, content, f"台账{scope}-{today}.xlsx")
