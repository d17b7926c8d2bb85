"""Offices in a tree (issue 16): each office sees only its own units and what is theirs; a
database of the previous release becomes one root office with nothing lost."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.cli import main
from domain.duplicates import similar_titles
from domain.errors import UserError
from domain.offices import add_office, list_offices, resolve_office
from domain.rules import load_rules
from storage.db import Database
from storage.models import (
    Article,
    BulletinDocument,
    BulletinIssue,
    Campaign,
    DataChange,
    Escalation,
    Office,
    Publication,
    Task,
    Unit,
)
from storage.repos import repository
from tests.conftest import EXAMPLES, GAOXIN
from tests.test_storage import at_revision

DEPARTMENT_RULES = EXAMPLES / "rules" / "department-2011.toml"


def ranking(office: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    """``gongkai rank --office`` for January–July 2020, by unit."""
    args = ["rank", "--office", office, "--from", "2020-01", "--to", "2020-07", "--format", "json"]
    assert main(args) == 0
    return {row["unit"]: row for row in json.loads(capsys.readouterr().out)}


@pytest.fixture
def city(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Database:
    """济宁市 with two districts: 高新区 holding seed 002's units and articles, 任城区 the
    same units under the 2011 department scheme with articles of its own."""
    assert main(["office", "rename", "本机关", "济宁市"]) == 0
    assert main(["office", "add", "济宁高新区", "--parent", "济宁市"]) == 0
    assert main(["office", "add", "任城区", "--rules", str(DEPARTMENT_RULES)]) == 0
    assert main(["import", "units", str(GAOXIN / "units.csv"), "--office", "济宁高新区"]) == 0
    assert main(["import", "articles", str(GAOXIN / "articles.csv"), "--office", "济宁高新区"]) == 0
    assert main(["import", "units", str(GAOXIN / "units.csv"), "--office", "任城区"]) == 0
    articles = tmp_path / "rencheng.csv"
    articles.write_text(
        "unit,title,submitted_on,forwarded,published_in\n"
        "党政办公室,任城区一篇,2020-03-02,yes,central\n"
        "党政办公室,任城区两篇,2020-03-03,yes,department_bulletin;province_network\n",
        encoding="utf-8",
    )
    assert main(["import", "articles", str(articles), "--office", "任城区"]) == 0
    capsys.readouterr()
    return db


def test_each_office_ranks_only_its_own_units_under_its_own_rules(
    city: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    gaoxin = ranking("济宁高新区", capsys)
    rencheng = ranking("任城区", capsys)
    jining = ranking("济宁市", capsys)
    # Seed 002's figures, untouched by another office with the same unit names.
    assert gaoxin["党政办公室"]["score"] == 30 and len(gaoxin) == 25
    # 20 for 中办国办, then the highest of 6 and 0.5: the 2011 scheme, not the default one.
    assert rencheng["党政办公室"]["score"] == 26 and rencheng["党政办公室"]["submitted"] == 2
    assert sum(row["submitted"] for row in rencheng.values()) == 2
    # The city's units are its districts, which have sent the city nothing yet.
    assert set(jining) == {"济宁高新区", "任城区"}
    assert all(row["submitted"] == 0 for row in jining.values())


def test_rules_of_one_office_never_rescore_another(
    city: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with city.session() as session:
        before = dict(session.execute(select(Article.id, Article.points)).all())
    for office in ("济宁市", "任城区", "济宁高新区", "任城区"):
        ranking(office, capsys)
    with city.session() as session:
        after = dict(session.execute(select(Article.id, Article.points)).all())
        rescored = session.scalar(
            text("SELECT count(*) FROM audit_log WHERE action = 'article.rescore'")
        )
    assert after == before and rescored == 0
    rencheng = resolve_office(city, "任城区")
    with city.session() as session:
        theirs = session.scalars(
            select(Article.points).join(Unit).where(Unit.office_id == rencheng.id)
        ).all()
    assert sorted(theirs) == [6, 20]  # the 2011 scheme's, not the default's


def test_another_offices_articles_cannot_be_found_by_number_or_listed(city: Database) -> None:
    gaoxin = resolve_office(city, "济宁高新区")
    rencheng = resolve_office(city, "任城区")
    with city.session() as session:
        theirs = session.scalar(
            select(Article.id).join(Unit).where(Unit.office_id == rencheng.id).limit(1)
        )
        session.execute(text("UPDATE articles SET status = 'submitted'"))
    assert theirs is not None
    with repository(city.scoped(gaoxin.id)) as repo:
        assert repo.articles.get(theirs) is None
        waiting, total = repo.articles.pending(100)
        assert total == 17 and {a.unit.office_id for a in waiting} == {gaoxin.id}
        assert all(unit.office_id == gaoxin.id for unit in repo.units.ordered())
        assert repo.units.by_name("党政办公室").office_id == gaoxin.id  # type: ignore[union-attr]
    with repository(city.scoped(rencheng.id)) as repo:
        assert repo.articles.get(theirs) is not None
        assert repo.articles.pending(100)[1] == 2
    with repository(city) as repo:  # unscoped: the root office, 济宁市
        assert repo.articles.get(theirs) is None and repo.articles.pending(100)[1] == 0


def test_one_task_table_imported_by_two_offices_gives_each_its_own_tasks(
    city: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "部分,工作任务,牵头部门,责任单位,具体要求\n一、公开,（一）政策,党政办公室,财政金融局,按时公开\n",
        encoding="utf-8",
    )
    for office in ("济宁高新区", "任城区"):
        args = ["import", "tasks", "--year", "2021", str(tasks), "--office", office]
        assert main(args) == 0
    with city.session() as session:
        owners = session.execute(select(Task.office_id, func.count()).group_by(Task.office_id))
        assert sorted(n for _, n in owners) == [1, 1]
    capsys.readouterr()
    assert main(["ledger", "--year", "2021", "--office", "任城区", "--format", "json"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert {line["unit"] for line in lines} == {"党政办公室", "财政金融局"}
    assert main(["ledger", "--year", "2021", "--office", "济宁市", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_month_published_by_one_office_is_not_locked_for_another(
    city: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gaoxin = resolve_office(city, "济宁高新区")
    with city.session() as session:
        session.add(
            BulletinIssue(
                office_id=gaoxin.id, month=dt.date(2020, 3, 1), status="issued", created_by="t"
            )
        )
    late = tmp_path / "late.csv"
    late.write_text(
        "unit,title,submitted_on,forwarded,published_in\n党政办公室,三月补报,2020-03-20,no,\n",
        encoding="utf-8",
    )
    assert main(["import", "articles", str(late), "--office", "任城区"]) == 0
    assert main(["import", "articles", str(late), "--office", "济宁高新区"]) == 1
    assert "已发布" in capsys.readouterr().err


def test_with_several_offices_a_command_must_name_one(
    city: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank"]) == 1
    assert "请用 --office 指定" in capsys.readouterr().err
    assert main(["rank", "--office", "高新区"]) == 1
    assert "您是不是要找：济宁高新区" in capsys.readouterr().err


def test_adding_an_office_refuses_bad_input_and_changes_nothing(
    city: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_rules = tmp_path / "bad.toml"
    bad_rules.write_text("[scoring\n", encoding="utf-8")
    before = list_offices(city)
    attempts = [
        (["office", "add", "任城区"], "已存在"),
        (["office", "add", "兖州区", "--parent", "不存在"], "没有名为“不存在”的机关"),
        (["office", "add", "兖州区", "--rules", str(bad_rules)], "bad.toml 第 1 行"),
        (["office", "add", "兖州区", "--rules", str(tmp_path / "none.toml")], "文件不存在"),
        (["office", "add", "长" * 101], "机关名称过长"),
        (["office", "add", "  "], "机关名称不能为空"),
        (["office", "add", "<b>兖州区</b>"], "不能包含"),
        (["office", "add", "兖州区", "--unit", "兖州区政府"], "没有名为“兖州区政府”的单位"),
        (["office", "add", "兖州区", "--unit", "长" * 5000], "没有名为“" + "长" * 40 + "…”的单位"),
        (["office", "add", "兖州区", "--unit", "\x01\x07兖州\u200b"], "没有名为“兖州”的单位"),
        (["office", "rename", "任城区", "济宁高新区"], "已存在"),
    ]
    for args, message in attempts:
        assert main(args) == 1, args
        assert message in capsys.readouterr().err, args
    assert list_offices(city) == before
    with city.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "兖州区")) == 0
        )


def test_an_office_takes_over_the_unit_its_parent_already_has(db: Database, tmp_path: Path) -> None:
    with repository(db) as repo:
        root = repo.offices.current_id()
    units = tmp_path / "units.csv"
    units.write_text("name,category\n济宁高新区,功能区\n任城区,县市区\n", encoding="utf-8")
    assert main(["import", "units", str(units)]) == 0
    office = add_office(db, "济宁高新区", None, None, "t")
    assert office.parent == "本机关" and office.unit_name == "济宁高新区"
    with db.session() as session:
        unit = session.scalar(select(Unit).where(Unit.name == "济宁高新区"))
        assert unit is not None and unit.office_id == root and unit.category == "功能区"
        assert session.scalar(select(func.count()).select_from(Unit)) == 2
    with pytest.raises(UserError, match="已存在"):
        add_office(db, "济宁高新区", None, None, "t")
    office = add_office(db, "任城", None, None, "t", unit_name="任城区")
    assert office.unit_name == "任城区"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 2
    with pytest.raises(UserError, match="已是另一机关"):
        add_office(db, "任城区人民政府", None, None, "t", unit_name="任城区")


def test_upgrading_a_database_of_the_previous_release_makes_one_root_office(env: str) -> None:
    database = Database(env)
    with at_revision(database, "0016") as connection:
        statements = [
            "INSERT INTO articles (id, unit_id, title, title_key, year, submitted_on, status, "
            "points, created_at) VALUES (1, 1, '一篇', '一篇', 2020, '2020-03-01', 'published', "
            "4000, '2020-03-01 00:00:00')",
            "INSERT INTO publications (id, article_id, platform, recorded_by, created_at) "
            "VALUES (1, 1, 'national', 't', '2020-03-02 00:00:00')",
            "INSERT INTO tasks (id, key, year, position, section, subsection, title, requirement, "
            "lead_text, responsible_text, source, created_at) VALUES (1, 'k', 2021, 1, '一', '', "
            "'', '要求', '', '', 't', '2021-01-01 00:00:00')",
            "INSERT INTO campaigns (id, title, kind, deadline, created_by, created_at) "
            "VALUES (1, '年报', 'file', '2021-01-31', 't', '2021-01-01 00:00:00')",
            "INSERT INTO bulletin_issues (id, month, status, created_by, created_at) "
            "VALUES (1, '2020-03-01', 'issued', 't', '2020-04-03 00:00:00')",
            "INSERT INTO bulletin_documents (month, file_name, content, uploaded_by, uploaded_at) "
            "VALUES ('2020-03-01', 'a.docx', :blob, 't', '2020-04-02 00:00:00')",
            "INSERT INTO escalations (id, unit_id, month, kind, year, number, streak, created_at) "
            "VALUES (1, 1, '2020-05-01', 'supervision', 2020, 1, 2, '2020-06-03 00:00:00')",
            "INSERT INTO data_changes (id, month, description, changed_by, changed_at) "
            "VALUES (1, '2020-03-01', '更正', 't', '2020-04-05 00:00:00')",
        ]
        for statement in statements:
            connection.execute(text(statement), {"blob": b"PK"})
    database.upgrade()
    with database.session() as session:
        offices = session.scalars(select(Office)).all()
        assert [(o.name, o.parent_id) for o in offices] == [("本机关", None)]
        root = offices[0].id
        for model in (
            Unit,
            Task,
            Campaign,
            BulletinIssue,
            BulletinDocument,
            Escalation,
            DataChange,
        ):
            assert session.scalars(select(model.office_id)).all() == [root], model
        assert session.scalar(select(func.count()).select_from(Publication)) == 1
        assert session.scalar(select(Article.points)) == Decimal(40)
    with repository(database) as repo:
        assert repo.bulletins.get(dt.date(2020, 3, 1)) is not None
        assert repo.escalations.next_number(2020) == 2
        assert [u.name for u in repo.units.ordered()] == ["甲局"]
    database.dispose()


def test_upgrading_an_old_sqlite_database_keeps_every_publication(env: str) -> None:
    """Migrations that copy the articles table once deleted its publications on SQLite."""
    database = Database(env)
    with at_revision(database, "0010") as connection:
        connection.execute(
            text(
                "INSERT INTO articles (id, unit_id, title, year, submitted_on, status, points, "
                "created_at) VALUES (1, 1, '一篇', 2020, '2020-03-01', 'published', 40, "
                "'2020-03-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO publications (id, article_id, platform, recorded_by, created_at) "
                "VALUES (1, 1, 'national', 't', '2020-03-02 00:00:00')"
            )
        )
    database.upgrade()
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 1
    database.dispose()


def test_unit_names_are_unique_within_an_office_only(city: Database) -> None:
    with city.session() as session:
        names = session.execute(
            select(Unit.name, func.count()).group_by(Unit.name).having(func.count() > 1)
        ).all()
    assert ("党政办公室", 2) in names
    with pytest.raises(IntegrityError), city.session() as session:
        session.add(Unit(name="济宁高新区", category="功能区", display_order=9))


def test_deployment_commands_need_no_office_and_the_roots_rules_stay_the_environments(
    city: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == 0
    assert "数据库" in capsys.readouterr().out
    assert main(["office", "set", "济宁市", "--rules", str(DEPARTMENT_RULES)]) == 1
    assert "GONGKAI_RULES" in capsys.readouterr().err
    assert main(["office", "set", "济宁高新区", "--bulletin-chat", "-100123"]) == 0
    assert "通报群 -100123" in capsys.readouterr().out
    assert main(["office", "set", "济宁高新区"]) == 1
    assert "至少给出" in capsys.readouterr().err


def test_a_title_is_compared_with_its_own_offices_titles_only(city: Database) -> None:
    rencheng = resolve_office(city, "任城区")
    gaoxin = resolve_office(city, "济宁高新区")
    rencheng_rules = load_rules(DEPARTMENT_RULES)
    # Each update is handled with a view of its own: the keys read for one are the office's.
    for _ in range(2):
        found = similar_titles(city.scoped(rencheng.id), rencheng_rules, None, 2020, "任城区一篇")
        assert [(s.unit, s.title) for s in found] == [("党政办公室", "任城区一篇")]
        assert similar_titles(city.scoped(gaoxin.id), load_rules(), None, 2020, "任城区一篇") == []
