"""What every step-by-step command shares: a draft kept in ``user_data`` under one key,
/cancel (or a 取消 button) that drops it, and a polite word when it is forgotten."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.common import answer, edit
from runtime.context import BotContext

TEXT = filters.TEXT & ~filters.COMMAND
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]


@dataclass(frozen=True)
class Steps:
    """A conversation's draft and what it says when the draft is dropped."""

    draft: str
    expired: str
    cancelled: str = "已取消，未保存任何内容。"

    def data(self, context: BotContext) -> dict[str, Any]:
        """The draft so far (created empty)."""
        assert context.user_data is not None
        found: dict[str, Any] = context.user_data.setdefault(self.draft, {})
        return found

    def drop(self, context: BotContext) -> None:
        """Forget the draft."""
        if context.user_data is not None:
            context.user_data.pop(self.draft, None)

    async def cancel(self, update: Update, context: BotContext) -> int:
        """/cancel or 取消: drop the draft, take the buttons away, say so."""
        self.drop(context)
        if update.callback_query is not None:
            await edit(update, None)
        await answer(update, self.cancelled)
        return ConversationHandler.END

    async def expire(self, update: Update, context: BotContext) -> None:
        """A forgotten conversation: drop the draft and say so politely."""
        self.drop(context)
        chat = update.effective_chat
        if chat is not None:
            await chat.send_message(self.expired)

    def handler(
        self,
        command: str,
        entry: Callback,
        states: dict[object, list[BaseHandler[Any, Any, Any]]],
        timeout: float,
        also: tuple[BaseHandler[Any, Any, Any], ...] = (),
    ) -> ConversationHandler[BotContext]:
        """The conversation started by ``/command`` (or by ``also``: a file with the command
        as its caption), with /cancel and the timeout wired in."""
        with warnings.catch_warnings():
            # per_message=False is meant: the steps mix messages and button presses.
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            return ConversationHandler(
                entry_points=[CommandHandler(command, entry), *also],
                states={
                    **states,
                    ConversationHandler.TIMEOUT: [TypeHandler(Update, self.expire)],
                },
                fallbacks=[CommandHandler("cancel", self.cancel)],
                conversation_timeout=timeout,
                # The command sent again starts over: never "未知命令" half-way through.
                allow_reentry=True,
                name=command,
                # Kept in the database: a restart in the middle loses nothing.
                persistent=True,
            )
