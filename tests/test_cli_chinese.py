"""The command line speaks Chinese: help, usage and every complaint argparse makes."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.cli import build_parser, main
from bot.cli_parser import in_chinese

ENGLISH = re.compile(r"usage:|error:|invalid|choose from|required|arguments|show this help")


@pytest.mark.parametrize(
    "argv, said",
    [
        (["rank", "--format", "xx"], "参数 --format：无效的取值 'xx'（可选：table、csv、json）"),
        (["role", "grant"], "缺少参数：用户ID、角色"),
        (["role", "grant", "abc", "admin"], "参数 用户ID：无效的取值 'abc'"),
        (["rank", "--to"], "参数 --to：需要一个取值"),
        (["rank", "--bogus"], "无法识别的参数：--bogus"),
        (["nonsense"], "参数 命令：无效的取值 'nonsense'"),
        ([], "缺少参数：命令"),
    ],
)
def test_a_wrong_command_line_is_told_in_chinese(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：gongkai")
    assert said in err
    assert not ENGLISH.search(err), err


def help_pages(parser: argparse.ArgumentParser) -> list[str]:
    """The help of ``parser`` and of every command under it."""
    pages = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                pages += help_pages(sub)
    return pages


def test_every_help_page_is_in_chinese() -> None:
    pages = help_pages(build_parser())
    assert len(pages) > 20
    for page in pages:
        assert page.startswith("用法：")
        assert "显示本帮助并退出" in page
        assert not ENGLISH.search(page), page
        assert "YYYY" not in page


def test_messages_argparse_did_not_write_are_kept() -> None:
    assert in_chinese("月份格式错误") == "月份格式错误"
    assert in_chinese("expected 2 arguments") == "需要 2 个取值"
