"""How one answer or outbox row goes to Telegram."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from domain.notices import Buttons, Reply, queue_replies
from storage.db import Database


async def send_reply(bot: Bot, reply: Reply) -> None:
    """One reply or outbox row to Telegram: a message, a document, or an edit."""
    markup = keyboard(reply.buttons)
    if reply.edit_message_id is not None:
        if reply.text:
            await bot.edit_message_text(
                reply.text, reply.chat_id, reply.edit_message_id, reply_markup=markup
            )
        else:
            await bot.edit_message_reply_markup(
                reply.chat_id, reply.edit_message_id, reply_markup=markup
            )
    elif reply.document is not None and reply.picture:
        picture = InputFile(reply.document, filename=reply.document_name)
        await bot.send_photo(
            reply.chat_id, picture, caption=reply.text or None, reply_markup=markup
        )
    elif reply.document is not None:
        document = InputFile(reply.document, filename=reply.document_name)
        await bot.send_document(
            reply.chat_id, document, caption=reply.text or None, reply_markup=markup
        )
    else:
        await bot.send_message(reply.chat_id, reply.text, reply_markup=markup)


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """The inline keyboard of rows of ``[label, callback_data]`` (None for none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


async def send_replies(update: Update, replies: list[Reply]) -> None:
    """Answers go through the outbox: inside the update's unit of work they are committed
    with the change they report and sent after it, retried until Telegram takes them, so a
    failed send is never taken for a failed change. Outside one (a job), they go at once."""
    unit = Database.current_unit()
    if unit is not None:
        queue_replies(unit.database, f"reply:{update.update_id}:{unit.next_number()}", replies)
        return
    for reply in replies:
        await send_reply(update.get_bot(), reply)
