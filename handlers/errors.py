"""The error handler: log the trace, apologise with a reference, alert the admins."""

from __future__ import annotations

import html
import logging
import secrets

from telegram import Update
from telegram.error import Conflict

from domain.notices import alert_admins
from runtime.context import BotContext
from runtime.services import deployment

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Never a traceback in chat: a short reference the admins can find in the log.

    Telegram's 409 Conflict while polling means another process polls with the same token:
    the newcomer (the process not holding the jobs' lease) stops, with one line, instead of
    alerting the admins at every retry; the holder goes on.
    """
    if update is None and isinstance(context.error, Conflict):
        if context.bot_data.leader:
            log.info("409 Conflict while polling: another process started; it will stop")
        elif not context.bot_data.conflict:
            context.bot_data.conflict = True
            log.critical("another process is polling with this token (409 Conflict); stopping")
            context.application.stop_running()
        return
    reference = secrets.token_hex(3).upper()
    log.error("update failed, reference %s", reference, exc_info=context.error)
    # The deployment's admins: an operator hears of every office's errors.
    svc = deployment(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(f"系统繁忙，请稍后再试。（编号 {reference}）")
        except Exception:  # the apology must not raise a second error
            log.exception("could not apologise for %s", reference)
    who = ""
    if isinstance(update, Update) and update.effective_user is not None:
        who = f"，用户 {update.effective_user.id}"
    alert_admins(
        svc.db,
        f"error:{reference}",
        f"⚠️ 处理消息出错（编号 {reference}{who}）：{html.escape(type(context.error).__name__)}。"
        f"详见日志。",
        svc.settings.admin_ids,
    )
