"""Every handler of the bot, registered in one visible list, in the order that matters.

``register`` is the one visible list of every handler, in the order that matters.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import (
    bulletins,
    campaigns,
    office,
    onboarding,
    published,
    queries,
    scores,
    submit,
    tasks,
)
from handlers.common import STALE_BUTTON, acknowledge, answer
from handlers.errors import on_error
from runtime.context import BotContext
from runtime.services import services


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have."""
    await answer(update, "未知命令。发送 /help 查看您可以使用的命令。")


async def stray_text(update: Update, context: BotContext) -> None:
    """Text in a private chat outside any conversation."""
    await answer(update, "请使用命令与我交流，发送 /help 查看您可以使用的命令。")


async def stray_message(update: Update, context: BotContext) -> None:
    """A file, photo, sticker, location… in a private chat that nothing is waiting for."""
    await answer(
        update,
        "此消息未被处理。随稿件上传文件请先发送 /submit，报送任务进展请发送 /progress；"
        "发送 /help 查看您可以使用的命令。",
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button nothing answers any more (its conversation ended, or its data is not ours):
    answered, so the client stops spinning."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query, STALE_BUTTON, alert=True)


async def edited_message(update: Update, context: BotContext) -> None:
    """An edited message never runs a command again (nor counts as a conversation's step)."""
    message = update.edited_message
    if message is not None and (message.text or message.caption or "").startswith("/"):
        await answer(
            update,
            "修改已发送的命令不会再次执行。如需更正，请重新发送命令"
            "（稿件标题有误请联系管理员，或以正确标题重新 /submit）。",
        )
    raise ApplicationHandlerStop


# Commands that show nothing private: they may be used in the bulletin and supervision chats.
GROUP_COMMANDS = frozenset(
    {"help", "rank", "stats", "rollup", "stagnant", "scores", "assessment", "units"}
)


def command_name(text: str) -> str:
    """``/Rank@gongkai_bot 2020-07`` → ``rank``."""
    return text.split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower() if text else ""


async def private_only(update: Update, context: BotContext) -> None:
    """In a group, a command that shows a unit's or the office's own data (or a live invite
    code) is refused before anything is read; ranking commands may be used in the bulletin
    and supervision chats."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    name = command_name(message.text or message.caption or "")
    settings = services(context).settings
    office_chats = {settings.bulletin_chat_id, settings.supervision_chat_id} - {None}
    if name in GROUP_COMMANDS and chat.id in office_chats:
        return
    await answer(update, "请私聊机器人使用此命令。")
    raise ApplicationHandlerStop


async def nobody(update: Update, context: BotContext) -> None:
    """Channel posts: from no user, so nobody to answer or authorise; ignored quietly."""
    raise ApplicationHandlerStop


def register(application: Application, *, submit_timeout: float) -> None:  # type: ignore[type-arg]
    """Add every handler. Groups -2 and -1 stop what must not be handled; group 0 answers."""
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, nobody), group=-2)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, edited_message), group=-1)
    in_group = filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE
    group_command = filters.COMMAND | filters.CaptionRegex(r"^/")
    application.add_handler(MessageHandler(in_group & group_command, private_only), group=-1)
    private = filters.ChatType.PRIVATE
    table = filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")
    application.add_handlers(
        [
            # The conversation first: while it runs, its states take the user's messages.
            submit.conversation(submit_timeout),
            tasks.conversation(submit_timeout),
            scores.adjust_conversation(submit_timeout),
            campaigns.campaign_conversation(submit_timeout),
            campaigns.answer_conversation(submit_timeout),
            published.conversation(submit_timeout),
            CommandHandler("start", onboarding.start),
            CommandHandler("help", onboarding.help_command),
            CommandHandler("cancel", submit.nothing_to_cancel),
            CommandHandler("invite", onboarding.invite),
            CommandHandler("units", onboarding.units),
            CommandHandler("pending", office.pending),
            CommandHandler("forward", office.forward),
            CommandHandler("decline", office.decline),
            CommandHandler("publish", office.publish),
            CommandHandler("endorse", office.endorse),
            CommandHandler("import", office.import_help),
            MessageHandler(
                filters.Document.ALL & (filters.CaptionRegex(r"^/import") | (private & table)),
                office.import_document,
            ),
            CommandHandler("bulletin", bulletins.preview),
            CommandHandler("wording", bulletins.wording),
            MessageHandler(
                filters.Document.FileExtension("docx") & filters.CaptionRegex(r"^/wording"),
                bulletins.wording_document,
            ),
            CommandHandler("rank", queries.rank),
            CommandHandler("unit", queries.unit),
            CommandHandler("stats", queries.stats),
            CommandHandler("stagnant", queries.stagnant),
            CommandHandler("rollup", queries.rollup),
            CommandHandler("mine", queries.mine),
            CommandHandler("tasks", tasks.tasks),
            CommandHandler("task", tasks.task),
            CommandHandler("ledger", tasks.ledger),
            CommandHandler("scores", scores.scores),
            CommandHandler("veto", scores.veto),
            CommandHandler("assessment", scores.assessment),
            CommandHandler("campaigns", campaigns.campaigns),
            CommandHandler("report_template", campaigns.report_template),
            CallbackQueryHandler(onboarding.invite_button, pattern=r"^inv:"),
            CallbackQueryHandler(office.review_button, pattern=r"^rev:(fwd|dec):[0-9]+$"),
            CallbackQueryHandler(office.publish_button, pattern=r"^pub:[0-9]+:[a-z_]+$"),
            CallbackQueryHandler(office.endorse_button, pattern=r"^end:[0-9]+:[a-z0-9_]+$"),
            CallbackQueryHandler(bulletins.decide, pattern=r"^bul:"),
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.COMMAND, unknown_command),
            MessageHandler(private & filters.TEXT, stray_text),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, stray_message
            ),
        ],
        group=0,
    )
    application.add_error_handler(on_error)
