"""The webhook server: Telegram's updates in, recorded in the inbox before the 200; and
``GET /healthz`` for the operator and the load balancer.

PTB's own webhook server cannot serve other paths, so this is PTB's documented "custom webhook"
arrangement: an aiohttp server puts each update into the application's queue (the inbox).
Several processes may run it behind one address, sharing the database and the secret.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import signal
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import start_application, stop_application
from domain.service_status import ServiceStatus
from reports.status import status_json, status_text
from runtime.settings import SettingsError

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

StatusReader = Callable[[], ServiceStatus]
App = Application[Any, Any, Any, Any, Any, Any]


class WebhookServer:
    """Receives updates on ``/<url_path>`` and answers ``GET /healthz``."""

    def __init__(self, application: App, url_path: str, secret: str, status: StatusReader) -> None:
        self.application = application
        self.secret = secret
        self.status = status
        self.tz = application.bot.defaults.tzinfo if application.bot.defaults else dt.UTC
        self.web = web.Application()
        self.web.router.add_post(f"/{url_path.strip('/')}", self.receive)
        self.web.router.add_get("/healthz", self.healthz)
        self._runner: web.AppRunner | None = None

    async def receive(self, request: web.Request) -> web.Response:
        """One update: 403 without the secret, 400 if unreadable, 200 once it is recorded
        (a failure to record is a 500, so Telegram sends it again)."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response()

    async def healthz(self, request: web.Request) -> web.Response:
        """The status in Chinese (``?format=json`` for monitors); 503 when the database
        cannot serve the bot."""
        status = await asyncio.to_thread(self.status)
        code = 200 if status.healthy else 503
        if request.query.get("format") == "json":
            body = json.dumps(status_json(status), ensure_ascii=False)
            return web.Response(status=code, text=body, content_type="application/json")
        return web.Response(status=code, text=status_text(status, self.tz))

    async def start(self, listen: str, port: int) -> None:
        """Listen on ``listen:port``."""
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def run_webhook(
    application: App,
    server: WebhookServer,
    *,
    listen: str,
    port: int,
    webhook_url: str,
) -> None:
    """Serve until SIGINT or SIGTERM (or ``application.stop_running()``), as PTB's
    ``run_webhook`` does: the loop runs forever and stopping it shuts down cleanly."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def begin() -> None:
        await start_application(application)
        await application.bot.set_webhook(
            webhook_url, secret_token=server.secret, allowed_updates=Update.ALL_TYPES
        )
        log.info("webhook server listening on %s:%s", listen, port)

    try:
        # The port first: a port in use is one line, before Telegram is told anything.
        loop.run_until_complete(server.start(listen, port))
    except OSError as exc:
        loop.close()
        raise SettingsError(f"无法监听 {listen}:{port}：{exc.strerror or exc}") from None
    try:
        loop.run_until_complete(begin())
        # Only now: a signal while starting ends the process at once (nothing is half-done
        # that a transaction does not undo), never a shutdown of a half-started application.
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, loop.stop)
        loop.run_forever()
    finally:
        loop.run_until_complete(server.stop())
        loop.run_until_complete(stop_application(application))
        loop.close()
