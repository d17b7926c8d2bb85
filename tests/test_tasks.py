"""任务分解表 import (seed 001): names matched to units, all or nothing; the 台账 exports."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from domain.access import Identity
from domain.errors import ImportRejected
from domain.ledger import ledger_rows
from domain.progress import record_progress
from domain.rules import Collective, Rules
from domain.tasks import import_tasks, parse_deadline
from domain.unit_lists import KnownUnit, UnitLists
from storage.db import Database
from storage.models import ProgressReport, Task, TaskAssignment, Unit
from tests.conftest import JINING

HEADER = "部分,工作任务,牵头部门,责任单位,具体要求,完成时限\n"


def units_of(db: Database, requirement_start: str) -> dict[str, str]:
    with db.session() as session:
        task = session.scalars(
            select(Task).where(Task.requirement.startswith(requirement_start))
        ).one()
        return {a.unit.name: a.role for a in task.assignments}


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def category(db: Database, name: str) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(Unit.name).where(Unit.category == name)))


def test_seed_001_table_imports_with_every_task_and_unit(jining: Database) -> None:
    assert count(jining, Task) == 66
    with jining.session() as session:
        sections = list(session.scalars(select(Task.section).distinct()))
    assert len(sections) == 5
    first = units_of(jining, "县级以上政府要主动公开本地区")
    assert first["市发展改革委"] == first["市自然资源和规划局"] == "lead"
    # 市政府有关部门、单位 + 各县（市、区）政府 + the three 管委会 named with one shared suffix
    expected = (
        category(jining, "市政府部门")
        | category(jining, "市政府事业单位")
        | category(jining, "县市区")
        | {"济宁高新区管委会", "太白湖新区管委会", "济宁经济技术开发区管委会"}
    )
    assert set(first) == expected
    assert "市委宣传部" not in first


def test_shared_suffix_names_only_the_units_written(jining: Database) -> None:
    traffic = units_of(jining, "坚决打好“治堵”攻坚战")
    assert traffic["任城区政府"] == traffic["兖州区政府"] == "responsible"
    assert "曲阜市政府" not in traffic
    assert traffic["市公安局"] == "lead"


def test_lead_named_inside_a_collective_keeps_the_lead_role(jining: Database) -> None:
    culture = units_of(jining, "打造世界儒学研究交流传播高地")
    assert culture["曲阜市政府"] == "lead"
    assert culture["曲阜文化建设示范区推进办公室"] == "lead"
    assert culture["市委宣传部"] == "lead"
    assert "任城区政府" not in culture  # 责任单位 is only 市政府有关部门、单位


def test_collective_with_units_and_categories(jining: Database) -> None:
    ipv6 = units_of(jining, "2021年年底前，确保全市所有县级以上政府门户网站")
    assert ipv6["市政府办公室"] == "lead"
    assert ipv6["泗水县政府"] == "lead"  # 市、县级政府办公室


def test_unknown_names_are_reported_with_their_lines_and_nothing_is_imported(
    db: Database, jining_rules: Rules, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "units", str(JINING / "units.csv")]) == 0
    path = tmp_path / "tasks.csv"
    path.write_text(
        HEADER
        + "一、公开,,,,,\n"
        + ",（一）甲,市发展改革委,任城区、兖州区政府,要求一,\n"
        + ",,市发改委,市教育局、市体育厅,要求二,\n"
        + ",,市教育局,各乡镇政府,要求三,明年某日\n"
        + ",,,市教育局,要求四,\n",
        encoding="utf-8",
    )
    assert main(["import", "tasks", "--year", "2021", str(path)]) == 1
    err = capsys.readouterr().err
    assert "第 4 行：牵头部门中的“市发改委”不是已知单位" in err
    assert "第 4 行：责任单位中的“市体育厅”不是已知单位（是否指：市体育局" in err
    assert "第 5 行：责任单位中的“各乡镇政府”不是已知单位" in err
    assert "第 5 行：完成时限“明年某日”无法识别" in err
    assert "第 6 行：牵头部门为空" in err
    assert "第 3 行" not in err
    assert count(db, Task) == 0 and count(db, TaskAssignment) == 0


def test_collective_naming_an_empty_category_is_an_error(db: Database, rules: Rules) -> None:
    lists = UnitLists(
        [KnownUnit(1, "甲局", "区直部门")], {"各街道办事处": Collective(categories=("街道",))}
    )
    found = lists.resolve("甲局，各街道办事处")
    assert found.unit_ids == [1]
    assert found.unknown == ["各街道办事处（类别“街道”下没有单位）"]


def test_names_split_outside_brackets_and_drop_the_trailing_deng() -> None:
    lists = UnitLists(
        [KnownUnit(1, "市能源局", "部门"), KnownUnit(2, "梁山县（管委会）", "县")], {}
    )
    found = lists.resolve("市能源局等，梁山县（管委会）\n")
    assert found.unit_ids == [1, 2] and found.unknown == []


def test_reimport_updates_tasks_in_place_and_keeps_their_reports(
    jining: Database, jining_rules: Rules
) -> None:
    with jining.session() as session:
        task = session.scalars(select(Task).where(Task.position == 1)).one()
        unit = session.scalars(select(Unit).where(Unit.name == "市发展改革委")).one()
        task_id, unit_id = task.id, unit.id
    who = Identity(7, frozenset({"liaison"}), unit_id, "市发展改革委")
    record_progress(jining, who, task_id, "已公开规划", [], False, dt.date(2021, 5, 10))
    content = (JINING / "tasks.csv").read_bytes()
    result = import_tasks(jining, "tasks.csv", content, jining_rules, 2021, "test")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 66)
    assert count(jining, Task) == 66 and count(jining, ProgressReport) == 1


def test_deadlines_in_the_forms_offices_write_them() -> None:
    assert parse_deadline("2021-06-30", 2021) == dt.date(2021, 6, 30)
    assert parse_deadline("2021年6月30日", 2021) == dt.date(2021, 6, 30)
    assert parse_deadline("2021年6月底前", 2021) == dt.date(2021, 6, 30)
    assert parse_deadline("2021年年底前", 2021) == dt.date(2021, 12, 31)
    assert parse_deadline("年底前", 2022) == dt.date(2022, 12, 31)
    with pytest.raises(ValueError):
        parse_deadline("2021-02-30", 2021)


def test_tasks_file_with_english_header_imports(db: Database, rules: Rules) -> None:
    units = "name,category\n甲局,区直部门\n乙街道,街道\n"
    from domain.units import import_units

    import_units(db, "units.csv", units.encode(), "test")
    text = (
        "section,lead,responsible,requirement,deadline\n"
        "一、公开,甲局,各街道办事处,做好公开,2021-03-31\n"
    )
    result = import_tasks(db, "t.csv", text.encode(), rules, 2021, "test")
    assert result.created == 1 and result.assignments == 2


def test_tasks_file_with_duplicate_task_is_rejected(db: Database, rules: Rules) -> None:
    from domain.units import import_units

    import_units(db, "units.csv", "name,category\n甲局,区直部门\n".encode(), "test")
    text = HEADER + "一、公开,,甲局,,做好公开,\n,,甲局,,做好公开,\n"
    with pytest.raises(ImportRejected) as caught:
        import_tasks(db, "t.csv", text.encode(), rules, 2021, "test")
    assert [e.line for e in caught.value.errors] == [3]


def test_ledger_json_has_one_object_per_task_and_unit(
    jining: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ledger", "--year", "2021", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == count(jining, TaskAssignment)
    first = rows[0]
    assert {"task_id", "section", "task", "unit", "role", "last_report_on"} <= set(first)
    assert first["role"] == "lead" and first["last_report_on"] is None
    assert {r["role"] for r in rows} == {"lead", "responsible"}


def test_ledger_xlsx_reads_back_with_the_latest_report(jining: Database, tmp_path: Path) -> None:
    with jining.session() as session:
        unit = session.scalars(select(Unit).where(Unit.name == "任城区政府")).one()
        unit_id = unit.id
    who = Identity(8, frozenset({"liaison"}), unit_id, "任城区政府")
    rows = ledger_rows(jining, dt.date(2021, 6, 1), unit_id, 2021)
    task_id = rows[0].task_id
    record_progress(jining, who, task_id, "第一次进展", [], False, dt.date(2021, 5, 10))
    record_progress(jining, who, task_id, "已全部完成", [], True, dt.date(2021, 6, 2))
    out = tmp_path / "台账.xlsx"
    assert main(["ledger", "--unit", "任城区政府", "--format", "xlsx", "-o", str(out)]) == 0
    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "任务编号"
    lines = values[2:]
    assert len(lines) == len(rows)
    done = next(line for line in lines if line[0] == f"T{task_id}")
    assert done[4] == "任城区政府" and done[6] == "牵头"
    assert done[8] == 2 and done[9].date() == dt.date(2021, 6, 2)
    assert done[10] == "已全部完成" and done[11] == "已完成"
    # T55 (年底前) is past its deadline for a unit that has not finished it.
    overdue = [line for line in lines if line[11] == "逾期未完成"]
    assert overdue and all(line[7].date() == dt.date(2021, 12, 31) for line in overdue)


def test_an_xlsx_table_with_merged_cells_imports_like_the_csv(
    db: Database, jining_rules: Rules, tmp_path: Path
) -> None:
    import csv

    from openpyxl import Workbook

    assert main(["import", "units", str(JINING / "units.csv")]) == 0
    rows = list(csv.reader((JINING / "tasks.csv").open(encoding="utf-8")))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    # Merge each 工作任务 down over the rows that continue it, as the original table does.
    start = None
    for number, row in enumerate(rows[1:], start=2):
        if row[1] or row[0]:
            if start is not None and number - 1 > start:
                sheet.merge_cells(start_row=start, start_column=2, end_row=number - 1, end_column=2)
            start = number if row[1] else None
    path = tmp_path / "任务分解表.xlsx"
    book.save(path)
    assert main(["import", "tasks", "--year", "2021", str(path)]) == 0
    assert count(db, Task) == 66
    assert units_of(db, "多形式发布落实黄河流域生态保护")["市发展改革委"] == "lead"
    with db.session() as session:
        subsections = set(session.scalars(select(Task.subsection)))
    assert len(subsections) == 21
