"""The monthly routine on an injected clock: due dates, streaks, numbering, approval, restarts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.articles import import_articles
from domain.errors import UserError
from domain.monthly import Chats, decide_held_bulletin, run_bulletin_cycle, run_reminders
from domain.periods import Month
from domain.rules import Rules
from domain.units import import_units
from reports.notices import monthly_renderers
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import BulletinIssue, Escalation, OutboxMessage, RoleGrant, User

TZ = ZoneInfo("Asia/Shanghai")
CHATS = Chats(bulletin=-100, supervision=-200, admins=frozenset({1000}))


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def cycle(db: Database, rules: Rules, now: dt.datetime) -> object:
    return run_bulletin_cycle(db, rules, now, TZ, CHATS, monthly_renderers(rules))


def keys(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))


def test_bulletin_waits_for_the_third_working_day_at_nine(gaoxin: Database, rules: Rules) -> None:
    assert cycle(gaoxin, rules, at(2020, 8, 4, 18)).status is None  # type: ignore[attr-defined]
    assert cycle(gaoxin, rules, at(2020, 8, 5, 8, 59)).status is None  # type: ignore[attr-defined]
    assert keys(gaoxin) == []


def test_bulletin_is_issued_once_whatever_runs_again(gaoxin: Database, rules: Rules) -> None:
    first = cycle(gaoxin, rules, at(2020, 8, 5, 9, 0))
    assert first.status == "issued"  # type: ignore[attr-defined]
    again = cycle(gaoxin, rules, at(2020, 8, 5, 9, 5))
    assert again.status == "already"  # type: ignore[attr-defined]
    queued = keys(gaoxin)
    assert queued[:5] == [
        "bulletin:2020-07:message",
        "bulletin:2020-07:docx",
        "bulletin:2020-07:xlsx",
        "bulletin:2020-07:png",
        "bulletin:2020-07:trend",
    ]
    assert queued.count("circular:2020-07") == 1
    # 督办单 go to the 督查室's chat (no liaisons are bound in this data set)
    notices = [k for k in queued if k.startswith("escalation:")]
    assert len(notices) == 3 and all(k.endswith(":to:-200") for k in notices)
    assert len(queued) == len(set(queued))


def test_a_bot_that_was_down_issues_the_missed_bulletin_when_it_starts(
    gaoxin: Database, rules: Rules
) -> None:
    assert cycle(gaoxin, rules, at(2020, 8, 20, 15)).status == "issued"  # type: ignore[attr-defined]
    with gaoxin.session() as session:
        assert session.scalars(select(BulletinIssue.month)).all() == [dt.date(2020, 7, 1)]


def test_an_issue_recorded_but_not_published_is_published_on_the_next_run(
    gaoxin: Database, rules: Rules
) -> None:
    with gaoxin.session() as session:  # a crash right after the issue was recorded
        session.add(BulletinIssue(month=dt.date(2020, 7, 1), status="issued", created_by="t"))
    assert cycle(gaoxin, rules, at(2020, 8, 5, 10)).status == "issued"  # type: ignore[attr-defined]
    assert cycle(gaoxin, rules, at(2020, 8, 5, 11)).status == "already"  # type: ignore[attr-defined]
    assert keys(gaoxin).count("bulletin:2020-07:message") == 1


STREAKS = """name,category
每月都报,区直部门
停一个月,区直部门
停两个月,区直部门
停三个月,街道
停四个月,街道
"""


def load_streaks(db: Database, rules: Rules) -> None:
    import_units(db, "u.csv", STREAKS.encode(), "t")
    last = {"每月都报": 7, "停一个月": 6, "停两个月": 5, "停三个月": 4, "停四个月": 3}
    rows = [
        f"{unit},{unit}{month}月稿,2020-{month:02d}-10,yes,\n"
        for unit, final in last.items()
        for month in range(1, final + 1)
    ]
    header = "unit,title,submitted_on,forwarded,published_in\n"
    import_articles(db, "a.csv", (header + "".join(rows)).encode(), rules, "t")


def escalations(db: Database) -> list[tuple[str, str, str, int | None, int]]:
    with db.session() as session:
        found = session.scalars(select(Escalation).order_by(Escalation.id)).all()
        return [(str(Month.of(e.month)), e.unit.name, e.kind, e.number, e.streak) for e in found]


def test_streaks_of_one_to_four_months_escalate_once_per_unit_month_and_kind(
    db: Database, rules: Rules
) -> None:
    load_streaks(db, rules)
    cycle(db, rules, at(2020, 8, 5))
    assert escalations(db) == [
        ("2020-07", "停两个月", "supervision", 1, 2),
        ("2020-07", "停三个月", "circular", None, 3),
        ("2020-07", "停四个月", "circular", None, 4),
    ]
    cycle(db, rules, at(2020, 8, 6))  # a second run the next day adds nothing
    assert len(escalations(db)) == 3
    cycle(db, rules, at(2020, 9, 3))  # August: nobody submitted anything
    assert escalations(db)[3:] == [
        ("2020-08", "停一个月", "supervision", 2, 2),
        ("2020-08", "停两个月", "circular", None, 3),
        ("2020-08", "停三个月", "circular", None, 4),
        ("2020-08", "停四个月", "circular", None, 5),
    ]


def test_progress_ends_the_streak(db: Database, rules: Rules) -> None:
    load_streaks(db, rules)
    header = "unit,title,submitted_on,forwarded,published_in\n"
    import_articles(
        db, "b.csv", (header + "停两个月,恢复报送,2020-07-20,no,\n").encode(), rules, "t"
    )
    cycle(db, rules, at(2020, 8, 5))
    assert "停两个月" not in [unit for _, unit, _, _, _ in escalations(db)]


def test_approval_holds_everything_that_names_a_unit(gaoxin: Database, rules: Rules) -> None:
    strict = Rules.model_validate(
        {
            **rules.model_dump(),
            "escalation": {**rules.escalation.model_dump(), "require_approval": True},
        }
    )
    assert cycle(gaoxin, strict, at(2020, 8, 5)).status == "held"  # type: ignore[attr-defined]
    assert keys(gaoxin) == ["approval:2020-07:to:1000"]
    with gaoxin.session() as session:
        request = session.scalars(select(OutboxMessage)).one()
        assert request.buttons == [[["发布", "bul:ok:2020-07"], ["暂缓", "bul:no:2020-07"]]]
    renderers = monthly_renderers(strict)
    outcome = decide_held_bulletin(
        gaoxin, strict, Month(2020, 7), True, 1000, dt.date(2020, 8, 5), CHATS, renderers
    )
    assert (outcome.status, outcome.supervised) == ("issued", 3)
    assert "bulletin:2020-07:message" in keys(gaoxin)
    with pytest.raises(UserError, match="2020年7月的通报已发布，无需重复操作"):
        decide_held_bulletin(
            gaoxin, strict, Month(2020, 7), False, 1000, dt.date(2020, 8, 5), CHATS, renderers
        )


def bind(db: Database, unit_id: int, telegram_id: int) -> None:
    with db.session() as session:
        session.add(User(telegram_id=telegram_id, full_name="联络员", unit_id=unit_id))
        session.add(RoleGrant(telegram_id=telegram_id, role="liaison", granted_by="t"))


def test_reminders_go_on_the_fifth_working_day_before_the_month_ends(
    db: Database, rules: Rules
) -> None:
    load_streaks(db, rules)
    for unit_id in range(1, 6):
        bind(db, unit_id, 5000 + unit_id)
    # February 2021: Spring Festival 11–17, make-up working day Saturday the 20th.
    assert run_reminders(db, rules, at(2021, 2, 19, 17), TZ, CHAT_WORDING) == 0
    assert run_reminders(db, rules, at(2021, 2, 22, 9), TZ, CHAT_WORDING) == 5
    assert (
        run_reminders(db, rules, at(2021, 2, 25, 9), TZ, CHAT_WORDING) == 0
    )  # once per unit and month
    header = "unit,title,submitted_on,forwarded,published_in\n"
    import_articles(db, "c.csv", (header + "每月都报,三月稿,2021-03-02,no,\n").encode(), rules, "t")
    # March 2021 has no holiday: the 5th working day before the end is Thursday the 25th.
    assert run_reminders(db, rules, at(2021, 3, 25, 9), TZ, CHAT_WORDING) == 4
    assert "reminder:2021-03:1:to:5001" not in keys(db)


def test_a_year_the_calendar_lacks_warns_the_admins_once(db: Database, rules: Rules) -> None:
    cycle(db, rules, at(2035, 3, 1))
    cycle(db, rules, at(2035, 3, 2))
    assert keys(db).count("alert:calendar:2035:to:1000") == 1


def test_a_bulletin_due_with_no_chat_configured_waits_and_goes_out_once_it_is_set(
    gaoxin: Database, rules: Rules
) -> None:
    nowhere = Chats(bulletin=None, supervision=None, admins=frozenset({1000}))
    render = monthly_renderers(rules)
    for hour in (9, 10):  # due, and the next run: the admins are told once
        outcome = run_bulletin_cycle(gaoxin, rules, at(2020, 8, 5, hour), TZ, nowhere, render)
        assert outcome.status == "waiting"
    queued = keys(gaoxin)
    assert queued.count("alert:unsent:2020-07:to:1000") == 1
    assert not [k for k in queued if k.startswith(("bulletin:", "circular:"))]
    with gaoxin.session() as session:
        issue = session.scalars(select(BulletinIssue)).one()
        assert issue.published_at is None
    assert cycle(gaoxin, rules, at(2020, 8, 6)).status == "issued"  # type: ignore[attr-defined]
    assert cycle(gaoxin, rules, at(2020, 8, 7)).status == "already"  # type: ignore[attr-defined]
    queued = keys(gaoxin)
    assert [k for k in queued if k.startswith("bulletin:")] == [
        "bulletin:2020-07:message",
        "bulletin:2020-07:docx",
        "bulletin:2020-07:xlsx",
        "bulletin:2020-07:png",
        "bulletin:2020-07:trend",
    ]
    assert queued.count("circular:2020-07") == 1
    assert len([k for k in queued if k.startswith("escalation:") and k.endswith(":to:-200")]) == 3
    assert len(queued) == len(set(queued))
