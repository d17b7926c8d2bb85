"""Chat messages (Telegram HTML): every user-typed value is escaped here."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from domain.campaigns import campaign_ref
from domain.duplicates import Similar
from domain.ranking import Ranking, UnitScore
from domain.review import ArticleView
from domain.rules import Rules
from domain.stagnation import Streak, standing
from reports.numbers import change_mark, score_text
from reports.ranking import ranked_table

# Room left for a heading and the <pre> wrapper in every piece of a split table.
_TABLE_BUDGET = 3600


def esc(text: object) -> str:
    """Escape anything for Telegram HTML."""
    return html.escape(str(text), quote=False)


def similar_warning(similar: Similar) -> str:
    """The office's warning that an article is very like another unit's."""
    return (
        f"⚠️ 与其他单位稿件相似：#{similar.article_id} {esc(similar.unit)}"
        f"《{esc(similar.title)}》（相似度 {similar.score:.0f}）"
    )


def article_line(article: ArticleView, rules: Rules, *, with_unit: bool = True) -> str:
    """``#12 党政办公室《标题》 已采用·《政务公开看山东》 20分``."""
    unit = f"{esc(article.unit)}" if with_unit else ""
    status = article.status_name
    if article.best_platform and article.best_platform in rules.by_code:
        status += f"·{esc(rules.by_code[article.best_platform].short)}"
    points = score_text(article.points)
    return f"<b>#{article.id}</b> {unit}《{esc(article.title)}》 {status} {points}分"


def article_card(article: ArticleView, rules: Rules, alike: Sequence[Similar] = ()) -> str:
    """Everything about one article, for the office reviewing it, with other units' articles
    it is very like."""
    lines = [
        f"<b>#{article.id}</b>《{esc(article.title)}》",
        f"单位：{esc(article.unit)}",
        f"报送日期：{article.submitted_on.isoformat()}",
        f"状态：{article.status_name}，{score_text(article.points)} 分",
    ]
    if article.intended_for:
        names = "、".join(
            esc(rules.by_code[c].short) for c in article.intended_for if c in rules.by_code
        )
        lines.append(f"拟投平台：{names}")
    if article.platforms:
        names = "、".join(
            esc(rules.by_code[c].short) for c in article.platforms if c in rules.by_code
        )
        lines.append(f"已采用：{names}")
    if article.commission is not None:
        lines.append(f"约稿：{campaign_ref(article.commission)}")
    if article.endorsed:
        levels = {e.code: e.name for e in rules.endorsements}
        lines.append(f"领导批示：{'、'.join(esc(levels.get(c, c)) for c in article.endorsed)}")
    if article.link:
        lines.append(f"链接：{esc(article.link)}")
    if article.file_name:
        lines.append(f"附件：{esc(article.file_name)}")
    lines += [similar_warning(s) for s in alike if s.unit != article.unit]
    return "\n".join(lines)


def ranking_pieces(
    ranking: Ranking,
    rules: Rules,
    changes: Mapping[str, int | None] | None = None,
    *,
    office: str = "",
) -> list[str]:
    """The ranking as aligned ``<pre>`` tables, split into pieces that each fit a message;
    with ``changes``, a column 较上月 (↑2, ↓1, —, 新); ``office`` names the office ranked
    when it is not the reader's own."""
    title = f"<b>{esc(office)}{ranking.period.dated_label}政务公开工作信息得分排名</b>"
    if ranking.category:
        title += f"（{esc(ranking.category)}）"
    headers = ["名次", "单位", "报送", "采用", "得分"]
    rows = [_rank_cells(row) for row in ranking.rows]
    if changes is not None:
        headers.append("较上月")
        rows = [
            [*cells, change_mark(changes.get(row.unit))]
            for cells, row in zip(rows, ranking.rows, strict=True)
        ]
    if not rows:
        return [f"{title}\n暂无单位。"]
    # One table for all rows, so every piece has the same column widths; cut between lines.
    lines = ranked_table(rows, headers).split("\n")
    heading, body = lines[:2], lines[2:]
    pieces: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in body:
        if chunk and size + len(line) + 1 > _TABLE_BUDGET:
            pieces.append(_pre([*heading, *chunk]))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    pieces.append(_pre([*heading, *chunk]))
    total = len(pieces)
    return [
        f"{title}{f'（{n}/{total}）' if total > 1 else ''}\n{piece}"
        for n, piece in enumerate(pieces, start=1)
    ]


def _rank_cells(row: UnitScore) -> list[str]:
    return [str(row.rank), row.unit, str(row.submitted), str(row.published), score_text(row.score)]


def _pre(lines: Sequence[str]) -> str:
    text = "\n".join(lines)
    return f"<pre>{esc(text)}</pre>"


def unit_report(
    row: UnitScore, total_units: int, articles: Sequence[ArticleView], streak: Streak, rules: Rules
) -> str:
    """A unit's year so far: score and rank, per platform, streak, its articles."""
    platforms = "，".join(
        f"{esc(p.short)} {row.by_platform[p.code]} 篇"
        for p in rules.platforms
        if row.by_platform[p.code]
    )
    lines = [
        f"<b>{esc(row.unit)}</b>"
        + ("" if row.unit.endswith(row.category) else f"（{esc(row.category)}）"),
        f"得分 {score_text(row.score)}，第 {row.rank} 名（共 {total_units} 个单位）",
        f"报送 {row.submitted} 篇，采用 {row.published} 篇，未刊发 {row.unpublished} 篇"
        + (f"：{platforms}" if platforms else ""),
        streak_sentence(streak, rules),
    ]
    if articles:
        lines.append("")
        lines.extend(article_line(a, rules, with_unit=False) for a in articles[:20])
        if len(articles) > 20:
            lines.append(f"……另有 {len(articles) - 20} 篇")
    else:
        lines.append("今年尚未报送稿件。")
    return "\n".join(lines)


def streak_sentence(streak: Streak, rules: Rules) -> str:
    """``截至2020年6月已连续2个月无持续进展（已下发督办单）``, when the unit last submitted,
    or that it never has."""
    if streak.months:
        where = standing(streak, rules)
        return (
            f"截至{streak.as_of.year}年{streak.as_of.month}月已{streak.wording}"
            + (f"（{where}）" if where else "")
            + "。"
        )
    last = streak.last_active
    if last is None:
        return "尚无报送记录，暂不计算连续无进展月数。"
    return f"最近一次报送在{last.year}年{last.month}月，无连续无进展记录。"


def stagnant_report(streaks: Sequence[Streak], moved: Sequence[str], rules: Rules) -> str:
    """Units with a streak at the last complete month, longest first, with where escalation
    leaves them; ``moved``: those of them that have made progress since."""
    stalled = sorted((s for s in streaks if s.months), key=lambda s: -s.months)
    if not stalled:
        return "没有连续无持续进展的单位。"
    as_of = stalled[0].as_of
    lines = [f"<b>截至{as_of.year}年{as_of.month}月连续无持续进展的单位</b>"]
    for streak in stalled:
        where = standing(streak, rules)
        mark = f"（{where}）" if where else ""
        if streak.unit in moved:
            mark += f"，{as_of.next().month}月已有进展"
        lines.append(f"{esc(streak.unit)}：{streak.wording}{mark}")
    rule = rules.escalation
    lines += [
        "",
        f"连续{rule.supervision_after}个月无持续进展下发督办单，"
        f"连续{rule.circular_after}个月予以{rules.bulletin.circular}。",
    ]
    return "\n".join(lines)
