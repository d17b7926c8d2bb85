"""无持续进展 counted truly, and escalation only from the month the office adopted the rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.bulletin import build_bulletin
from domain.monthly import CircularFacts, run_reminders
from domain.periods import Month
from domain.rules import DEFAULT_RULES_TEXT, Rules, RulesError, load_rules
from domain.stagnation import escalation_start, stagnation_streaks, streak_of
from reports.notices import circular_text
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import OutboxMessage, RoleGrant, User
from storage.repos import Repo

TZ = ZoneInfo("Asia/Shanghai")


def since(rules: Rules, month: str | None) -> Rules:
    """``rules`` with ``[escalation] since`` set to ``month``."""
    escalation = rules.escalation.model_copy(update={"since": month})
    return rules.model_copy(update={"escalation": escalation})


def test_a_unit_idle_for_years_is_counted_for_years(gaoxin: Database, rules: Rules) -> None:
    streak = streak_of(gaoxin, "柳行街道", Month(2026, 10), rules)
    assert streak.months == 82  # January 2020 to October 2026: no cap at 24
    assert streak.idle_since == Month(2020, 1)
    assert streak.wording == "自2020年1月以来无报送"
    recent = streak_of(gaoxin, "柳行街道", Month(2020, 7), rules)
    assert (recent.months, recent.wording) == (7, "连续7个月无持续进展")


def test_escalation_counts_only_the_months_since_the_rule_applied(
    gaoxin: Database, rules: Rules
) -> None:
    july = {s.unit: s for s in stagnation_streaks(gaoxin, Month(2020, 7), since(rules, "2020-07"))}
    assert (july["柳行街道"].months, july["柳行街道"].counted) == (7, 1)
    assert july["柳行街道"].counted_next == 2
    first = build_bulletin(gaoxin, since(rules, "2020-07"), Month(2020, 7), dt.date(2020, 8, 5))
    assert first.supervised == [] and first.circulated == []
    second = build_bulletin(gaoxin, since(rules, "2020-07"), Month(2020, 8), dt.date(2020, 9, 3))
    assert "柳行街道" in second.supervised and second.circulated == []
    assert "党工委政法委" not in second.supervised  # it submitted in July


def test_by_default_escalation_starts_when_the_system_first_recorded_an_article(
    gaoxin: Database,
) -> None:
    rules = load_rules()
    assert rules.escalation.since is None
    with gaoxin.session() as session:
        recorded = Repo(session).articles.first_recorded()
    assert recorded is not None
    today = recorded.replace(tzinfo=recorded.tzinfo or dt.UTC).astimezone(TZ).date()
    assert escalation_start(gaoxin, rules) == Month.of(today)
    # History imported today for July 2020: the office's first bulletin names nobody.
    bulletin = build_bulletin(gaoxin, rules, Month(2020, 7), dt.date(2020, 8, 5))
    assert bulletin.supervised == [] and bulletin.circulated == []


def test_since_must_be_a_month(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        DEFAULT_RULES_TEXT.replace("[escalation]\n", '[escalation]\nsince = "2020-13"\n'),
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match=r"escalation\.since"):
        load_rules(path)


def test_the_circular_names_long_streaks_by_the_month_they_began() -> None:
    facts = CircularFacts(
        name="全区通报",
        month=Month(2026, 10),
        units=[("柳行街道", 82), ("经济发展局", 3)],
        office="党政办督查室",
        recipients="各单位",
        threshold=3,
        issued_on=dt.date(2026, 11, 4),
    )
    text = circular_text(facts)
    assert "柳行街道（自2020年1月以来）、经济发展局（连续3个月）" in text
    assert "连续3个月以上" in text
    assert text.endswith("党政办督查室\n2026年11月4日")


def test_a_reminder_says_where_the_unit_stands(gaoxin: Database, rules: Rules) -> None:
    with gaoxin.session() as session:
        repo = Repo(session)
        for n, name in enumerate(["柳行街道", "公安分局", "党工委政法委"]):
            unit = repo.units.by_name(name)
            assert unit is not None
            session.add(User(telegram_id=8000 + n, full_name=name, unit_id=unit.id))
            session.add(RoleGrant(telegram_id=8000 + n, role="liaison", granted_by="t"))
    run_reminders(gaoxin, rules, dt.datetime(2020, 8, 25, 9, tzinfo=TZ), TZ, CHAT_WORDING)
    with gaoxin.session() as session:
        texts = {
            m.key.split(":to:")[1]: m.text
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.key.like("reminder:%"))
            )
        }
    # Idle since January, counted since May: a 全区通报 already, and again if August stays empty.
    assert "截至上月已连续7个月无持续进展。本月仍无进展将再次予以全区通报。" in texts["8000"]
    # Idle June and July: 督办 in July, 全区通报 if August stays empty.
    assert "本月仍无进展将予以全区通报。" in texts["8001"]
    assert "再次" not in texts["8001"]
    # Submitted in July: only the rule.
    assert "截至上月" not in texts["8002"]
    assert "连续2个月无持续进展将由党政办督查室下发督办单" in texts["8002"]
