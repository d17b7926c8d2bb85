"""Configuration from the environment (and a ``.env`` file): the variables README lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every ``GONGKAI_*`` variable the bot reads."""

    model_config = SettingsConfigDict(
        env_prefix="GONGKAI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str | None = None
    database_url: str = "sqlite:///gongkai.db"
    api_server: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    timezone: str = "Asia/Shanghai"
    rules: Path | None = None
    bulletin_chat_id: int | None = None
    supervision_chat_id: int | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError(f"应为逗号分隔的 Telegram 用户 ID，而不是 {value!r}")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知的时区 {value!r}") from exc
        return value

    @field_validator("rules")
    @classmethod
    def _rules_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"文件不存在：{value}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)


def load_settings() -> Settings:
    """Read the settings, turning a validation failure into one line naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        variable = f"GONGKAI_{field.upper()}"
        reason = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"配置错误：{variable}：{reason}") from None
    except ValueError as exc:
        # pydantic-settings raises a plain ValueError when it cannot split a complex value.
        raise SettingsError(f"配置错误：{exc}") from None
