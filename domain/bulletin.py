"""一月一通报: the monthly bulletin's content, laid out as seed 002 lays it out.

Every figure in the text comes from the same ranking the attachments print, so the text and
the tables cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from domain.bulletin_wording import bulletin_wording
from domain.ledger import MonthProgress, month_progress
from domain.periods import Month, Period
from domain.ranking import PeriodStats, Ranking, rank_changes, rank_units, summarize
from domain.rollup import RollUp, roll_up
from domain.rules import CommissionRules, QuotaRules, Rules
from domain.stagnation import Streak, idle_period, stagnation_streaks
from domain.trends import MonthTotals, monthly_totals
from domain.wording import figure, points_text, some_units
from storage.db import Database
from storage.repos import repository

STATUS_LABELS = {"forwarded": "未采用", "submitted": "待审核", "declined": "未上报"}


@dataclass(frozen=True)
class AnnexArticle:
    """A line of 附件2: the article and where it was published (or why not)."""

    title: str
    unit: str
    outcome: str


@dataclass(frozen=True)
class Bulletin:
    """Everything a bulletin says, ready for any renderer."""

    month: Month
    period: Period
    issued_on: dt.date
    issuer: str
    recipients: str
    title: str
    preamble: str
    basic: str
    problems: list[str]
    requirements: list[str]
    supervised: list[str]
    circulated: list[str]
    ranking: Ranking
    stats: PeriodStats
    scoring_rules: str
    article_count: int
    articles: Callable[[], Iterator[AnnexArticle]]
    changes: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    rank_changes: dict[str, int | None] = field(default_factory=dict)
    # The month's 加减分 (约稿 penalties among them), a line each.
    adjustments: list[str] = field(default_factory=list)
    trend: list[MonthTotals] = field(default_factory=list)
    area: str = ""
    area_short: str = ""
    scope: str = "全区"
    circular: str = "全区通报"
    mark: str = ""
    number: str = ""
    # An office with offices below it (a city's districts): their figures, as 附件4.
    rollup: RollUp | None = None

    @property
    def later_sections(self) -> list[tuple[str, list[str]]]:
        """The sections after 三、工作要求 that this issue has, numbered in order."""
        found = [
            ("下级机关信息报送情况", rollup_paragraphs(self.rollup)),
            ("重点任务落实情况", self.tasks),
            ("本月加减分情况", self.adjustments),
            ("上期通报后更正的数据", self.changes),
        ]
        present = [(title, paragraphs) for title, paragraphs in found if paragraphs]
        numbers = "四五六七"
        return [(f"{numbers[n]}、{title}", text) for n, (title, text) in enumerate(present)]

    @property
    def annex_titles(self) -> list[str]:
        """The attachments' titles: three, and the roll-up's when the office has offices below."""
        label = self.period.label
        titles = [
            f"{self.period.dated_label}{self.scope}政务公开工作信息得分情况",
            f"{label}份{self.area}信息报送清单",
            f"{self.area_short}政务公开信息报送计分办法",
        ]
        if self.rollup is not None:
            titles.append(self.rollup.title)
        return titles


def build_bulletin(
    db: Database,
    rules: Rules,
    month: Month,
    issued_on: dt.date,
    changes: list[str] | None = None,
) -> Bulletin:
    """The bulletin for the year to ``month`` (1—N月), with escalations as of ``month``."""
    period = Period.year_to_date(month)
    # As of the day it is issued: a quota's last week of the month may run into the next.
    ranking = rank_units(db, rules, period, as_of=issued_on)
    stats = summarize(ranking)
    streaks = stagnation_streaks(db, month, rules)
    escalation = rules.escalation
    circulated = [s.unit for s in streaks if s.counted >= escalation.circular_after]
    supervised = [
        s.unit
        for s in streaks
        if escalation.supervision_after <= s.counted < escalation.circular_after
    ]
    with repository(db) as repo:
        article_count = repo.articles.count_in(period.start, period.end)
    below = roll_up(db, rules, period, ranking)
    wording = bulletin_wording(db, month)
    preamble = rules.bulletin.preamble.format(period=period.label)
    return Bulletin(
        month=month,
        period=period,
        issued_on=issued_on,
        issuer=rules.bulletin.issuer,
        recipients=rules.bulletin.recipients,
        title=f"关于{period.label}份政务公开信息采用情况的通报",
        preamble="\n".join(wording.get("preamble", [preamble])),
        basic=basic_situation(stats, period, rules),
        problems=wording.get("problems") or problems(stats, rules),
        requirements=requirements(supervised, circulated, streaks, rules),
        supervised=supervised,
        circulated=circulated,
        ranking=ranking,
        stats=stats,
        scoring_rules=scoring_rules_text(rules),
        article_count=article_count,
        articles=lambda: annex_articles(db, rules, period),
        changes=changes or [],
        tasks=task_section(month_progress(db, month, month.next().first_day), month),
        adjustments=adjustment_lines(db, month),
        rank_changes=rank_changes(db, rules, ranking),
        trend=monthly_totals(db, rules, period),
        area=rules.bulletin.area,
        area_short=rules.bulletin.area_short,
        scope=rules.bulletin.scope,
        circular=rules.bulletin.circular,
        mark=rules.bulletin.mark,
        number=rules.bulletin.number.format(year=month.year, seq=month.month),
        rollup=below if below.rows else None,
    )


def rollup_paragraphs(rollup: RollUp | None) -> list[str]:
    """四、下级机关信息报送情况: the offices below in one paragraph (none without them)."""
    if rollup is None:
        return []
    rows = rollup.rows
    submitted = sum(row.submitted for row in rows)
    forwarded = sum(row.forwarded for row in rows)
    sent_up = sum(row.sent_up for row in rows)
    published = sum(sum(row.by_platform.values()) for row in rows)
    text = (
        f"{len(rows)}个下级机关{rollup.period.label}份共收到所属单位报送信息{submitted}篇，"
        f"采用并上报{forwarded}篇；向本级报送{sent_up}篇，被采用{published}篇。"
    )
    scored = [row for row in rows if row.score > 0]
    if scored:
        leading = "、".join(f"{row.office}（{figure(row.score)}分）" for row in scored[:3])
        text += f"按本级得分，{leading}居前。"
    silent = [row.office for row in rows if row.sent_up == 0]
    if silent:
        text += f"{'、'.join(silent)}本期未向本级报送信息。"
    return [text + "各下级机关情况见附件4。"]


def adjustment_lines(db: Database, month: Month) -> list[str]:
    """The month's 加减分 and 单项否决, as the bulletin lists them: ``乙局：扣10分（约稿 C1《…》
    未按期报送）。``"""
    with repository(db) as repo:
        return [
            f"{a.unit.name}："
            f"{'单项否决' if a.kind == 'veto' else points_text(a.points)}（{a.reason}）。"
            for a in repo.adjustments.in_period(month.first_day, month.next().first_day)
        ]


def basic_situation(stats: PeriodStats, period: Period, rules: Rules) -> str:
    """一、基本情况, in the seed's sentences."""
    style = rules.bulletin
    # Categories in the order the rules file names them (the recipients' order), then the rest.
    categories = [c for c in style.category_phrases if c in stats.by_category]
    categories += [c for c in stats.by_category if c not in categories]
    addressed = "、".join(style.phrase(c) for c in categories)
    parts = [f"{period.label}份，{addressed}报送政务公开工作信息{stats.submitted}篇"]
    for platform in sorted(rules.platforms, key=lambda p: -p.points):
        count = stats.by_platform.get(platform.code, 0)
        if count:
            parts.append(f"{platform.cited}采用{count}篇")
    if stats.unpublished:
        parts.append(f"未采用{stats.unpublished}篇")
    waiting = stats.submitted - stats.published - stats.unpublished
    if waiting:
        parts.append(f"待审核或未上报{waiting}篇")
    text = "，".join(parts) + "。"
    shares = [
        f"{style.phrase(category)}报送信息{stats.by_category[category][0]}篇"
        for category in categories
        if stats.by_category[category][0]
    ]
    if shares:
        text += "其中，" + "；".join(shares) + "。"
    return text


def problems(stats: PeriodStats, rules: Rules) -> list[str]:
    """二、存在问题, computed from the figures; empty when there is nothing to point out."""
    found: list[str] = []
    ordinals = "一二三四五"
    if stats.units:
        average = Decimal(stats.submitted) / stats.units
        sentence = (
            f"信息报送数量少。截至目前，{rules.bulletin.scope}总量{stats.submitted}条，"
            f"平均到每个部门单位{average.quantize(Decimal('0.1'))}条"
        )
        if stats.units_without:
            sentence += (
                f"，{stats.units_without}个部门单位（占{stats.share_without}%）报送信息数量为0"
            )
        if stats.units_without or average < 1:
            found.append(sentence + "。")
    if stats.submitted:
        rate = stats.published / stats.submitted
        if rate < rules.bulletin.low_publication_rate:
            found.append(
                f"信息报送质量不高。报送的{stats.submitted}篇信息仅被采用{stats.published}篇，"
                f"采用率{rate:.0%}，部分信息不符合上级平台的刊发要求。"
            )
    if len(found) == 1:  # 一是 needs a 二是
        return found
    return [f"{ordinals[i]}是{text}" for i, text in enumerate(found)]


def requirements(
    supervised: list[str], circulated: list[str], streaks: list[Streak], rules: Rules
) -> list[str]:
    """三、工作要求: the rule, then the units it reaches this month."""
    escalation = rules.escalation
    office = rules.bulletin.supervision_office
    paragraphs = [
        f"政务公开信息报送工作实行“一月一通报”，连续{_count(escalation.supervision_after)}个月"
        f"无持续进展的部门单位由{office}下发督办单；连续{_count(escalation.circular_after)}个月"
        f"无持续进展的部门单位由{office}予以{rules.bulletin.circular}。"
    ]
    if supervised:
        paragraphs.append(
            f"本期下发督办单的单位（连续{_count(escalation.supervision_after)}个月无持续进展）："
            + "、".join(supervised)
            + "。"
        )
    if circulated:
        period = {s.unit: idle_period(s.months, s.as_of) for s in streaks}
        named = "、".join(f"{unit}（{period[unit]}）" for unit in circulated)
        paragraphs.append(f"本期予以{rules.bulletin.circular}的单位：{named}。")
    paragraphs.append(
        "请各单位高度重视，围绕上级平台的编发要求，结合自身工作实践，"
        "高质量报送政务公开工作举措和经验做法。"
    )
    return paragraphs


def task_section(progress: MonthProgress | None, month: Month) -> list[str]:
    """四、重点任务落实情况: who reported progress on the year's tasks this month, who did not,
    and the tasks past their deadline."""
    if progress is None:
        return []
    first = (
        f"{progress.year}年政务公开工作任务分解表共{progress.tasks}项任务，"
        f"涉及{progress.units}个单位。{month.month}月，"
    )
    if progress.reported:
        named = "、".join(f"{unit}（{n}条）" for unit, n in progress.reported)
        first += f"{len(progress.reported)}个单位报送了任务进展：{named}"
    else:
        first += "没有单位报送任务进展"
    if progress.silent:
        first += f"；{len(progress.silent)}个单位未报送进展：{'、'.join(progress.silent)}"
    second = (
        f"截至{month.month}月底，{progress.assignments}条任务分工中已完成{progress.finished}条。"
    )
    if progress.overdue:
        second += f"逾期未完成的任务{len(progress.overdue)}项：" + "；".join(
            f"{task}（{some_units(units, 3)}）" for task, units in progress.overdue
        )
        second += "。请牵头单位督促落实，逾期任务已报督查室跟踪督办。"
    else:
        second += "暂无逾期未完成的任务。"
    return [first + "。", second]


def scoring_rules_text(rules: Rules) -> str:
    """附件3, written from the rules file: the platforms by points, each by its full name, the
    levels they stand for, the points of an article forwarded but not published, and whether
    an article published twice scores once (at the highest) or for each publication, and what
    a 领导批示 adds."""
    ranked = sorted(rules.platforms, key=lambda p: -p.points)
    by_points: dict[Decimal, list[str]] = {}
    for platform in ranked:
        by_points.setdefault(platform.points, []).append(platform.name)
    parts = [f"{_either(names)}采用一篇计{figure(p)}分" for p, names in by_points.items()]
    # Above the office's own level: a city's forward goes to the province and the state.
    level = rules.bulletin.level
    above = (p.level for p in ranked if p.level and p.level != level)
    levels = list(dict.fromkeys(name.removesuffix("级") for name in above))
    upstream = f"{'、'.join(levels)}级平台" if levels else "上级平台"
    if rules.scoring.unpublished_points:  # a scheme that gives nothing says nothing
        unpublished = figure(rules.scoring.unpublished_points)
        parts.append(f"{level}采用报送到{upstream}但是上级平台未刊发的一篇计{unpublished}分")
    if rules.endorsements:
        parts.append(
            f"信息获{'、'.join(e.name for e in rules.endorsements)}批示的，每条另计"
            f"{'、'.join(figure(e.points) for e in rules.endorsements)}分"
        )
    if rules.commissions:
        parts.append(commission_text(rules.commissions))
    if rules.quota:
        parts.append(quota_text(rules.quota))
    if rules.scoring.policy == "sum":
        return "；".join(parts) + "；同一信息被多个平台采用的，每次采用分别计分。"
    return "；".join(parts) + "；同一信息被重复采用的，以最高分为准，不重复计分。"


def _either(names: list[str]) -> str:
    """``甲``, ``甲或乙``, ``甲、乙或丙``."""
    return "或".join(filter(None, ["、".join(names[:-1]), names[-1]]))


def commission_text(commission: CommissionRules) -> str:
    """约稿 as a 计分办法 words it: ``约稿信息采用一篇计5分；约稿不报或迟报的，每次倒扣10分``."""
    text = f"约稿信息采用一篇计{figure(commission.points)}分"
    if commission.higher:
        text += "（刊发平台分值更高的，按刊发平台计分）"
    if commission.missed_penalty:
        text += f"；约稿不报或迟报的，每次倒扣{figure(commission.missed_penalty)}分"
    return text


def quota_text(quota: QuotaRules) -> str:
    """The 报送任务 as a 计分办法 words it: ``每周报送2篇以上为完成任务，计基础分1分，每超报1篇
    加1分，漏报一次扣除当期基础分``."""
    text = f"每{quota.noun}报送{quota.count}篇以上为完成任务，计基础分{figure(quota.base_points)}分"
    if quota.extra_points:
        text += f"，每超报1篇加{figure(quota.extra_points)}分"
    if quota.missed == "base":
        return text + "，漏报一次扣除当期基础分"
    return text + f"，未完成的每次扣{figure(quota.missed)}分"


def annex_articles(db: Database, rules: Rules, period: Period) -> Iterator[AnnexArticle]:
    """附件2, streamed: highest level first, then by date."""
    names = {p.code: p.short.strip("《》") for p in rules.platforms}
    with repository(db) as repo:
        for title, unit, status, platforms in repo.articles.annex(
            period.start, period.end, [p.code for p in rules.platforms]
        ):
            if platforms:
                outcome = "、".join(names.get(code, code) for code in platforms)
            else:
                outcome = STATUS_LABELS.get(status, status)
            yield AnnexArticle(title, unit, outcome)


def _count(n: int) -> str:
    return "两" if n == 2 else "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)
