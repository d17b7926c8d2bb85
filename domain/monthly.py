"""The monthly routine: issue the bulletin, escalate stagnant units, remind units that lag.

Each step writes what it decided (an issue record, numbered escalations, outbox rows) in one
transaction, keyed so that running it again, after a crash or on a second process, adds
nothing. The rendered documents come from ``reports`` through the ``Renderers`` passed in, so
this module decides and records while knowing nothing of Word or Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.bulletin import Bulletin, build_bulletin
from domain.bulletin_wording import office_document
from domain.errors import UserError
from domain.notice_wording import NoticeWording
from domain.notices import admin_chats, enqueue
from domain.periods import Month, as_utc
from domain.rules import Rules
from domain.stagnation import outlook, stagnation_streaks
from domain.workdays import covered, nth_working_day, nth_working_day_before_end
from storage.db import Database
from storage.models import BulletinIssue, Escalation
from storage.repos import Conflict, repository


@dataclass(frozen=True)
class Renderers:
    """How a bulletin and a supervision notice become files (supplied by ``reports``)."""

    message: Callable[[Bulletin], str]
    docx: Callable[[Bulletin], bytes]
    xlsx: Callable[[Bulletin], bytes]
    chart: Callable[[Bulletin], bytes]
    trend: Callable[[Bulletin], bytes]
    notice_text: Callable[[NoticeFacts], str]
    notice_docx: Callable[[NoticeFacts], bytes]
    circular_text: Callable[[CircularFacts], str]
    circular_docx: Callable[[CircularFacts], bytes]


@dataclass(frozen=True)
class NoticeFacts:
    """What a 督办单 says."""

    number: str
    unit: str
    month: Month
    streak: int
    office: str
    issued_on: dt.date


@dataclass(frozen=True)
class CircularFacts:
    """What a 全区通报 says: the units idle from the threshold on, with their streaks."""

    name: str  # 全区通报, 全市通报: as the office names the whole of its area
    month: Month
    units: list[tuple[str, int]]
    office: str
    recipients: str
    threshold: int
    issued_on: dt.date


@dataclass(frozen=True)
class Chats:
    """Where things go: the bulletin group, the 督查室, the admins."""

    bulletin: int | None
    supervision: int | None
    admins: frozenset[int]
    # A child office's name: its chats are set with ``gongkai office set``, not the environment.
    office: str | None = None


@dataclass(frozen=True)
class CycleOutcome:
    """What one run of the cycle did."""

    month: Month | None = None
    status: str | None = None
    supervised: int = 0
    circulated: int = 0
    reminded: int = 0


def bulletin_due(now: dt.datetime, rules: Rules, tz: ZoneInfo) -> tuple[Month, dt.datetime]:
    """The month whose bulletin is due this month, and when (the N-th working day, 09:00)."""
    local = now.astimezone(tz)
    this_month = Month.of(local.date())
    day = nth_working_day(this_month, rules.schedule.bulletin_working_day)
    return this_month.previous(), dt.datetime.combine(day, rules.schedule.bulletin_time, tz)


def issue_date(db: Database, rules: Rules, month: Month, tz: ZoneInfo) -> dt.date:
    """成文日期 of ``month``'s bulletin: the day it was issued, or else the day it is due (the
    N-th working day of the month after), so that a bulletin rendered later keeps its date."""
    with repository(db) as repo:
        issue = repo.bulletins.get(month.first_day)
        if issue is not None:
            return as_utc(issue.created_at).astimezone(tz).date()
    return nth_working_day(month.next(), rules.schedule.bulletin_working_day)


def run_bulletin_cycle(
    db: Database,
    rules: Rules,
    now: dt.datetime,
    tz: ZoneInfo,
    chats: Chats,
    render: Renderers,
    actor: str = "system",
) -> CycleOutcome:
    """Issue last month's bulletin once its time has come and it is not out yet.

    A bot that was down at the scheduled time issues it when it next runs. With
    ``require_approval`` the bulletin and the escalations wait for an admin's 发布.
    """
    month, due_at = bulletin_due(now, rules, tz)
    _warn_uncovered_year(db, now.astimezone(tz).year, chats)
    if now < due_at:
        return CycleOutcome()
    with repository(db) as repo:
        issue = repo.bulletins.get(month.first_day)
        if issue is not None and issue.status == "issued" and issue.published_at is None:
            return publish_month(db, rules, month, now.astimezone(tz).date(), chats, render)
        if issue is not None:
            return CycleOutcome(month, "already")
    status = "held" if rules.escalation.require_approval else "issued"
    try:
        with repository(db) as repo:
            repo.add(
                BulletinIssue(
                    office_id=repo.offices.current_id(),
                    month=month.first_day,
                    status=status,
                    created_by=actor,
                )
            )
            repo.audit.record(actor, f"bulletin.{status}", "bulletin", str(month))
    except Conflict:
        return CycleOutcome(month, "already")  # another process issued it first
    if status == "held":
        _ask_approval(db, month, chats)
        return CycleOutcome(month, "held")
    return publish_month(db, rules, month, now.astimezone(tz).date(), chats, render)


def publish_month(
    db: Database,
    rules: Rules,
    month: Month,
    today: dt.date,
    chats: Chats,
    render: Renderers,
) -> CycleOutcome:
    """Queue the bulletin and the month's escalations; every row keyed, so once only."""
    changes = pending_changes(db, month)
    bulletin = build_bulletin(db, rules, month, today, [text for _, text in changes])
    supervised, circulated = record_escalations(db, rules, month)
    edited = office_document(db, month)  # the office's own .docx goes out as it sent it
    with repository(db) as repo:
        if chats.bulletin is not None:
            key = f"bulletin:{month}"
            enqueue(repo, f"{key}:message", chats.bulletin, render.message(bulletin))
            name = f"{bulletin.title}"
            document = edited if edited is not None else render.docx(bulletin)
            enqueue(repo, f"{key}:docx", chats.bulletin, "", document, f"{name}.docx")
            enqueue(
                repo, f"{key}:xlsx", chats.bulletin, "", render.xlsx(bulletin), f"{name}附件.xlsx"
            )
            enqueue(
                repo,
                f"{key}:png",
                chats.bulletin,
                "",
                render.chart(bulletin),
                f"{bulletin.period.dated_label}得分情况.png",
            )
            enqueue(
                repo,
                f"{key}:trend",
                chats.bulletin,
                "",
                render.trend(bulletin),
                f"{bulletin.period.dated_label}报送采用情况.png",
            )
        office = rules.bulletin.supervision_office
        for escalation in supervised:
            facts = NoticeFacts(
                number=f"〔{escalation.year}〕第{escalation.number}号",
                unit=escalation.unit.name,
                month=month,
                streak=escalation.streak,
                office=office,
                issued_on=today,
            )
            text, document = render.notice_text(facts), render.notice_docx(facts)
            filename = f"督办单{facts.number}-{facts.unit}.docx"
            targets = [u.telegram_id for u in repo.users.liaisons_of(escalation.unit_id)]
            if chats.supervision is not None:
                targets.append(chats.supervision)
            for chat in targets:
                enqueue(
                    repo, f"escalation:{escalation.id}:to:{chat}", chat, text, document, filename
                )
        if circulated and chats.bulletin is not None:
            circular = CircularFacts(
                name=rules.bulletin.circular,
                month=month,
                units=[(e.unit.name, e.streak) for e in circulated],
                office=office,
                recipients=rules.bulletin.recipients,
                threshold=rules.escalation.circular_after,
                issued_on=today,
            )
            enqueue(repo, f"circular:{month}", chats.bulletin, render.circular_text(circular))
            enqueue(
                repo,
                f"circular:{month}:docx",
                chats.bulletin,
                "",
                render.circular_docx(circular),
                f"{circular.name}-{month}.docx",
            )
        missing = _missing_chats(chats, bool(supervised))
        if missing:
            # Not published until every place it goes to is known: the next run (daily, and
            # at start) sends what is still missing, once the chat is configured.
            text = (
                f"⚠️ {month.year}年{month.month}月的一月一通报已生成，但未配置"
                f"{'、'.join(missing)}，尚未发出。配置后重启机器人即自动发出。"
            )
            for admin in admin_chats(repo, chats.admins):
                enqueue(repo, f"alert:unsent:{month}:to:{admin}", admin, text)
            return CycleOutcome(month, "waiting", len(supervised), len(circulated))
        repo.changes.mark_reported([change_id for change_id, _ in changes], month.first_day)
        issue = repo.bulletins.get(month.first_day)
        if issue is not None:
            issue.published_at = dt.datetime.now(dt.UTC)
    return CycleOutcome(month, "issued", len(supervised), len(circulated))


def _missing_chats(chats: Chats, supervising: bool) -> list[str]:
    """The settings still needed before the month's documents can all go out."""
    missing = []
    if chats.office is None:
        bulletin, supervision = "GONGKAI_BULLETIN_CHAT_ID", "GONGKAI_SUPERVISION_CHAT_ID"
    else:
        command = f"gongkai office set {chats.office}"
        bulletin, supervision = f"{command} --bulletin-chat", f"{command} --supervision-chat"
    if chats.bulletin is None:
        missing.append(f"通报群（{bulletin}）")
    if supervising and chats.supervision is None:
        missing.append(f"督查室群（{supervision}）")
    return missing


def record_escalations(
    db: Database, rules: Rules, month: Month
) -> tuple[list[Escalation], list[Escalation]]:
    """督办单 at the supervision threshold, 全区通报 from the circular one; once per unit."""
    streaks = stagnation_streaks(db, month, rules)
    rule = rules.escalation
    with repository(db) as repo:
        units = repo.units.by_names()
        for streak in streaks:
            if streak.counted < rule.supervision_after:
                continue
            kind = "circular" if streak.counted >= rule.circular_after else "supervision"
            unit = units[streak.unit]
            if repo.escalations.exists(unit.id, month.first_day, kind):
                continue
            number = repo.escalations.next_number(month.year) if kind == "supervision" else None
            repo.add(
                Escalation(
                    office_id=unit.office_id,
                    unit_id=unit.id,
                    month=month.first_day,
                    kind=kind,
                    year=month.year,
                    number=number,
                    streak=streak.months,
                )
            )
            repo.flush()
            repo.audit.record(
                "system",
                f"escalation.{kind}",
                "unit",
                unit.id,
                None,
                {"month": str(month), "streak": streak.months, "number": number},
            )
        found = repo.escalations.of_month(month.first_day)
        return (
            [e for e in found if e.kind == "supervision"],
            [e for e in found if e.kind == "circular"],
        )


def decide_held_bulletin(
    db: Database,
    rules: Rules,
    month: Month,
    approve: bool,
    admin_id: int,
    today: dt.date,
    chats: Chats,
    render: Renderers,
) -> CycleOutcome:
    """发布 or 暂缓 a bulletin held for approval. Audited; deciding twice changes nothing."""
    with repository(db) as repo:
        issue = repo.bulletins.get(month.first_day, lock=True)
        if issue is None:
            raise UserError(f"{month.year}年{month.month}月的通报尚未生成。")
        if issue.status != "held":
            state = {"issued": "已发布", "withheld": "已暂缓"}[issue.status]
            raise UserError(f"{month.year}年{month.month}月的通报{state}，无需重复操作。")
        issue.status = "issued" if approve else "withheld"
        issue.decided_by, issue.decided_at = f"tg:{admin_id}", dt.datetime.now(dt.UTC)
        repo.audit.record(
            f"tg:{admin_id}",
            f"bulletin.{issue.status}",
            "bulletin",
            str(month),
            {"status": "held"},
            {"status": issue.status},
        )
    if not approve:
        return CycleOutcome(month, "withheld")
    return publish_month(db, rules, month, today, chats, render)


def _ask_approval(db: Database, month: Month, chats: Chats) -> None:
    text = (
        f"{month.year}年{month.month}月的一月一通报已生成，其中点名督办和通报的单位需经批准后发出。"
        f"\n预览：/bulletin {month}"
    )
    buttons = [[["发布", f"bul:ok:{month}"], ["暂缓", f"bul:no:{month}"]]]
    with repository(db) as repo:
        for admin in admin_chats(repo, chats.admins):
            enqueue(repo, f"approval:{month}:to:{admin}", admin, text, buttons=buttons)


def _warn_uncovered_year(db: Database, year: int, chats: Chats) -> None:
    if covered(year):
        return
    with repository(db) as repo:
        text = (
            f"⚠️ 节假日数据包 chinese-calendar 尚未包含 {year} 年的官方安排，"
            f"工作日暂按周一至周五计算。请升级该依赖包。"
        )
        for admin in admin_chats(repo, chats.admins):
            enqueue(repo, f"alert:calendar:{year}:to:{admin}", admin, text)


def run_reminders(
    db: Database, rules: Rules, now: dt.datetime, tz: ZoneInfo, wording: NoticeWording
) -> int:
    """On the N-th working day before the month ends, remind units with nothing submitted.

    Later the same month (a bot that was down) it still reminds, once per unit and month.
    """
    local = now.astimezone(tz)
    month = Month.of(local.date())
    day = nth_working_day_before_end(month, rules.schedule.reminder_working_days_before_end)
    if local < dt.datetime.combine(day, rules.schedule.reminder_time, tz):
        return 0
    streaks = {s.unit: s for s in stagnation_streaks(db, month.previous(), rules)}
    queued = 0
    with repository(db) as repo:
        submitted = repo.articles.active_months(month.first_day, month.next().first_day)
        last_day = month.next().first_day - dt.timedelta(days=1)
        for unit in repo.units.ordered():
            if unit.id in submitted:
                continue
            streak = streaks[unit.name]
            where = f"你单位截至上月已{streak.wording}。" if streak.months else ""
            text = wording.submission_reminder(
                unit.name, month, last_day, where + outlook(streak, rules)
            )
            for user in repo.users.liaisons_of(unit.id):
                key = f"reminder:{month}:{unit.id}:to:{user.telegram_id}"
                queued += enqueue(repo, key, user.telegram_id, text)
    return queued


def pending_changes(db: Database, month: Month) -> list[tuple[int, str]]:
    """Corrections to months already reported, not yet told in a bulletin."""
    with repository(db) as repo:
        return repo.changes.unreported(month.next().first_day)
