"""Articles flowing upward (issue 16): a district's forward is a submission to the city as the
district's article; the city's column publishing it is recorded at the district too, scored by
each level's own rules; a decline at the city is told below."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.errors import UserError
from domain.hierarchy import Hierarchy
from domain.offices import office_view, resolve_office
from domain.review import decline_article, forward_article, get_article, publish_article
from domain.rules import DEFAULT_RULES_TEXT, load_rules
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import Article, BulletinIssue, DataChange, OutboxMessage, Publication
from storage.repos import repository

CITY_ADMIN = 1000
DISTRICT_ADMIN = 4000
LIAISON = 4001
DAY = dt.date(2020, 8, 4)
# The district scores the city's 《政务公开经验做法》 as its own 8-point "jingyan" column.
DISTRICT_RULES = DEFAULT_RULES_TEXT.replace('code = "city"', 'code = "jingyan"').replace(
    "points = 10", "points = 8"
)


@pytest.fixture
def city(db: Database, tmp_path: Path) -> Database:
    """济宁市 (built-in rules) over 济宁高新区 (its own rules), one district unit with a liaison
    and three articles submitted in July."""
    (tmp_path / "district.toml").write_text(DISTRICT_RULES, encoding="utf-8")
    (tmp_path / "units.csv").write_text("name,category\n党政办公室,区直部门\n", encoding="utf-8")
    for command in (
        ["office", "rename", "本机关", "济宁市"],
        ["office", "add", "济宁高新区", "--rules", str(tmp_path / "district.toml")],
        ["import", "units", str(tmp_path / "units.csv"), "--office", "济宁高新区"],
        ["role", "grant", str(DISTRICT_ADMIN), "admin", "--office", "济宁高新区"],
    ):
        assert main(command) == 0, command
    district = district_db(db)
    with repository(district) as repo:
        unit = repo.units.by_name("党政办公室")
        assert unit is not None
        user = repo.users.get_or_create(LIAISON)
        user.unit_id = unit.id
        repo.users.grant(user, "liaison", "t", repo.offices.current_id())
        for n, title in enumerate(["高新区四项新举措", "高新区第二篇", "同名稿件"], start=1):
            repo.add(
                Article(
                    unit_id=unit.id,
                    title=title,
                    title_key=title,
                    year=2020,
                    submitted_on=dt.date(2020, 7, n),
                    submitted_by=LIAISON,
                )
            )
    return db


def district_db(db: Database) -> Database:
    return db.scoped(resolve_office(db, "济宁高新区").id)


def hierarchy(db: Database) -> Hierarchy:
    default = load_rules()
    return Hierarchy(lambda office_id: office_view(db, office_id).rules(default), {CITY_ADMIN})


def article_id(db: Database, title: str, *, copy: bool = False) -> int:
    with db.session() as session:
        query = select(Article.id).where(Article.title == title)
        query = query.where(Article.origin_id.is_not(None) if copy else Article.origin_id.is_(None))
        found = session.scalar(query)
    assert found is not None
    return found


def outbox_to(db: Database, chat_id: int) -> list[str]:
    with db.session() as session:
        query = select(OutboxMessage.text).where(OutboxMessage.chat_id == chat_id)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def forward(db: Database, title: str) -> int:
    district = district_db(db)
    rules = hierarchy(db).rules_of(resolve_office(db, "济宁高新区").id)
    origin = article_id(db, title)
    forward_article(
        district, rules, origin, DISTRICT_ADMIN, CHAT_WORDING, False, hierarchy(db), DAY
    )
    return article_id(db, title, copy=True)


def test_a_forwarded_article_becomes_the_districts_submission_to_the_city(city: Database) -> None:
    copy = forward(city, "高新区四项新举措")
    seen = get_article(city, copy)  # the city's own view
    assert (seen.unit, seen.status, seen.submitted_on) == ("济宁高新区", "submitted", DAY)
    with city.session() as session:
        row = session.get(Article, copy)
        assert row is not None and row.origin_id == article_id(city, "高新区四项新举措")
        assert row.submitted_by is None  # no liaison of the city's: the district's office sent it
    assert outbox_to(city, CITY_ADMIN) == [
        f"新稿件 #{copy}：济宁高新区《高新区四项新举措》待审核。\n/pending 查看待审核稿件。"
    ]
    assert any("已采用并报送上级平台" in text for text in outbox_to(city, LIAISON))
    # The district never sees the city's copy among its own, nor the city the original.
    with pytest.raises(UserError):
        get_article(district_db(city), copy)
    with pytest.raises(UserError):
        get_article(city, article_id(city, "高新区四项新举措"))


def test_the_citys_column_publishing_it_is_scored_at_both_levels_by_their_own_rules(
    city: Database,
) -> None:
    copy = forward(city, "高新区四项新举措")
    rules = load_rules()
    forward_article(city, rules, copy, CITY_ADMIN, CHAT_WORDING, hierarchy=hierarchy(city))
    outcome = publish_article(
        city, rules, copy, "经验做法", "tg:1000", DAY, CHAT_WORDING, hierarchy=hierarchy(city)
    )
    assert outcome.article.points == Decimal(10)  # the city's rules: 10
    origin = get_article(district_db(city), article_id(city, "高新区四项新举措"))
    assert (origin.status, origin.platforms, origin.points) == ("published", ("jingyan",), 8)
    assert any("被《政务公开经验做法》采用" in text for text in outbox_to(city, LIAISON))
    # Recorded once: the same column again is refused at the city and adds nothing below.
    with pytest.raises(UserError):
        publish_article(
            city, rules, copy, "city", "tg:1000", DAY, CHAT_WORDING, hierarchy=hierarchy(city)
        )
    with city.session() as session:
        assert len(session.scalars(select(Publication)).all()) == 2


def test_a_column_the_districts_rules_do_not_know_is_recorded_at_the_city_only(
    city: Database, tmp_path: Path
) -> None:
    # The district's rules without the 其他国家级报刊 column.
    block = DISTRICT_RULES.index('[[platforms]]\ncode = "national_press"')
    narrow = DISTRICT_RULES[:block] + DISTRICT_RULES[DISTRICT_RULES.index("\n[", block) + 1 :]
    (tmp_path / "narrow.toml").write_text(narrow, encoding="utf-8")
    assert main(["office", "set", "济宁高新区", "--rules", str(tmp_path / "narrow.toml")]) == 0
    copy = forward(city, "高新区第二篇")
    publish_article(
        city,
        load_rules(),
        copy,
        "national_press",
        "tg:1000",
        DAY,
        CHAT_WORDING,
        hierarchy=hierarchy(city),
    )
    origin = get_article(district_db(city), article_id(city, "高新区第二篇"))
    assert origin.platforms == () and origin.status == "forwarded"


def test_a_decline_at_the_city_is_told_to_the_district_and_the_unit(city: Database) -> None:
    copy = forward(city, "高新区第二篇")
    decline_article(city, copy, CITY_ADMIN, CHAT_WORDING)
    told = "稿件 #{}《高新区第二篇》报送济宁市后，济宁市未予采用。".format(
        article_id(city, "高新区第二篇")
    )
    assert told in outbox_to(city, DISTRICT_ADMIN)
    assert told in outbox_to(city, LIAISON)
    origin = get_article(district_db(city), article_id(city, "高新区第二篇"))
    assert origin.status == "forwarded"  # the district did forward it: its score stands


def test_a_title_already_sent_up_this_year_refuses_the_forward_and_changes_nothing(
    city: Database,
) -> None:
    forward(city, "同名稿件")
    district = district_db(city)
    with repository(district) as repo:
        unit = repo.units.by_name("党政办公室")
        assert unit is not None
        repo.add(
            Article(
                unit_id=unit.id,
                title="同名稿件。",
                title_key="同名稿件#2",
                year=2020,
                submitted_on=dt.date(2020, 7, 9),
            )
        )
    second = article_id(city, "同名稿件。")
    rules = hierarchy(city).rules_of(resolve_office(city, "济宁高新区").id)
    with pytest.raises(UserError, match="已收到本机关今年报送的同名稿件"):
        forward_article(
            district, rules, second, DISTRICT_ADMIN, CHAT_WORDING, False, hierarchy(city), DAY
        )
    assert get_article(district, second).status == "submitted"


def test_a_publication_in_a_month_the_district_has_reported_is_kept_as_its_correction(
    city: Database,
) -> None:
    copy = forward(city, "高新区四项新举措")
    with city.session() as session:
        session.add(
            BulletinIssue(
                office_id=resolve_office(city, "济宁高新区").id,
                month=dt.date(2020, 7, 1),
                status="issued",
                created_by="t",
            )
        )
    rules = load_rules()
    forward_article(city, rules, copy, CITY_ADMIN, CHAT_WORDING, hierarchy=hierarchy(city))
    publish_article(
        city, rules, copy, "province", "tg:1000", DAY, CHAT_WORDING, hierarchy=hierarchy(city)
    )
    origin = get_article(district_db(city), article_id(city, "高新区四项新举措"))
    assert origin.points == Decimal(20)
    with city.session() as session:
        changes = session.scalars(select(DataChange)).all()
    assert len(changes) == 1 and changes[0].office_id == resolve_office(city, "济宁高新区").id


def test_the_city_rolls_up_its_districts_from_both_levels(
    city: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = forward(city, "高新区四项新举措")
    forward(city, "高新区第二篇")
    rules = load_rules()
    forward_article(city, rules, copy, CITY_ADMIN, CHAT_WORDING, hierarchy=hierarchy(city))
    publish_article(
        city, rules, copy, "province", "tg:1000", DAY, CHAT_WORDING, hierarchy=hierarchy(city)
    )
    assert main(["office", "add", "任城区"]) == 0
    capsys.readouterr()
    args = ["rollup", "--office", "济宁市", "--from", "2020-01", "--to", "2020-12"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "rank": 1,
        "office": "济宁高新区",
        "submitted": 3,
        "forwarded": 2,
        "sent_up": 2,
        "by_platform": {"city": 0, "province": 1, "national": 0, "national_press": 0},
        "score": 20,
    }
    assert rows[1]["office"] == "任城区" and rows[1]["submitted"] == 0
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "2020年1—12月下级机关信息报送汇总" in table and "济宁高新区" in table
    assert main(["rollup", "--office", "济宁高新区"]) == 0
    assert "本机关没有下级机关" in capsys.readouterr().out


def test_the_citys_bulletin_rolls_up_its_districts_and_a_districts_does_not(
    city: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    copy = forward(city, "高新区四项新举措")
    rules = load_rules()
    forward_article(city, rules, copy, CITY_ADMIN, CHAT_WORDING, hierarchy=hierarchy(city))
    publish_article(
        city, rules, copy, "city", "tg:1000", DAY, CHAT_WORDING, hierarchy=hierarchy(city)
    )
    assert main(["office", "add", "任城区"]) == 0
    capsys.readouterr()
    assert main(["bulletin", "--office", "济宁市", "--month", "2020-08"]) == 0
    text = capsys.readouterr().out
    assert "四、下级机关信息报送情况" in text
    assert (
        "2个下级机关1—8月份共收到所属单位报送信息3篇，采用并上报1篇；向本级报送1篇，被采用1篇。"
        "按本级得分，济宁高新区（10分）居前。任城区本期未向本级报送信息。各下级机关情况见附件4。"
    ) in text
    assert "4. 2020年1—8月下级机关信息报送汇总" in text
    annex = text[text.index("附件4\n") :]
    assert annex.splitlines()[4].split()[:6] == ["1", "济宁高新区", "3", "1", "1", "1"]

    docx = tmp_path / "city.docx"
    args = ["bulletin", "--office", "济宁市", "--month", "2020-08", "--format", "docx"]
    assert main([*args, "-o", str(docx)]) == 0
    from docx import Document

    document = Document(str(docx))
    assert "附件4" in [p.text for p in document.paragraphs]
    last = document.tables[-1]
    assert [c.text for c in last.rows[1].cells][:3] == ["1", "济宁高新区", "3"]

    xlsx = tmp_path / "city.xlsx"
    args[-1] = "xlsx"
    assert main([*args, "-o", str(xlsx)]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx)["附件4 下级机关汇总"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["济宁高新区", 3, 1, 1, 1] in [row[1:6] for row in values]

    assert main(["bulletin", "--office", "济宁高新区", "--month", "2020-08"]) == 0
    district = capsys.readouterr().out
    assert "下级机关" not in district and "附件4" not in district
