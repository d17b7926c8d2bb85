"""Queries: /rank, /unit, /stats, /rollup, /stagnant for supervisors and admins; /mine for
liaisons."""

from __future__ import annotations

import asyncio
import re

from telegram import Update

from domain.access import Identity, require_unit_name
from domain.campaigns import owed_by
from domain.errors import UserError
from domain.offices import office_below
from domain.periods import Month, Period
from domain.quota import quota_progress
from domain.ranking import Ranking, rank_changes, rank_units, summarize, unit_standing
from domain.review import unit_articles
from domain.rollup import roll_up
from domain.stagnation import stagnation_streaks, streak_of
from domain.trends import monthly_totals
from handlers.common import answer, arguments, refuse, requires, send_file, send_picture
from reports.campaigns import owed_lines
from reports.charts import ranking_chart, unit_chart
from reports.chat import esc, ranking_pieces, stagnant_report, unit_report
from reports.numbers import score_text
from reports.rollup import rollup_table
from reports.xlsx import ranking_xlsx
from runtime.context import BotContext
from runtime.services import Services, deployment, services

_PERIOD = re.compile(r"^\d{4}-\d{1,2}(\.\.\d{4}-\d{1,2})?$")
MAX_PIECES = 3


def year_to_date(svc: Services) -> Period:
    """January to the current month."""
    return Period.year_to_date(Month.of(svc.today()))


def last_complete(svc: Services) -> Month:
    """The month before this one."""
    return Month.of(svc.today()).previous()


def parse_rank_arguments(args: list[str], svc: Services) -> tuple[Period, str | None]:
    """``[YYYY-MM[..YYYY-MM]] [类别]`` in either order."""
    period, category = None, None
    for arg in args:
        if _PERIOD.match(arg) or re.match(r"^\d{4}[-/.]", arg):
            if period is not None:
                raise UserError("只能指定一个月份或月份范围，例如 2020-01..2020-07")
            period = Period.parse(arg)
        elif category is None:
            category = arg
        else:
            raise UserError(
                f"多余的参数“{arg}”。用法：/rank [下级机关] [年-月[..年-月]] [类别]，"
                "如 /rank 2020-01..2020-07 街道"
            )
    return period or year_to_date(svc), category


def requested_ranking(context: BotContext) -> tuple[Services, Ranking, str]:
    """The ranking the command's arguments ask for (a ``UserError`` for bad arguments), the
    office's services it was made with: the caller's, or those of an office below it named
    first (a city looks into a district's ranking as the district sees it), and that office's
    name to head what is shown ("" for the caller's own)."""
    svc, args = services(context), arguments(context)
    below = office_below(svc.db, args[0]) if args else None
    whose = ""
    if below is not None:
        svc, args, whose = deployment(context).for_office(below.id), args[1:], below.name
    period, category = parse_rank_arguments(args, svc)
    return svc, rank_units(svc.db, svc.rules, period, category, svc.today()), whose


@requires("supervisor")
async def rank(update: Update, context: BotContext, who: Identity) -> None:
    """The ranking as an aligned table with 较上月 (as an .xlsx when it would take many
    messages), then as a chart by category."""
    svc, ranking, whose = requested_ranking(context)
    period = ranking.period
    changes = rank_changes(svc.db, svc.rules, ranking)
    pieces = ranking_pieces(ranking, svc.rules, changes, office=whose)
    # An office below is named in the files too: a city's supervisor keeps several.
    named = f"{whose}-" if whose else ""
    if len(pieces) <= MAX_PIECES:
        for piece in pieces:
            await answer(update, piece)
    else:
        await send_file(
            update,
            ranking_xlsx(ranking, svc.rules, changes),
            f"{named}得分排名-{period.first}-{period.last}.xlsx",
            f"{esc(whose)}{ranking.period.label}得分排名共 {len(ranking.rows)} 个单位，详见附件。",
        )
    if ranking.rows:
        chart = await asyncio.to_thread(ranking_chart, ranking, changes)
        name = f"{named}得分排名-{period.first}-{period.last}.png"
        caption = f"{esc(whose)}{period.dated_label}得分图（按单位类别）"
        await send_picture(update, chart, name, caption)


@requires("supervisor")
async def unit(update: Update, context: BotContext, who: Identity) -> None:
    """/unit NAME: a unit's score, rank, streak and articles this year, then its chart
    month by month."""
    svc = services(context)
    name = " ".join(arguments(context)).strip()
    if not name:
        await refuse(update, "用法：/unit 单位名称，例如 /unit 党政办公室")
        return
    found = require_unit_name(svc.db, name)
    await answer(update, _unit_text(svc, found.id, found.name))
    months = monthly_totals(svc.db, svc.rules, year_to_date(svc), found.id)
    if any(m.submitted or m.score for m in months):  # an empty year is said in the text
        chart = await asyncio.to_thread(unit_chart, found.name, months, svc.rules)
        name = f"{found.name}-{svc.today().year}年逐月情况.png"
        await send_picture(update, chart, name, f"{esc(found.name)}{svc.today().year}年逐月情况")


@requires("liaison")
async def mine(update: Update, context: BotContext, who: Identity) -> None:
    """/mine: the liaison's unit this year, and what it still lacks this month."""
    svc = services(context)
    assert who.unit_id is not None and who.unit_name is not None
    text = _unit_text(svc, who.unit_id, who.unit_name)
    this_month = Month.of(svc.today())
    submitted = [
        a
        for a in unit_articles(svc.db, who.unit_id, this_month.year)
        if Month.of(a.submitted_on) == this_month
    ]
    if submitted:
        lacks = f"本月已报送 {len(submitted)} 篇。"
    else:
        lacks = f"<b>本月（{this_month.month}月）尚未报送稿件</b>，请发送 /submit 报送。"
    if svc.rules.quota:
        lacks += "\n" + quota_progress(svc.db, svc.rules.quota, who.unit_id, svc.today())
    owed = owed_lines(owed_by(svc.db, who.unit_id, svc.today()), svc.today())
    if owed:
        lacks += "\n\n<b>催报事项</b>\n" + "\n".join(owed)
    await answer(update, f"{text}\n\n{lacks}")


def _unit_text(svc: Services, unit_id: int, unit_name: str) -> str:
    ranking = rank_units(svc.db, svc.rules, year_to_date(svc), as_of=svc.today())
    standing = unit_standing(ranking, unit_name)
    assert standing is not None
    articles = unit_articles(svc.db, unit_id, svc.today().year)
    streak = streak_of(svc.db, unit_name, last_complete(svc), svc.rules)
    return unit_report(standing, len(ranking.rows), articles, streak, svc.rules)


@requires("supervisor")
async def stats(update: Update, context: BotContext, who: Identity) -> None:
    """/stats [period]: totals by platform and by category."""
    svc, ranking, whose = requested_ranking(context)
    period = ranking.period
    totals = summarize(ranking)
    lines = [
        f"<b>{esc(whose)}{period.dated_label}政务公开工作信息统计</b>",
        f"报送 {totals.submitted} 篇，采用 {totals.published} 篇，"
        f"上报未刊发 {totals.unpublished} 篇。",
        "",
        "<b>按平台</b>",
    ]
    lines += [
        f"{esc(p.short)}：{totals.by_platform.get(p.code, 0)} 篇" for p in svc.rules.platforms
    ]
    lines += ["", "<b>按单位类别</b>"]
    for name, (submitted, published, score) in totals.by_category.items():
        lines.append(
            f"{esc(name)}：报送 {submitted} 篇，采用 {published} 篇，得分 {score_text(score)}"
        )
    if totals.units:
        lines += ["", f"未报送的单位 {totals.units_without} 个，占 {totals.share_without}%。"]
    await answer(update, "\n".join(lines))


@requires("supervisor")
async def rollup(update: Update, context: BotContext, who: Identity) -> None:
    """/rollup [period]: the offices below, each with its own counts and its score here."""
    svc = services(context)
    period, _ = parse_rank_arguments(arguments(context)[:1], svc)
    result = roll_up(svc.db, svc.rules, period)
    table = rollup_table(result, svc.rules)
    title, _, body = table.partition("\n\n")
    await answer(update, f"<b>{esc(title)}</b>\n<pre>{esc(body)}</pre>")


@requires("supervisor")
async def stagnant(update: Update, context: BotContext, who: Identity) -> None:
    """/stagnant: units without progress for consecutive months, longest first."""
    svc = services(context)
    month = last_complete(svc)
    streaks = stagnation_streaks(svc.db, month, svc.rules)
    now = stagnation_streaks(svc.db, month.next(), svc.rules)
    moved = [s.unit for s in now if s.months == 0]
    await answer(update, stagnant_report(streaks, moved, svc.rules))
