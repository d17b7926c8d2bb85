"""催报: the office asks units for something by a deadline, reminds, and escalates the missing.

A campaign names its units (all, a category, or a list written as in a 任务分解表) and what to
send: a file, a text, or the annual report's template filled in (checked, and refused if it
fails). Every answer is kept; a unit's latest answer is the one that counts. Reminders go out on
the rules' working days before the deadline to units that have not answered; after the
deadline the missing units go to the 督查室 once. Everything goes through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.access import Identity
from domain.adjustments import add_adjustment
from domain.annual_report import read_report
from domain.errors import UserError
from domain.monthly import Chats
from domain.notice_wording import NoticeWording
from domain.notices import admin_chats, enqueue
from domain.periods import Month
from domain.rules import Rules
from domain.tasks import known_units, parse_deadline
from domain.unit_lists import UnitLists
from domain.wording import parse_ref
from domain.workdays import working_days_before
from storage.db import Database
from storage.models import CAMPAIGN_KINDS, Campaign, CampaignAnswer, CampaignTarget
from storage.repos import Repo, repository

KIND_NAMES = {
    "file": "文件",
    "text": "文字材料",
    "template": "填好的年度报告模板（.xlsx）",
    "article": "约稿稿件",
}
TITLE_MAX = 200
TEXT_MAX = 4000
# Campaigns whose deadline is further back than this are no longer followed up.
FOLLOW_UP_DAYS = 90


def campaign_ref(campaign_id: int) -> str:
    """How every message names a campaign: ``C3``."""
    return f"C{campaign_id}"


def parse_campaign_id(text: str) -> int:
    """``3``, ``C3`` or ``c3`` → 3."""
    return parse_ref(text, "C", "催报")


def check_title(text: str) -> str:
    """A campaign's title: not empty, at most 200 characters."""
    title = text.strip()
    if not title:
        raise UserError("催报事项名称不能为空。")
    if len(title) > TITLE_MAX:
        raise UserError(f"催报事项名称过长（{len(title)} 字，最多 {TITLE_MAX} 字）。")
    return title


def check_deadline(text: str, today: dt.date) -> dt.date:
    """A deadline as offices write it, not in the past."""
    try:
        deadline = parse_deadline(text, today.year)
    except ValueError:
        raise UserError(
            f"截止日期“{text.strip()}”无法识别（示例：{today.year}-01-31、{today.year}年1月31日）。"
        ) from None
    if deadline < today:
        raise UserError(f"截止日期 {deadline} 已过，请给出今天（{today}）或以后的日期。")
    return deadline


def check_kind(text: str) -> str:
    """file, text or template (or their Chinese names)."""
    names = {
        "文件": "file",
        "文字": "text",
        "文字材料": "text",
        "模板": "template",
        "约稿": "article",
        "稿件": "article",
    }
    kind = names.get(text.strip(), text.strip())
    if kind not in CAMPAIGN_KINDS:
        raise UserError(
            f"报送形式“{text.strip()}”无效，"
            "应为 file（文件）、text（文字）、template（年报模板）或 article（约稿）。"
        )
    return kind


def resolve_targets(repo: Repo, rules: Rules, spec: str) -> list[int]:
    """The units a campaign asks: ``all``, ``category:类别``, or names (and collective names)."""
    text = spec.strip()
    units = repo.units.ordered()
    if text in ("all", "全部", "全部单位"):
        return [u.id for u in units]
    for prefix in ("category:", "类别:", "类别："):
        if text.startswith(prefix):
            category = text.removeprefix(prefix).strip()
            found = [u.id for u in units if u.category == category]
            if not found:
                known = "、".join(dict.fromkeys(u.category for u in units)) or "（尚无单位）"
                raise UserError(f"没有类别为“{category}”的单位。现有类别：{known}")
            return found
    lists = UnitLists(known_units(repo), rules.tasks.collective)
    resolved = lists.resolve(text)
    if resolved.unknown:
        named = "；".join(f"“{name}”{lists.suggestions(name)}" for name in resolved.unknown)
        raise UserError(f"以下单位名称不认识：{named}")
    if not resolved.unit_ids:
        raise UserError(
            "请至少指定一个单位：all（全部）、category:类别，或单位名称（用“、”分隔）。"
        )
    return resolved.unit_ids


def count_targets(db: Database, rules: Rules, spec: str) -> int:
    """How many units ``spec`` names; a ``UserError`` naming what it cannot read."""
    with repository(db) as repo:
        return len(resolve_targets(repo, rules, spec))


@dataclass(frozen=True)
class Opened:
    """A campaign just opened."""

    id: int
    title: str
    kind: str
    deadline: dt.date
    units: int


def open_campaign(
    db: Database,
    rules: Rules,
    title: str,
    deadline: dt.date,
    spec: str,
    kind: str,
    actor: str,
    wording: NoticeWording,
) -> Opened:
    """Open a campaign, audited, and tell the units' liaisons what they owe."""
    title, kind = check_title(title), check_kind(kind)
    with repository(db) as repo:
        unit_ids = resolve_targets(repo, rules, spec)
        campaign = Campaign(
            office_id=repo.offices.current_id(),
            title=title,
            kind=kind,
            deadline=deadline,
            created_by=actor,
        )
        campaign.targets = [CampaignTarget(unit_id=u) for u in unit_ids]
        repo.add(campaign)
        repo.flush()
        repo.audit.record(
            actor,
            "campaign.open",
            "campaign",
            campaign.id,
            None,
            {
                "title": title,
                "kind": kind,
                "deadline": deadline.isoformat(),
                "units": len(unit_ids),
            },
        )
        text = wording.campaign_opened(campaign.id, title, kind, deadline)
        for unit_id in unit_ids:
            for user in repo.users.liaisons_of(unit_id):
                enqueue(
                    repo,
                    f"campaign:{campaign.id}:open:to:{user.telegram_id}",
                    user.telegram_id,
                    text,
                )
        return Opened(campaign.id, title, kind, deadline, len(unit_ids))


@dataclass(frozen=True)
class Requested:
    """What a liaison is asked for, to answer a campaign."""

    id: int
    title: str
    kind: str
    deadline: dt.date


def requested(db: Database, who: Identity, campaign_id: int) -> Requested:
    """The campaign, if the caller's unit owes it an answer; otherwise a ``UserError``."""
    with repository(db) as repo:
        campaign = repo.campaigns.get(campaign_id)
        if campaign is None:
            raise UserError(f"没有编号为 {campaign_ref(campaign_id)} 的催报事项。")
        if who.unit_id is None or not repo.campaigns.is_target(campaign_id, who.unit_id):
            raise UserError(
                f"催报 {campaign_ref(campaign_id)} 不需要{who.unit_name or '您所在单位'}报送。"
            )
        return Requested(campaign.id, campaign.title, campaign.kind, campaign.deadline)


@dataclass(frozen=True)
class Answered:
    """An answer recorded."""

    campaign: Requested
    number: int
    late: bool


def answer_campaign(
    db: Database,
    who: Identity,
    campaign_id: int,
    today: dt.date,
    *,
    text: str | None = None,
    file: tuple[str, str] | None = None,
    content: bytes | None = None,
) -> Answered:
    """Record the unit's answer. A template must pass its checks (``ReportRejected`` lists
    every failure and nothing is recorded); late answers are kept and marked late."""
    campaign = requested(db, who, campaign_id)
    if campaign.kind == "article":
        raise UserError(f"催报 {campaign_ref(campaign_id)} 是约稿，请报送稿件。")
    body = (text or "").strip() or None
    if body is not None and len(body) > TEXT_MAX:
        raise UserError(f"文字过长（{len(body)} 字，最多 {TEXT_MAX} 字）。")
    if campaign.kind == "text" and body is None:
        raise UserError("本次催报需要报送文字材料，请直接发送文字。")
    if campaign.kind in ("file", "template") and file is None:
        raise UserError(f"本次催报需要报送{KIND_NAMES[campaign.kind]}，请发送文件。")
    if campaign.kind == "template":
        assert file is not None and content is not None
        read_report(file[1], content)
    with repository(db) as repo:
        answer = CampaignAnswer(
            campaign_id=campaign_id,
            unit_id=who.unit_id,
            submitted_by=who.telegram_id,
            submitted_on=today,
            late=today > campaign.deadline,
            text=body,
            file_id=file[0] if file else None,
            file_name=file[1] if file else None,
        )
        repo.add(answer)
        repo.flush()
        number = repo.campaigns.answer_counts(campaign_id).get(who.unit_id or 0, 1)
        repo.audit.record(
            f"tg:{who.telegram_id}",
            "campaign.answer",
            "campaign",
            campaign_id,
            None,
            {
                "unit": who.unit_name,
                "answer": answer.id,
                "late": answer.late,
                "file": answer.file_name,
            },
        )
        return Answered(campaign, number, answer.late)


@dataclass(frozen=True)
class StatusRow:
    """A unit's standing in a campaign: its latest answer, if any."""

    unit: str
    category: str
    answers: int
    answered_on: dt.date | None
    late: bool
    file_name: str | None
    text: str | None


@dataclass(frozen=True)
class CampaignStatus:
    """Who has and has not sent."""

    id: int
    title: str
    kind: str
    deadline: dt.date
    rows: list[StatusRow]

    @property
    def missing(self) -> list[str]:
        """Units with no answer."""
        return [row.unit for row in self.rows if row.answered_on is None]


def campaign_status(db: Database, campaign_id: int) -> CampaignStatus:
    """A campaign's units in display order with their latest answer."""
    with repository(db) as repo:
        campaign = repo.campaigns.get(campaign_id)
        if campaign is None:
            raise UserError(f"没有编号为 {campaign_ref(campaign_id)} 的催报事项。")
        latest = repo.campaigns.latest_answers(campaign_id)
        counts = repo.campaigns.answer_counts(campaign_id)
        targets = sorted(campaign.targets, key=lambda t: t.unit.display_order)
        rows = []
        for target in targets:
            answer = latest.get(target.unit_id)
            rows.append(
                StatusRow(
                    unit=target.unit.name,
                    category=target.unit.category,
                    answers=counts.get(target.unit_id, 0),
                    answered_on=answer.submitted_on if answer else None,
                    late=bool(answer and answer.late),
                    file_name=answer.file_name if answer else None,
                    text=answer.text if answer else None,
                )
            )
        return CampaignStatus(campaign.id, campaign.title, campaign.kind, campaign.deadline, rows)


@dataclass(frozen=True)
class Owed:
    """A campaign as a liaison's /mine shows it."""

    id: int
    title: str
    kind: str
    deadline: dt.date
    answered_on: dt.date | None


def owed_by(db: Database, unit_id: int, today: dt.date) -> list[Owed]:
    """The unit's campaigns still followed up, answered or not."""
    with repository(db) as repo:
        campaigns = repo.campaigns.of_unit(unit_id, today - dt.timedelta(days=FOLLOW_UP_DAYS))
        found = []
        for campaign in campaigns:
            latest = repo.campaigns.latest_answers(campaign.id).get(unit_id)
            found.append(
                Owed(
                    campaign.id,
                    campaign.title,
                    campaign.kind,
                    campaign.deadline,
                    latest.submitted_on if latest else None,
                )
            )
        return found


def recent_campaigns(db: Database, limit: int = 20) -> list[tuple[int, str, dt.date, int, int]]:
    """(id, title, deadline, units, answered) of the newest campaigns."""
    with repository(db) as repo:
        found = []
        for campaign in repo.campaigns.recent(limit):
            answered = len(repo.campaigns.latest_answers(campaign.id))
            units = len(campaign.targets)
            found.append((campaign.id, campaign.title, campaign.deadline, units, answered))
        return found


def penalize_missed(
    repo: Repo,
    rules: Rules,
    campaign_id: int,
    unit_id: int,
    what: str,
    wording: NoticeWording,
) -> bool:
    """Take the 约稿's penalty from the unit, unless already taken or the rules set none."""
    commission = rules.commissions
    if commission is None or not commission.missed_penalty:
        return False
    target = repo.campaigns.target(campaign_id, unit_id)
    campaign = repo.campaigns.get(campaign_id)
    if target is None or campaign is None or target.penalty_id is not None:
        return False
    reason = f"约稿 {campaign_ref(campaign_id)}《{campaign.title}》{what}"
    recorded = add_adjustment(
        repo,
        target.unit,
        "penalty",
        -commission.missed_penalty,
        reason[:200],
        "system",
        Month.of(campaign.deadline),
        wording,
    )
    target.penalty_id = recorded.id
    return True


def run_campaign_followup(
    db: Database,
    rules: Rules,
    now: dt.datetime,
    tz: ZoneInfo,
    chats: Chats,
    wording: NoticeWording,
) -> int:
    """Remind units that have not answered on the rules' working days before each deadline
    (a late start sends the latest reminder due, once); after the deadline, tell the 督查室
    (or the admins) which units are missing, once per campaign."""
    local = now.astimezone(tz)
    today = local.date()
    at = rules.campaigns.reminder_time
    queued = 0
    with repository(db) as repo:
        campaigns = repo.campaigns.since(today - dt.timedelta(days=FOLLOW_UP_DAYS))
        answered = repo.campaigns.answered_units([c.id for c in campaigns])
        for campaign in campaigns:
            missing = [
                t
                for t in sorted(campaign.targets, key=lambda t: t.unit.display_order)
                if (campaign.id, t.unit_id) not in answered
            ]
            if not missing:
                continue
            if today > campaign.deadline:
                names = [t.unit.name for t in missing]
                queued += _escalate(repo, campaign, names, chats, wording)
                if campaign.kind == "article":
                    for target in missing:
                        penalize_missed(
                            repo, rules, campaign.id, target.unit_id, "未按期报送", wording
                        )
                continue
            due = [
                n
                for n in rules.campaigns.reminder_working_days
                if dt.datetime.combine(working_days_before(campaign.deadline, n), at, tz) <= local
            ]
            if not due:
                continue
            n = min(due)
            text = wording.campaign_reminder(
                campaign.id, campaign.title, campaign.kind, campaign.deadline
            )
            for target in missing:
                for user in repo.users.liaisons_of(target.unit_id):
                    key = (
                        f"campaign:{campaign.id}:remind:{n}:{target.unit_id}:to:{user.telegram_id}"
                    )
                    queued += enqueue(repo, key, user.telegram_id, text)
    return queued


def _escalate(
    repo: Repo, campaign: Campaign, missing: list[str], chats: Chats, wording: NoticeWording
) -> int:
    text = wording.campaign_overdue(campaign.id, campaign.title, campaign.deadline, missing)
    targets = (
        [chats.supervision] if chats.supervision is not None else admin_chats(repo, chats.admins)
    )
    return sum(
        enqueue(repo, f"campaign:{campaign.id}:overdue:to:{chat}", chat, text) for chat in targets
    )
