"""argparse speaking Chinese: usage, section titles, help and every complaint it makes.

argparse phrases its messages in English through gettext with no Chinese catalogue; a clerk at
the command line should read "用法" and "缺少参数", not "usage" and "the following arguments
are required".
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any, NoReturn

# argparse's messages (Python 3.11–3.13) and how we say them; matched in order, inner first.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"^argument (?P<name>\S+): (?P<rest>.*)$", "参数 {name}：{rest}"),
        (
            r"^invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)$",
            "无效的取值 {value}（可选：{choices}）",
        ),
        (r"^the following arguments are required: (?P<list>.*)$", "缺少参数：{list}"),
        (r"^unrecognized arguments: (?P<names>.*)$", "无法识别的参数：{names}"),
        (r"^expected one argument$", "需要一个取值"),
        (r"^expected at most one argument$", "最多一个取值"),
        (r"^expected at least one argument$", "至少需要一个取值"),
        (r"^expected (?P<n>\d+) arguments?$", "需要 {n} 个取值"),
        (r"^invalid (?P<type>\S+) value: (?P<value>.*)$", "无效的取值 {value}"),
        (r"^not allowed with argument (?P<name>.*)$", "不能与参数 {name} 同时使用"),
        (r"^one of the arguments (?P<names>.*) is required$", "参数 {names} 至少需要一个"),
        (
            r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.*)$",
            "选项 {option} 有歧义，可能是 {matches}",
        ),
        (r"^ignored explicit argument (?P<value>.*)$", "多余的取值 {value}"),
    )
)


def in_chinese(message: str) -> str:
    """An argparse complaint in Chinese; a message argparse did not write is kept."""
    for pattern, chinese in _MESSAGES:
        found = pattern.match(message)
        if found:
            parts = {k: in_chinese(v) if k == "rest" else v for k, v in found.groupdict().items()}
            if "choices" in parts:
                parts["choices"] = "、".join(c.strip(" '") for c in parts["choices"].split(","))
            if "list" in parts:
                parts["list"] = "、".join(part.strip() for part in parts["list"].split(","))
            return chinese.format(**parts)
    return message


def _wide(text: str) -> int:
    """How many columns more than characters ``text`` takes in a terminal (CJK: two each)."""
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help and usage headed "用法：", help texts aligned though the options hold CJK."""

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = _wide(header)
        first, newline, rest = text.partition("\n")
        end = first.find(header) + len(header)
        after = first[end:]
        if not extra or not after.strip():
            return text
        if after.startswith(" " * (extra + 2)):
            first = first[:end] + after[extra:]
        else:  # no room left beside it: the help goes to the next line, in its column
            column = len(first) - len(after.lstrip())
            first = first[:end] + "\n" + " " * column + after.lstrip()
        return first + newline + rest

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        """The usage line, headed in Chinese."""
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help, usage and errors are in Chinese (exit code 2)."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        """Usage, then the complaint in Chinese; exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{in_chinese(message)}\n")
