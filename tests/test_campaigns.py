"""催报 in the domain, on an injected clock: targets, reminders by working day, escalation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.access import Identity
from domain.campaigns import answer_campaign, open_campaign, run_campaign_followup
from domain.errors import UserError
from domain.monthly import Chats
from domain.rules import Rules
from domain.workdays import working_days_before
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import OutboxMessage, RoleGrant, Unit, User

TZ = ZoneInfo("Asia/Shanghai")
CHATS = Chats(bulletin=-100, supervision=-200, admins=frozenset({1000}))


def bind(db: Database, name: str, telegram_id: int) -> Identity:
    with db.session() as session:
        unit = session.scalars(select(Unit).where(Unit.name == name)).one()
        session.add(User(telegram_id=telegram_id, full_name="联络员", unit_id=unit.id))
        session.add(RoleGrant(telegram_id=telegram_id, role="liaison", granted_by="t"))
        return Identity(telegram_id, frozenset({"liaison"}), unit.id, name)


def keys(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))


def test_working_days_before_a_deadline_skip_the_spring_festival() -> None:
    # 2021-02-19 (Friday); 11–17 February is the holiday, Sunday the 7th a make-up working day.
    assert working_days_before(dt.date(2021, 2, 19), 1) == dt.date(2021, 2, 18)
    assert working_days_before(dt.date(2021, 2, 19), 2) == dt.date(2021, 2, 10)
    assert working_days_before(dt.date(2021, 2, 19), 5) == dt.date(2021, 2, 7)


def test_a_late_start_sends_only_the_latest_reminder_due(
    yanshi: Database, yanshi_rules: Rules
) -> None:
    bind(yanshi, "统计局", 5001)
    opened = open_campaign(
        yanshi,
        yanshi_rules,
        "年报",
        dt.date(2021, 1, 29),
        "category:市直单位",
        "file",
        "t",
        CHAT_WORDING,
    )
    assert opened.units == 31
    at = dt.datetime(2021, 1, 28, 10, 0, tzinfo=TZ)  # down since before the 22nd
    assert run_campaign_followup(yanshi, yanshi_rules, at, TZ, CHATS, CHAT_WORDING) == 1
    assert run_campaign_followup(yanshi, yanshi_rules, at, TZ, CHATS, CHAT_WORDING) == 0
    assert [k for k in keys(yanshi) if ":remind:" in k] == [
        f"campaign:{opened.id}:remind:1:{_unit_id(yanshi, '统计局')}:to:5001"
    ]


def test_escalation_goes_once_and_only_when_units_are_missing(
    yanshi: Database, yanshi_rules: Rules
) -> None:
    police = bind(yanshi, "公安局", 5002)
    opened = open_campaign(
        yanshi, yanshi_rules, "材料", dt.date(2021, 1, 29), "公安局", "text", "t", CHAT_WORDING
    )
    answer_campaign(yanshi, police, opened.id, dt.date(2021, 1, 20), text="已报送材料")
    after = dt.datetime(2021, 2, 1, 9, 0, tzinfo=TZ)
    assert run_campaign_followup(yanshi, yanshi_rules, after, TZ, CHATS, CHAT_WORDING) == 0
    other = open_campaign(
        yanshi, yanshi_rules, "材料二", dt.date(2021, 1, 29), "统计局", "text", "t", CHAT_WORDING
    )
    assert run_campaign_followup(yanshi, yanshi_rules, after, TZ, CHATS, CHAT_WORDING) == 1
    assert run_campaign_followup(yanshi, yanshi_rules, after, TZ, CHATS, CHAT_WORDING) == 0
    assert f"campaign:{other.id}:overdue:to:-200" in keys(yanshi)


def test_answers_must_be_of_the_kind_asked(yanshi: Database, yanshi_rules: Rules) -> None:
    police = bind(yanshi, "公安局", 5002)
    text = open_campaign(
        yanshi, yanshi_rules, "说明", dt.date(2021, 1, 29), "公安局", "text", "t", CHAT_WORDING
    )
    file = open_campaign(
        yanshi, yanshi_rules, "文件", dt.date(2021, 1, 29), "公安局", "file", "t", CHAT_WORDING
    )
    with pytest.raises(UserError, match="需要报送文字材料"):
        answer_campaign(yanshi, police, text.id, dt.date(2021, 1, 20), file=("f1", "a.pdf"))
    with pytest.raises(UserError, match="需要报送文件"):
        answer_campaign(yanshi, police, file.id, dt.date(2021, 1, 20), text="文字")
    with pytest.raises(UserError, match="文字过长"):
        answer_campaign(yanshi, police, text.id, dt.date(2021, 1, 20), text="字" * 4001)


def test_command_line_opens_a_campaign_and_shows_its_status(
    yanshi: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        main(
            [
                "campaign",
                "open",
                "--title",
                "2020年年报",
                "--deadline",
                "2099-01-31",
                "--units",
                "伊洛街道、首阳山街道",
                "--kind",
                "template",
            ]
        )
        == 0
    )
    assert "已发起催报 C1《2020年年报》：2 个单位，截止 2099-01-31" in capsys.readouterr().out
    assert main(["campaign", "status", "C1"]) == 0
    out = capsys.readouterr().out
    assert "伊洛街道" in out and "未报送" in out
    assert main(["campaign", "open", "--title", " ", "--deadline", "2099-01-31"]) == 1
    assert "催报事项名称不能为空" in capsys.readouterr().err


def _unit_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Unit.id).where(Unit.name == name)).one()
