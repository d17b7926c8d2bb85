"""Settings: the environment variables README lists, a .env file, and one-line errors naming
the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from runtime.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_database_and_shanghai(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GONGKAI_DATABASE_URL")
    settings = load_settings()
    assert settings.database_url == "sqlite:///gongkai.db"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.admin_ids == frozenset()
    assert settings.bot_token is None


def test_env_file_is_read(env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_DATABASE_URL")
    (tmp_path / ".env").write_text(
        "GONGKAI_ADMIN_IDS=11, 22\nGONGKAI_BULLETIN_CHAT_ID=-1001\nGONGKAI_TIMEZONE=UTC\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.admin_ids == frozenset({11, 22})
    assert settings.bulletin_chat_id == -1001
    assert settings.timezone == "UTC"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GONGKAI_ADMIN_IDS", "12,abc", "GONGKAI_ADMIN_IDS"),
        ("GONGKAI_TIMEZONE", "Mars/Olympus", "GONGKAI_TIMEZONE：未知的时区 'Mars/Olympus'"),
        ("GONGKAI_BULLETIN_CHAT_ID", "group", "GONGKAI_BULLETIN_CHAT_ID"),
        ("GONGKAI_RULES", "/nowhere/rules.toml", "GONGKAI_RULES：文件不存在"),
    ],
)
def test_malformed_value_is_one_line_naming_the_variable(
    env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        load_settings()
    assert main(["rank"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
