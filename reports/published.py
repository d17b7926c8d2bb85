"""A column's contents matched to the articles, as the clerk reads it."""

from __future__ import annotations

from domain.matching import LineMatch
from domain.published import ColumnMatch, ColumnRecorded


def _choice(match: LineMatch, index: int) -> str:
    candidate, score = match.choices[index]
    return f"#{candidate.article_id} {candidate.unit}《{candidate.title}》（相似度 {score:.0f}）"


def column_match_text(matched: ColumnMatch, done: ColumnRecorded | None) -> str:
    """Every line in one of four lists: to record (or recorded), recorded before, to confirm,
    unmatched; then what was done (``done`` None: a dry run)."""
    platform = matched.platform.short
    wanted = matched.to_record()
    wanted_lines = {m.line_number for m in wanted}
    before = [m for m in matched.tier("confident") if m.line_number not in wanted_lines]
    lines = [f"{platform}：{len(matched.matches)} 行标题"]
    if wanted:
        lines.append(f"\n匹配确定（{len(wanted)}）：")
        lines += [f"  第{m.line_number}行 {m.line}\n    → {_choice(m, 0)}" for m in wanted]
    if before:
        lines.append(f"\n已记录过或与上文重复，不再记录（{len(before)}）：")
        lines += [f"  第{m.line_number}行 {m.line}\n    → {_choice(m, 0)}" for m in before]
    doubtful = matched.tier("doubtful")
    if doubtful:
        lines.append(f"\n待确认（{len(doubtful)}），请核对后用 /publish 编号 平台 记录：")
        for m in doubtful:
            lines.append(f"  第{m.line_number}行 {m.line}")
            lines += [f"    ？{_choice(m, i)}" for i in range(len(m.choices))]
    unmatched = matched.tier("unmatched")
    if unmatched:
        lines.append(f"\n未找到对应稿件（{len(unmatched)}）：")
        lines += [f"  第{m.line_number}行 {m.line}" for m in unmatched]
    if done is None:
        lines.append(f"\n试运行：未记录任何内容（去掉 --dry-run 将记录 {len(wanted)} 条）。")
    elif done.recorded:
        lines.append(f"\n已记录 {len(done.recorded)} 条被{platform}采用，已通知相关单位。")
    else:
        lines.append("\n没有需要记录的新采用。")
        for match, reason in done.refused:
            lines.append(f"  未记录 第{match.line_number}行：{reason}")
    return "\n".join(lines)
