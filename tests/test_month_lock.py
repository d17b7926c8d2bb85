"""Month lock: after a month's bulletin, its data changes only by override, told next month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.access import identify
from domain.articles import import_articles
from domain.bulletin import build_bulletin
from domain.errors import ImportRejected, UserError
from domain.monthly import Chats, pending_changes, run_bulletin_cycle
from domain.periods import Month
from domain.review import forward_article, publish_article, submit_article
from domain.rules import Rules
from reports.notices import monthly_renderers
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, RoleGrant, User

TZ = ZoneInfo("Asia/Shanghai")
CHATS = Chats(bulletin=-100, supervision=-200, admins=frozenset({1000}))


def issue_july(db: Database, rules: Rules) -> None:
    now = dt.datetime(2020, 8, 5, 9, 0, tzinfo=TZ)
    assert (
        run_bulletin_cycle(db, rules, now, TZ, CHATS, monthly_renderers(rules)).status == "issued"
    )


def pending_july_article(db: Database, rules: Rules) -> int:
    with db.session() as session:
        session.add(User(telegram_id=3001, full_name="王芳", unit_id=24))
        session.add(RoleGrant(telegram_id=3001, role="liaison", granted_by="t"))
    who = identify(db, 3001, frozenset())
    return submit_article(
        db, rules, who, "七月底的稿件", dt.date(2020, 7, 30), frozenset(), CHAT_WORDING
    ).id


def test_a_reported_month_is_locked_and_override_records_the_change(
    gaoxin: Database, rules: Rules
) -> None:
    article_id = pending_july_article(gaoxin, rules)
    issue_july(gaoxin, rules)
    with pytest.raises(UserError, match="2020年7月的通报已发布，2020年7月的数据已锁定"):
        forward_article(gaoxin, rules, article_id, 1000, CHAT_WORDING)
    with pytest.raises(UserError, match=f"/publish {article_id} city override"):
        publish_article(
            gaoxin, rules, article_id, "city", "tg:1000", dt.date(2020, 8, 6), CHAT_WORDING
        )
    forward_article(gaoxin, rules, article_id, 1000, CHAT_WORDING, override=True)
    changes = pending_changes(gaoxin, Month(2020, 8))
    assert [text for _, text in changes] == [
        f"#{article_id}《七月底的稿件》（柳行街道，2020年7月）：待审核、0分 → 已上报，待刊发、2分"
    ]
    with gaoxin.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "article.forward")
        ).one()
        assert entry.after is not None and entry.after["override"] == "2020-07"


def test_the_next_bulletin_tells_what_changed(gaoxin: Database, rules: Rules) -> None:
    article_id = pending_july_article(gaoxin, rules)
    issue_july(gaoxin, rules)
    forward_article(gaoxin, rules, article_id, 1000, CHAT_WORDING, override=True)
    now = dt.datetime(2020, 9, 3, 9, 0, tzinfo=TZ)
    run_bulletin_cycle(gaoxin, rules, now, TZ, CHATS, monthly_renderers(rules))
    with gaoxin.session() as session:
        message = session.scalars(
            select(OutboxMessage.text).where(OutboxMessage.key == "bulletin:2020-08:message")
        ).one()
    assert "、上期通报后更正的数据</b>" in message
    assert f"#{article_id}《七月底的稿件》（柳行街道，2020年7月）" in message
    assert pending_changes(gaoxin, Month(2020, 9)) == []  # told once
    september = build_bulletin(gaoxin, rules, Month(2020, 9), dt.date(2020, 10, 12))
    assert september.changes == []


def test_importing_into_a_locked_month_needs_override(
    gaoxin: Database, rules: Rules, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issue_july(gaoxin, rules)
    content = "unit,title,submitted_on,forwarded,published_in\n柳行街道,补录,2020-07-10,yes,\n"
    with pytest.raises(ImportRejected, match="第 2 行：2020年7月的通报已发布"):
        import_articles(gaoxin, "late.csv", content.encode(), rules, "t")
    path = tmp_path / "late.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["import", "articles", str(path)]) == 1
    assert main(["import", "articles", str(path), "--override"]) == 0
    assert "新增 1 篇" in capsys.readouterr().out
    assert [t for _, t in pending_changes(gaoxin, Month(2020, 8))] == [
        "导入 " + str(path) + " 第 2 行：柳行街道《补录》"
    ]
    # August data is not locked by July's bulletin
    import_articles(
        gaoxin,
        "aug.csv",
        "unit,title,submitted_on,forwarded,published_in\n柳行街道,八月稿,2020-08-03,no,\n".encode(),
        rules,
        "t",
    )
