"""Conversations and drafts kept in the database, so a half-finished /submit survives a
restart: PTB's persistence interface over our tables.

PTB hands changes over after each update (the application calls ``update_persistence``);
they are held here and written by ``write_pending`` inside the update's unit of work, so a
conversation's step is saved exactly when the change it made is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from domain.drafts import load_conversations, load_user_data, save_drafts
from storage.db import Database

log = logging.getLogger(__name__)
# Never on a timer: every update writes its own changes.
NEVER = 10**9


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """User drafts and conversation states; bot and chat data are not kept."""

    def __init__(self, db: Database) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=NEVER,
        )
        self.db = db
        self._users: dict[int, dict[str, Any]] = {}
        self._conversations: dict[tuple[str, str], Any] = {}

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Every user's drafts, at start."""
        return load_user_data(self.db)

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Chat data is not kept."""
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        """Bot data is not kept (it holds the services)."""
        return {}

    async def get_callback_data(self) -> None:
        """Callback data is not kept."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Where the conversations of one kind stand, at start."""
        return {
            tuple(json.loads(key)): state
            for key, state in load_conversations(self.db, name).items()
        }

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Hold a conversation's new state for ``write_pending``."""
        self._conversations[(name, json.dumps(list(key)))] = new_state

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Hold a user's drafts for ``write_pending``."""
        self._users[user_id] = data

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Chat data is not kept."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data is not kept."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is not kept."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not kept."""

    async def drop_user_data(self, user_id: int) -> None:
        """Forget a user's drafts."""
        self._users[user_id] = {}

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Drafts live in memory between updates; the database is read at start."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Chat data is not kept."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Bot data is not kept."""

    async def flush(self) -> None:
        """Write what is still held (a clean stop)."""
        self.write_pending()

    def write_pending(self) -> None:
        """Write the held changes (inside the caller's unit of work, if any)."""
        users, self._users = self._users, {}
        conversations, self._conversations = self._conversations, {}
        if users or conversations:
            save_drafts(self.db, users, conversations)
