"""加减分 and 单项否决: recorded by an admin with a reason, audited, told to the unit.

A bonus or penalty counts in the month it is recorded; a veto makes the unit's annual score
zero for that year (score bulletin and annual assessment alike).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from domain.access import require_unit
from domain.errors import UserError
from domain.notice_wording import NoticeWording
from domain.notices import enqueue
from domain.periods import Month
from storage.db import Database
from storage.models import Adjustment, Unit
from storage.repos import Repo, repository

REASON_MAX = 200
_POINTS = re.compile(r"^[+\-＋－]?\d+(\.\d{1,2})?$")


def parse_adjustment_points(text: str, limit: Decimal) -> Decimal:
    """``+2``, ``-1.5``, ``3`` → a non-zero amount within ±``limit`` (the rules file's
    ``[adjustments] max_points``); anything else is a ``UserError``."""
    value = text.strip().replace("＋", "+").replace("－", "-")
    if not _POINTS.match(value):
        raise UserError(f"分值“{text}”格式错误，应为 +2、-1.5 这样的数字。")
    points = Decimal(value)
    if points == 0:
        raise UserError("分值不能为 0。")
    if abs(points) > limit:
        shown = f"{limit.normalize():f}"
        raise UserError(
            f"分值 {value} 超出范围：每次加减分最多 ±{shown} 分（规则文件 [adjustments]）。"
        )
    return points


def check_reason(text: str) -> str:
    """The reason, stripped; required and at most 200 characters."""
    reason = text.strip()
    if not reason:
        raise UserError("请写明原因。")
    if len(reason) > REASON_MAX:
        raise UserError(f"原因过长（{len(reason)} 字，最多 {REASON_MAX} 字）。")
    return reason


@dataclass(frozen=True)
class PeriodAdjustments:
    """A period's 加减分 per unit, and the units under a 单项否决."""

    points: dict[int, Decimal]
    vetoed: set[int]

    def of(self, unit_id: int) -> Decimal:
        """The unit's bonuses and penalties together."""
        return self.points.get(unit_id, Decimal(0))


def adjusted_between(repo: Repo, start: dt.date, end: dt.date) -> PeriodAdjustments:
    """加减分 and 单项否决 recorded for months in [start, end)."""
    points: dict[int, Decimal] = {}
    vetoed: set[int] = set()
    for adjustment in repo.adjustments.in_period(start, end):
        if adjustment.kind == "veto":
            vetoed.add(adjustment.unit_id)
        else:
            points[adjustment.unit_id] = (
                points.get(adjustment.unit_id, Decimal(0)) + adjustment.points
            )
    return PeriodAdjustments(points, vetoed)


@dataclass(frozen=True)
class Recorded:
    """What was recorded, for the reply."""

    id: int
    unit: str
    kind: str
    points: Decimal
    reason: str
    month: Month
    # Liaisons told; 0 when the unit has none yet.
    notified: int


def record_adjustment(
    db: Database,
    unit_name: str,
    points: Decimal,
    reason: str,
    admin_id: int,
    today: dt.date,
    wording: NoticeWording,
) -> Recorded:
    """A bonus (points > 0) or penalty (< 0) for the unit in this month."""
    kind = "bonus" if points > 0 else "penalty"
    return _record(db, unit_name, kind, points, check_reason(reason), admin_id, today, wording)


def record_veto(
    db: Database,
    unit_name: str,
    reason: str,
    admin_id: int,
    today: dt.date,
    wording: NoticeWording,
) -> Recorded:
    """单项否决 for the unit this year; a second veto in the same year is refused."""
    reason = check_reason(reason)
    return _record(db, unit_name, "veto", Decimal(0), reason, admin_id, today, wording)


def _record(
    db: Database,
    unit_name: str,
    kind: str,
    points: Decimal,
    reason: str,
    admin_id: int,
    today: dt.date,
    wording: NoticeWording,
) -> Recorded:
    month = Month.of(today)
    with repository(db) as repo:
        unit = require_unit(repo, unit_name)
        year = (dt.date(month.year, 1, 1), dt.date(month.year + 1, 1, 1))
        if kind == "veto" and unit.id in adjusted_between(repo, *year).vetoed:
            raise UserError(f"{unit.name} {month.year} 年已被单项否决，无需重复。")
        return add_adjustment(repo, unit, kind, points, reason, f"tg:{admin_id}", month, wording)


def add_adjustment(
    repo: Repo,
    unit: Unit,
    kind: str,
    points: Decimal,
    reason: str,
    actor: str,
    month: Month,
    wording: NoticeWording,
) -> Recorded:
    """Write one 加减分 (or 单项否决) in ``repo``'s transaction, audited, and queue the notice
    to the unit's liaisons."""
    adjustment = Adjustment(
        unit_id=unit.id,
        month=month.first_day,
        kind=kind,
        points=points,
        reason=reason,
        created_by=actor,
    )
    repo.add(adjustment)
    repo.flush()
    after = {"kind": kind, "points": str(points), "reason": reason, "month": str(month)}
    repo.audit.record(actor, f"adjustment.{kind}", "unit", unit.id, None, after)
    liaisons = repo.users.liaisons_of(unit.id)
    recorded = Recorded(adjustment.id, unit.name, kind, points, reason, month, len(liaisons))
    text = wording.adjustment(recorded)
    for user in liaisons:
        enqueue(repo, f"adjustment:{adjustment.id}:to:{user.telegram_id}", user.telegram_id, text)
    return recorded
