"""A column's contents matched to the articles, as the clerk reads it (terminal or chat)."""

from __future__ import annotations

import html
from collections.abc import Callable

from domain.matching import LineMatch
from domain.published import ColumnMatch, ColumnRecorded

# In chat, a long list is cut: the lines past this many per list are counted, not shown.
CHAT_LINES = 30


def _choice(match: LineMatch, index: int, escape: Callable[[str], str]) -> str:
    candidate, score = match.choices[index]
    return (
        f"#{candidate.article_id} {escape(candidate.unit)}《{escape(candidate.title)}》"
        f"（相似度 {score:.0f}）"
    )


def column_report(
    matched: ColumnMatch,
    *,
    escape: Callable[[str], str] = str,
    limit: int | None = None,
    confirm_hint: str = "请核对后用 /publish 编号 平台 记录",
) -> list[str]:
    """Every line in one of four lists: to record, recorded before, to confirm, unmatched
    (``limit`` lines of each at most, the rest counted)."""
    wanted = matched.to_record()
    wanted_lines = {m.line_number for m in wanted}
    before = [m for m in matched.tier("confident") if m.line_number not in wanted_lines]
    doubtful, unmatched = matched.tier("doubtful"), matched.tier("unmatched")
    out = [f"{escape(matched.platform.short)}：{len(matched.matches)} 行标题"]

    def listed(
        title: str,
        matches: list[LineMatch],
        show: Callable[[LineMatch], list[str]],
        hint: str = "",
    ) -> None:
        if not matches:
            return
        out.append(f"\n{title}（{len(matches)}）{hint}：")
        for match in matches[:limit]:
            out.extend(show(match))
        if limit is not None and len(matches) > limit:
            out.append(f"  ……另 {len(matches) - limit} 行")

    def line(m: LineMatch) -> str:
        return f"  第{m.line_number}行 {escape(m.line)}"

    listed("匹配确定", wanted, lambda m: [line(m), f"    → {_choice(m, 0, escape)}"])
    listed(
        "已记录过或与上文重复，不再记录",
        before,
        lambda m: [line(m), f"    → {_choice(m, 0, escape)}"],
    )
    listed(
        "待确认",
        doubtful,
        lambda m: [line(m), *(f"    ？{_choice(m, i, escape)}" for i in range(len(m.choices)))],
        f"，{confirm_hint}",
    )
    listed("未找到对应稿件", unmatched, lambda m: [line(m)])
    return out


def recorded_lines(
    done: ColumnRecorded, platform: str, escape: Callable[[str], str] = str
) -> list[str]:
    """What recording did."""
    if not done.recorded:
        lines = ["没有需要记录的新采用。"]
    else:
        lines = [f"已记录 {len(done.recorded)} 条被{escape(platform)}采用，已通知相关单位。"]
    lines += [f"  未记录 #{article_id}：{escape(reason)}" for article_id, reason in done.refused]
    return lines


def column_match_text(matched: ColumnMatch, done: ColumnRecorded | None) -> str:
    """The command line's report; ``done`` None: a dry run."""
    lines = column_report(matched)
    if done is None:
        wanted = len(matched.to_record())
        lines.append(f"\n试运行：未记录任何内容（去掉 --dry-run 将记录 {wanted} 条）。")
    else:
        lines.append("")
        lines += recorded_lines(done, matched.platform.short)
    return "\n".join(lines)


def column_match_html(matched: ColumnMatch) -> str:
    """The chat's preview, escaped, each list cut at ``CHAT_LINES``."""
    lines = column_report(
        matched, escape=html.escape, limit=CHAT_LINES, confirm_hint="请点下方按钮选择"
    )
    wanted = len(matched.to_record())
    lines.append(
        f"\n点“全部记录”记录匹配确定的 {wanted} 条；待确认的逐条点选。"
        if wanted
        else "\n没有可直接记录的匹配；待确认的请逐条点选。"
    )
    return "\n".join(lines)
