"""A local Bot API server that an unmodified python-telegram-bot Application can talk to.

It speaks the methods the bot uses with Telegram's JSON shapes (form, JSON and multipart
bodies), keeps chats, messages, files and the update queue, and enforces Telegram's errors
and limits: 4096-character texts, HTML entity parsing, unknown chats, 429 with
``retry_after`` beyond a configurable rate, 403 for users who blocked the bot, and injectable
faults and delays. Its user side (``SandboxUser``) lets a test, ``gongkai demo`` or
``gongkai console`` act as anyone: send text, press inline buttons, upload files, read replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import random
import struct
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import BodyPartReader, web

from bot.sandbox_html import EntityParseError, parse_html

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height
# Parameters PTB sends JSON-encoded inside form or multipart bodies.
_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "media",
}


class ApiError(Exception):
    """An error answer: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class Fault:
    """An injected failure for the next ``times`` calls of ``method`` (or of any method)."""

    method: str | None
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    # Close the connection without an answer, as a network failure would.
    drop: bool = False
    # Never answer (until the client goes away); ``Sandbox.stalled`` is set meanwhile.
    stall: bool = False


@dataclass
class StoredFile:
    """A file the sandbox holds, uploaded by the bot or by a user."""

    file_id: str
    unique_id: str
    content: bytes
    name: str
    mime_type: str
    path: str


@dataclass
class Limits:
    """Telegram's flood limits; None switches a limit off."""

    per_chat_per_second: float | None = None
    global_per_second: float | None = None
    group_per_minute: int | None = None


@dataclass
class Chat:
    """A private chat or a group."""

    id: int
    type: str
    title: str = ""
    user: dict[str, Any] | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The Chat object Telegram sends."""
        if self.type == "private" and self.user:
            chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
            if "username" in self.user:
                chat["username"] = self.user["username"]
            return chat
        return {"id": self.id, "type": self.type, "title": self.title}


class Sandbox:
    """The server and its state. ``async with Sandbox() as sandbox:`` starts and stops it."""

    def __init__(
        self,
        token: str = "123456789:SANDBOX-token",
        bot_username: str = "gongkai_bot",
        bot_name: str = "政务公开助手",
        limits: Limits | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.limits = limits or Limits()
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # Every message of every chat in the order it happened, for transcripts.
        self.log: list[tuple[Chat, dict[str, Any]]] = []
        self.faults: list[Fault] = []
        # answerCallbackQuery by query id: what the pressing user saw (a toast or an alert).
        self.button_answers: dict[str, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self._updates: deque[dict[str, Any]] = deque()
        # Telegram starts numbering at random after a quiet week; so does each sandbox, which
        # keeps two sandboxes in one test from reusing the numbers a database has seen.
        self._update_ids = itertools.count(random.randint(1, 2**30))
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        # Wakes the webhook's senders: an update queued, or a chat's update delivered.
        self._webhook_ready = asyncio.Event()
        # Long polls waiting for updates; a newer getUpdates ends them with 409, as Telegram's
        # "terminated by other getUpdates request" when two processes poll one token.
        self._polls: list[asyncio.Event] = []
        self.stalled = asyncio.Event()
        self.refused_for_flooding = 0
        self._bot_message = asyncio.Condition()
        self._sent: dict[int, deque[float]] = defaultdict(deque)
        self._sent_all: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: any free port) and return the root URL for the bot."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # A request whose client goes away before it is answered is abandoned, not carried out.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://{host}:{bound}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # -- the user side ---------------------------------------------------------------------

    def user(
        self, user_id: int, first_name: str, username: str | None = None, last_name: str = ""
    ) -> SandboxUser:
        """A person who can talk to the bot in a private chat (and in groups)."""
        data: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "zh-hans",
        }
        if last_name:
            data["last_name"] = last_name
        if username:
            data["username"] = username
        if user_id not in self.chats:
            self.chats[user_id] = Chat(user_id, "private", user=data)
        return SandboxUser(self, data)

    def group(self, chat_id: int, title: str) -> Chat:
        """A group chat the bot is a member of."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id, "supergroup", title=title)
        return chat

    def channel(self, chat_id: int, title: str) -> Chat:
        """A channel the bot is an administrator of."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id, "channel", title=title)
        return chat

    def channel_post(self, chat: Chat, **content: Any) -> dict[str, Any]:
        """A post in a channel (from no user), queued as an update; a ``document`` given as
        ``(name, bytes)`` is stored first."""
        if "document" in content:
            name, data = content["document"]
            content["document"] = _document_json(self.store_file(data, name))
        post = {
            "message_id": next(self._message_ids[chat.id]),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "sender_chat": chat.as_json(),
            **content,
        }
        chat.messages.append(post)
        self.log.append((chat, post))
        self.push_update({"channel_post": post})
        return post

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sending to them answers 403."""
        self.blocked.add(user_id)

    def inject(self, fault: Fault) -> None:
        """Make the next calls fail (or stall) as ``fault`` says."""
        self.faults.append(fault)

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message the bot has sent to the chat, oldest first."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages if m.get("from", {}).get("id") == self.bot_id]

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (or the webhook)."""
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        self._webhook_ready.set()

    def new_message(self, chat: Chat, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Record a message from a user in a chat and queue it as an update."""
        message = {
            "message_id": next(self._message_ids[chat.id]),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": sender,
            **content,
        }
        chat.messages.append(message)
        self.log.append((chat, message))
        self.push_update({"message": message})
        return message

    def store_file(self, content: bytes, name: str, mime_type: str | None = None) -> StoredFile:
        """Keep a file and give it ids, as Telegram does for any upload."""
        number = next(self._file_ids)
        folder = "photos" if (mime_type or "").startswith("image/") else "documents"
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = StoredFile(
            file_id=f"FILE{number:06d}",
            unique_id=f"U{number:06d}",
            content=content,
            name=name,
            mime_type=mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            path=f"{folder}/file_{number}.{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    async def wait_for_bot_message(
        self, chat_id: int, after: int, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first bot message in the chat with an index past ``after`` (waits for it)."""

        def ready() -> dict[str, Any] | None:
            sent = self.bot_messages(chat_id)
            return sent[after] if len(sent) > after else None

        async with self._bot_message:
            found = await asyncio.wait_for(self._bot_message.wait_for(ready), timeout=timeout)
        assert found is not None
        return found

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await _read_params(request, self)
            self.calls.append((method, params))
            if await self._apply_faults(method) == "drop":
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=500)
            handler = getattr(self, f"api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            return _error_response(exc)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        raise web.HTTPNotFound()

    async def _apply_faults(self, method: str) -> str | None:
        for fault in self.faults:
            if fault.method in (None, method) and fault.times > 0:
                fault.times -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.stall:
                    self.stalled.set()
                    await asyncio.Event().wait()
                if fault.drop:
                    return "drop"
                if fault.status >= 400:
                    extra = {"retry_after": fault.retry_after} if fault.retry_after else {}
                    raise ApiError(fault.status, fault.description, **extra)
                return None
        return None

    # -- limits ----------------------------------------------------------------------------

    def _check_limits(self, chat: Chat) -> None:
        now = time.monotonic()
        limits = self.limits
        sent = self._sent[chat.id]
        if limits.global_per_second:
            _drop_before(self._sent_all, now - 1.0)
            if len(self._sent_all) >= limits.global_per_second:
                self.refused_for_flooding += 1
                raise _too_many(1)
        if chat.type != "private" and limits.group_per_minute:
            _drop_before(sent, now - 60.0)
            if len(sent) >= limits.group_per_minute:
                self.refused_for_flooding += 1
                raise _too_many(int(61 - (now - sent[0])))
        elif limits.per_chat_per_second:
            _drop_before(sent, now - 1.0)
            if len(sent) >= limits.per_chat_per_second:
                self.refused_for_flooding += 1
                raise _too_many(1)
        sent.append(now)
        self._sent_all.append(now)

    def _target(self, params: dict[str, Any]) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type == "private" and chat.id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    async def _record_bot_message(self, chat: Chat, content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids[chat.id]),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": self.bot,
            **content,
        }
        chat.messages.append(message)
        self.log.append((chat, message))
        async with self._bot_message:
            self._bot_message.notify_all()
        return message

    # -- methods ---------------------------------------------------------------------------

    async def api_getme(self, _params: dict[str, Any]) -> dict[str, Any]:
        """getMe."""
        return {
            **self.bot,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates with offset and long-polling timeout."""
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        for poll in self._polls:
            poll.set()
        while self._updates and offset and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates and timeout:
            self._new_update.clear()
            superseded = asyncio.Event()
            self._polls.append(superseded)
            waits = [asyncio.ensure_future(e.wait()) for e in (self._new_update, superseded)]
            try:
                await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._polls.remove(superseded)
                for wait in waits:
                    wait.cancel()
            if superseded.is_set():
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if not self._new_update.is_set():
                return []
        return list(itertools.islice(self._updates, limit))

    async def api_deletewebhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook."""
        self.webhook = None
        if _truthy(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def api_setwebhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: updates are then POSTed to the URL with the secret token header."""
        self.webhook = {
            "url": params["url"],
            "secret": params.get("secret_token"),
            "max_connections": int(params.get("max_connections") or 40),
        }
        if _truthy(params.get("drop_pending_updates")):
            self._updates.clear()
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._deliver_webhook())
        self._webhook_ready.set()
        return True

    async def api_getwebhookinfo(self, _params: dict[str, Any]) -> dict[str, Any]:
        """getWebhookInfo."""
        return {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _deliver_webhook(self) -> None:
        """POST updates to the webhook as Telegram does: up to ``max_connections`` at once
        (Telegram's default is 40), one chat's updates one at a time and in order; an update
        not answered 200 is sent again."""
        in_flight: set[Any] = set()
        ready = self._webhook_ready

        async def worker(session: aiohttp.ClientSession) -> None:
            while True:
                # Cleared before looking, so an update queued meanwhile is never missed.
                ready.clear()
                found = self._next_for_webhook(in_flight)
                if found is None:
                    await ready.wait()
                    continue
                key, update = found
                delivered = False
                if self.webhook is not None:
                    headers = {}
                    if self.webhook.get("secret"):
                        headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret"]
                    try:
                        async with session.post(
                            self.webhook["url"], json=update, headers=headers
                        ) as answer:
                            delivered = answer.status == 200
                    except aiohttp.ClientError:
                        delivered = False
                if not delivered:
                    self._updates.appendleft(update)
                in_flight.discard(key)
                ready.set()  # the chat is free: its next update may go
                if not delivered:
                    await asyncio.sleep(0.2)

        async with aiohttp.ClientSession() as session:
            connections = int((self.webhook or {}).get("max_connections", 40))
            await asyncio.gather(*(worker(session) for _ in range(connections)))

    def _next_for_webhook(self, in_flight: set[Any]) -> tuple[Any, dict[str, Any]] | None:
        """The oldest update of a chat with none on its way, taken off the queue."""
        if not self.webhook:
            return None
        for index, update in enumerate(self._updates):
            key = _update_chat(update)
            if key not in in_flight:
                del self._updates[index]
                in_flight.add(key)
                return key, update
        return None

    async def api_setmycommands(self, params: dict[str, Any]) -> bool:
        """setMyCommands, per scope."""
        commands = params.get("commands") or []
        for command in commands:
            if not 1 <= len(command.get("command", "")) <= 32:
                raise ApiError(400, "Bad Request: command must be non-empty")
        self.commands[_scope_key(params.get("scope"))] = commands
        return True

    async def api_deletemycommands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self.commands.pop(_scope_key(params.get("scope")), None)
        return True

    async def api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getMyCommands."""
        return self.commands.get(_scope_key(params.get("scope")), [])

    async def api_sendchataction(self, params: dict[str, Any]) -> bool:
        """sendChatAction."""
        self._target(params)
        return True

    async def api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage."""
        chat = self._target(params)
        content = _text_content(params, "text", MAX_TEXT)
        self._check_limits(chat)
        if "reply_markup" in params:
            content["reply_markup"] = _checked_markup(params["reply_markup"])
        return await self._record_bot_message(chat, content)

    async def api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText."""
        chat = self._target(params)
        message = _find_message(chat, params, self.bot_id)
        content = _text_content(params, "text", MAX_TEXT)
        markup = _checked_markup(params["reply_markup"]) if "reply_markup" in params else None
        if content["text"] == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.update(content)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        if "entities" not in content:
            message.pop("entities", None)
        message["edit_date"] = int(time.time())
        self.log.append((chat, dict(message)))
        return message

    async def api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup."""
        chat = self._target(params)
        message = _find_message(chat, params, self.bot_id)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            markup = _checked_markup(params["reply_markup"])
            if markup:
                message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    async def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery."""
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        self.button_answers[str(params["callback_query_id"])] = {
            "text": params.get("text"),
            "show_alert": str(params.get("show_alert")).lower() == "true",
        }
        return True

    async def api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendDocument (upload or an existing file id)."""
        chat = self._target(params)
        stored = self._file_param(params, "document")
        content = _text_content(params, "caption", MAX_CAPTION) if params.get("caption") else {}
        self._check_limits(chat)
        content["document"] = _document_json(stored)
        if "reply_markup" in params:
            content["reply_markup"] = _checked_markup(params["reply_markup"])
        return await self._record_bot_message(chat, content)

    async def api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto."""
        chat = self._target(params)
        stored = self._file_param(params, "photo")
        content = _text_content(params, "caption", MAX_CAPTION) if params.get("caption") else {}
        self._check_limits(chat)
        width, height = _image_size(stored.content)
        # Telegram's limits for sendPhoto.
        if len(stored.content) > MAX_PHOTO_BYTES:
            raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
        if width + height > MAX_PHOTO_SIDES or max(width, height) > 20 * min(width, height):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        content["photo"] = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.content),
            }
        ]
        return await self._record_bot_message(chat, content)

    async def api_getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile."""
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    async def api_close(self, _params: dict[str, Any]) -> bool:
        """close."""
        return True

    async def api_logout(self, _params: dict[str, Any]) -> bool:
        """logOut."""
        return True

    def _file_param(self, params: dict[str, Any], name: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, StoredFile):
            return value
        if isinstance(value, str) and value.startswith("attach://"):
            attached = params.get(value.removeprefix("attach://"))
            if isinstance(attached, StoredFile):
                return attached
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise ApiError(400, f"Bad Request: wrong file identifier/HTTP URL specified ({name})")


@dataclass
class SentMessage:
    """A bot message as a test reads it."""

    raw: dict[str, Any]

    @property
    def text(self) -> str:
        """The text (or caption) without markup."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def buttons(self) -> list[str]:
        """The inline keyboard's button labels, row by row."""
        keyboard = (self.raw.get("reply_markup") or {}).get("inline_keyboard") or []
        return [button["text"] for row in keyboard for button in row]

    @property
    def document(self) -> dict[str, Any] | None:
        """The attached document, if any."""
        return self.raw.get("document")

    @property
    def photo(self) -> dict[str, Any] | None:
        """The largest size of the attached photo, if any."""
        sizes = self.raw.get("photo")
        return sizes[-1] if sizes else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The text's entities."""
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])


class SandboxUser:
    """A person talking to the bot: ``await alice.says('/start')``, ``await alice.reply()``."""

    def __init__(self, sandbox: Sandbox, data: dict[str, Any]) -> None:
        self.sandbox = sandbox
        self.data = data
        self.id: int = data["id"]
        self._read: dict[int, int] = defaultdict(int)

    @property
    def chat(self) -> Chat:
        """The user's private chat with the bot."""
        return self.sandbox.chats[self.id]

    async def says(self, text: str, chat: Chat | None = None) -> dict[str, Any]:
        """Send a text message (commands are marked as Telegram marks them)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.sandbox.new_message(chat or self.chat, self.data, **content)

    async def edits(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """Edit a message this user sent: Telegram sends the new text as ``edited_message``."""
        message["text"] = text
        message["edit_date"] = int(time.time())
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.sandbox.push_update({"edited_message": dict(message)})
        return message

    async def uploads(
        self, name: str, content: bytes, caption: str | None = None, chat: Chat | None = None
    ) -> dict[str, Any]:
        """Send a file as a document."""
        stored = self.sandbox.store_file(content, name)
        extra: dict[str, Any] = {"document": _document_json(stored)}
        if caption:
            extra["caption"] = caption
        return self.sandbox.new_message(chat or self.chat, self.data, **extra)

    async def presses(self, label: str, chat: Chat | None = None) -> dict[str, Any]:
        """Press the inline button labelled ``label`` on the bot's latest message carrying it."""
        target = chat or self.chat
        for message in reversed(self.sandbox.bot_messages(target.id)):
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in keyboard:
                for button in row:
                    if button["text"] == label and "callback_data" in button:
                        query = {
                            "id": str(next(self.sandbox._callback_ids)),
                            "from": self.data,
                            "message": message,
                            "chat_instance": str(target.id),
                            "data": button["callback_data"],
                        }
                        self.sandbox.push_update({"callback_query": query})
                        pressed = {"from": self.data, "text": f"〔点击“{label}”〕"}
                        self.sandbox.log.append((target, pressed))
                        return query
        raise LookupError(f"no button {label!r} in chat {target.id}")

    async def sends_button_data(self, data: str, chat: Chat | None = None) -> dict[str, Any]:
        """A press carrying ``data`` on the bot's latest message, whatever its buttons say
        (a hostile client, or a button of a message that has since changed)."""
        target = chat or self.chat
        query = {
            "id": str(next(self.sandbox._callback_ids)),
            "from": self.data,
            "message": self.sandbox.bot_messages(target.id)[-1],
            "chat_instance": str(target.id),
            "data": data,
        }
        self.sandbox.push_update({"callback_query": query})
        return query

    async def button_answer(self, query: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """How the bot answered a press (waits for it)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while query["id"] not in self.sandbox.button_answers:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the press {query['data']!r} was never answered")
            await asyncio.sleep(0.02)
        return self.sandbox.button_answers[query["id"]]

    async def reply(self, timeout: float = 10.0, chat: Chat | None = None) -> SentMessage:
        """The bot's next message to this user (or in ``chat``) not read yet; waits for it."""
        target = chat or self.chat
        index = self._read[target.id]
        message = await self.sandbox.wait_for_bot_message(target.id, index, timeout)
        self._read[target.id] = index + 1
        return SentMessage(message)

    async def replies(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """The next ``count`` messages."""
        return [await self.reply(timeout) for _ in range(count)]

    def unread(self, chat: Chat | None = None) -> list[SentMessage]:
        """Messages already sent and not read yet, without waiting."""
        target = chat or self.chat
        sent = self.sandbox.bot_messages(target.id)
        index = self._read[target.id]
        self._read[target.id] = len(sent)
        return [SentMessage(m) for m in sent[index:]]


def _drop_before(times: deque[float], cutoff: float) -> None:
    while times and times[0] < cutoff:
        times.popleft()


def _too_many(retry_after: int) -> ApiError:
    retry_after = max(1, retry_after)
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def _truthy(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    parts = [scope.get("type", "default")]
    if "chat_id" in scope:
        parts.append(str(scope["chat_id"]))
    if "user_id" in scope:
        parts.append(str(scope["user_id"]))
    return ":".join(parts)


def _text_content(params: dict[str, Any], name: str, limit: int) -> dict[str, Any]:
    raw = params.get(name)
    if raw is None or str(raw) == "":
        if name == "text":
            raise ApiError(400, "Bad Request: message text is empty")
        return {}
    text = str(raw)
    entities: list[dict[str, Any]] = []
    mode = str(params.get("parse_mode") or "")
    if mode.upper() == "HTML":
        try:
            parsed = parse_html(text)
        except EntityParseError as exc:
            raise ApiError(400, str(exc)) from None
        text, entities = parsed.text, parsed.entities
    elif mode:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {mode!r} in the sandbox")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        kind = "message is too long" if name == "text" else "message caption is too long"
        raise ApiError(400, f"Bad Request: {kind}")
    content: dict[str, Any] = {name: text}
    if entities:
        content["entities" if name == "text" else "caption_entities"] = entities
    return content


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if not markup:
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _find_message(chat: Chat, params: dict[str, Any], bot_id: int) -> dict[str, Any]:
    wanted = int(params.get("message_id") or 0)
    for message in chat.messages:
        if message["message_id"] == wanted:
            if message["from"]["id"] != bot_id:
                raise ApiError(400, "Bad Request: message can't be edited")
            return message
    raise ApiError(400, "Bad Request: message to edit not found")


def _image_size(content: bytes) -> tuple[int, int]:
    """A PNG's or JPEG's width and height, as Telegram reads them; anything else is refused."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:2] == b"\xff\xd8":
        at = 2
        while at + 9 < len(content):
            marker, length = content[at + 1], struct.unpack(">H", content[at + 2 : at + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[at + 5 : at + 9])
                return int(width), int(height)
            at += 2 + length
    raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")


def _document_json(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_name": stored.name,
        "mime_type": stored.mime_type,
        "file_size": len(stored.content),
    }


async def _read_params(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    """Parameters from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = dict(request.query)
    content_type = request.content_type
    if request.can_read_body:
        if content_type == "application/json":
            params.update(await request.json())
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    content = await part.read()
                    mime = part.headers.get("Content-Type")
                    params[part.name] = sandbox.store_file(bytes(content), part.filename, mime)
                else:
                    params[part.name] = await part.text()
        else:
            params.update(await request.post())
    for name in _JSON_FIELDS & params.keys():
        if isinstance(params[name], str):
            try:
                params[name] = json.loads(params[name])
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return params


def _error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status)


def _update_chat(update: dict[str, Any]) -> Any:
    """The chat an update belongs to (its user's for a button press without a message)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value, value.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return holder["chat"]["id"]
        if isinstance(value.get("from"), dict):
            return ("user", value["from"]["id"])
    return ("update", update.get("update_id"))


@asynccontextmanager
async def round_robin(backends: list[str]) -> AsyncIterator[tuple[str, list[int]]]:
    """A load balancer in front of several webhook processes, as production would have: each
    webhook POST goes to the next backend in turn. Yields its public URL and how many updates
    each backend accepted."""
    turn = itertools.cycle(range(len(backends)))
    served = [0] * len(backends)
    async with aiohttp.ClientSession() as session:

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
            headers["Content-Type"] = "application/json"
            index = next(turn)
            try:
                async with session.post(backends[index], data=body, headers=headers) as answer:
                    served[index] += answer.status == 200
                    return web.Response(status=answer.status)
            except aiohttp.ClientError:
                return web.Response(status=502)

        app = web.Application()
        app.router.add_post("/hook", forward)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield f"http://127.0.0.1:{port}/hook", served
        finally:
            await runner.cleanup()
