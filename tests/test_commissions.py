"""约稿: an article asked of named units by a deadline scores the commission's points once
adopted; sending nothing, or sending late, costs the unit the penalty once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.access import Identity
from domain.bulletin import build_bulletin, scoring_rules_text
from domain.campaigns import answer_campaign, open_campaign, run_campaign_followup
from domain.commissions import answer_commission
from domain.errors import UserError
from domain.monthly import Chats
from domain.periods import Month, Period
from domain.ranking import rank_units
from domain.review import forward_article, publish_article
from domain.rules import Rules, load_rules
from domain.scoring import rescore_if_rules_changed
from domain.units import import_units
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import Adjustment, Article, AuditEntry, OutboxMessage, Unit
from tests.conftest import EXAMPLES
from tests.test_campaigns import bind

TZ = ZoneInfo("Asia/Shanghai")
CHATS = Chats(bulletin=-100, supervision=-200, admins=frozenset({1000}))
UNITS = "name,category\n甲局,区直部门\n乙局,区直部门\n丙街道,街道\n"
DEADLINE = dt.date(2020, 7, 10)
JULY = Period(Month(2020, 7), Month(2020, 7))


@pytest.fixture
def scheme() -> Rules:
    return load_rules(EXAMPLES / "rules" / "city-2008-sum.toml")


def answer(db: Database, rules: Rules, who: Identity, campaign: int, title: str, day: int) -> int:
    done = answer_commission(
        db, rules, who, campaign, title, dt.date(2020, 7, day), [1000], CHAT_WORDING
    )
    return done.article.id


def adopt(db: Database, rules: Rules, article_id: int, column: str) -> Decimal:
    forward_article(db, rules, article_id, 1000, CHAT_WORDING)
    done = publish_article(
        db, rules, article_id, column, "test", dt.date(2020, 7, 20), CHAT_WORDING
    )
    return done.article.points


def penalties(db: Database) -> list[tuple[str, Decimal, str]]:
    with db.session() as session:
        rows = session.execute(
            select(Unit.name, Adjustment.points, Adjustment.reason)
            .join(Unit, Unit.id == Adjustment.unit_id)
            .order_by(Adjustment.id)
        )
        return [(name, points, reason) for name, points, reason in rows]


def test_a_commission_answered_scores_its_points_and_the_missing_and_late_are_penalised(
    db: Database, scheme: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    first, second = bind(db, "甲局", 5001), bind(db, "乙局", 5002)
    opened = open_campaign(
        db, scheme, "优化营商环境经验做法", DEADLINE, "all", "article", "t", CHAT_WORDING
    )
    on_time = answer(db, scheme, first, opened.id, "甲局优化营商环境的三项举措", 8)
    late = answer(db, scheme, second, opened.id, "乙局优化营商环境经验", 12)
    answer(db, scheme, second, opened.id, "乙局优化营商环境经验（修改稿）", 13)  # once only

    # Adopted by a column paying 2 (sum of one), a 约稿 scores the commission's 5 instead.
    assert adopt(db, scheme, on_time, "city_morning") == 5
    assert adopt(db, scheme, late, "portal_picture") == 5
    after = dt.datetime(2020, 7, 13, 9, 0, tzinfo=TZ)
    run_campaign_followup(db, scheme, after, TZ, CHATS, CHAT_WORDING)
    run_campaign_followup(db, scheme, after, TZ, CHATS, CHAT_WORDING)
    reason = f"约稿 C{opened.id}《优化营商环境经验做法》"
    assert penalties(db) == [
        ("乙局", Decimal(-10), f"{reason}逾期报送"),
        ("丙街道", Decimal(-10), f"{reason}未按期报送"),
    ]
    scores = {row.unit: row.score for row in rank_units(db, scheme, JULY).rows}
    assert scores == {"甲局": 5, "乙局": -5, "丙街道": -10}
    with db.session() as session:
        told = session.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == 5002))
        assert any("扣10分" in text and "逾期报送" in text for text in told)
        audited = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "adjustment.penalty")
        ).all()
    assert audited == ["system", "system"]
    bulletin = build_bulletin(db, scheme, Month(2020, 7), dt.date(2020, 8, 5))
    assert (
        "四、本月加减分情况",
        [
            f"乙局：扣10分（{reason}逾期报送）。",
            f"丙街道：扣10分（{reason}未按期报送）。",
        ],
    ) in bulletin.later_sections


def test_the_higher_counts_when_the_rules_say_so_and_a_rescore_agrees(
    db: Database, scheme: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    first = bind(db, "甲局", 5001)
    opened = open_campaign(db, scheme, "约稿", DEADLINE, "甲局", "article", "t", CHAT_WORDING)
    article_id = answer(db, scheme, first, opened.id, "甲局的做法", 1)
    assert adopt(db, scheme, article_id, "state_council") == 5  # the commission's, not 10
    dumped = scheme.model_dump()
    higher = Rules.model_validate(
        {**dumped, "commissions": {**dumped["commissions"], "higher": True}}
    )
    assert rescore_if_rules_changed(db, scheme, "test") == 1  # records the first fingerprint
    assert rescore_if_rules_changed(db, higher, "test") == 1
    with db.session() as session:
        assert session.get(Article, article_id).points == 10  # type: ignore[union-attr]
    assert "约稿信息采用一篇计5分（刊发平台分值更高的，按刊发平台计分）" in scoring_rules_text(
        higher
    )
    assert "约稿不报或迟报的，每次倒扣10分" in scoring_rules_text(scheme)


def test_a_commission_is_answered_with_an_article_and_nothing_else(
    db: Database, scheme: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    first = bind(db, "甲局", 5001)
    opened = open_campaign(db, scheme, "约稿", DEADLINE, "乙局", "article", "t", CHAT_WORDING)
    with pytest.raises(UserError, match="不需要甲局报送"):
        answer(db, scheme, first, opened.id, "甲局的做法", 1)
    text = open_campaign(db, scheme, "材料", DEADLINE, "甲局", "text", "t", CHAT_WORDING)
    with pytest.raises(UserError, match="不是约稿"):
        answer(db, scheme, first, text.id, "甲局的做法", 1)
    own = open_campaign(db, scheme, "约稿二", DEADLINE, "甲局", "article", "t", CHAT_WORDING)
    with pytest.raises(UserError, match="是约稿，请报送稿件"):
        answer_campaign(db, first, own.id, dt.date(2020, 7, 1), text="一段文字")
    with pytest.raises(UserError, match="标题为空"):
        answer(db, scheme, first, own.id, "  ", 1)
    with db.session() as session:
        assert session.scalars(select(Article.id)).all() == []
