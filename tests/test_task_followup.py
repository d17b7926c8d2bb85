"""跟踪调度 on an injected clock: task reminders, overdue notices, progress ending a streak."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.access import Identity
from domain.articles import import_articles
from domain.bulletin import build_bulletin
from domain.monthly import Chats
from domain.periods import Month
from domain.progress import record_progress
from domain.rules import Rules
from domain.stagnation import streak_of
from domain.task_followup import run_overdue_notices, run_task_reminders
from reports.wording import CHAT_WORDING
from storage.db import Database
from storage.models import OutboxMessage, RoleGrant, Task, Unit, User

TZ = ZoneInfo("Asia/Shanghai")
CHATS = Chats(bulletin=-100, supervision=-200, admins=frozenset({1000}))


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def unit_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Unit.id).where(Unit.name == name)).one()


def bind(db: Database, name: str, telegram_id: int) -> Identity:
    found = unit_id(db, name)
    with db.session() as session:
        session.add(User(telegram_id=telegram_id, full_name="联络员", unit_id=found))
        session.add(RoleGrant(telegram_id=telegram_id, role="liaison", granted_by="t"))
    return Identity(telegram_id, frozenset({"liaison"}), found, name)


def outbox(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {m.key: m.text for m in session.scalars(select(OutboxMessage))}


def task_id(db: Database, requirement_start: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(Task.id).where(Task.requirement.startswith(requirement_start))
        ).one()


def test_units_without_a_report_this_month_are_reminded_once(
    jining: Database, jining_rules: Rules
) -> None:
    rencheng = bind(jining, "任城区政府", 6001)
    bind(jining, "市发展改革委", 6002)
    bind(jining, "市委宣传部", 6003)
    task = task_id(jining, "坚决打好“治堵”攻坚战")
    record_progress(jining, rencheng, task, "完成4处路口渠化", [], False, dt.date(2021, 5, 6))
    # May 2021 ends on Monday the 31st: the 5th working day before the end is Tuesday the 25th.
    assert run_task_reminders(jining, jining_rules, at(2021, 5, 24, 17), TZ, CHAT_WORDING) == 0
    assert run_task_reminders(jining, jining_rules, at(2021, 5, 25), TZ, CHAT_WORDING) == 2
    assert run_task_reminders(jining, jining_rules, at(2021, 5, 27), TZ, CHAT_WORDING) == 0
    sent = outbox(jining)
    propaganda = f"task-reminder:2021-05:{unit_id(jining, '市委宣传部')}:to:6003"
    development = f"task-reminder:2021-05:{unit_id(jining, '市发展改革委')}:to:6002"
    assert set(sent) == {propaganda, development}
    assert (
        "市委宣传部</b>本月（5月）尚未报送工作任务进展（未完成的任务：牵头1项）"
        in (sent[propaganda])
    )
    assert "/progress" in sent[development]
    # June: 任城区 has not reported either, so it is reminded too.
    assert run_task_reminders(jining, jining_rules, at(2021, 6, 24), TZ, CHAT_WORDING) == 3


def test_overdue_tasks_go_to_lead_units_and_the_supervision_chat_once_a_month(
    jining: Database, jining_rules: Rules
) -> None:
    bind(jining, "任城区政府", 6001)
    bind(jining, "市教育局", 6004)
    ipv6 = task_id(jining, "2021年年底前，确保全市所有县级以上政府门户网站")
    assert run_overdue_notices(jining, at(2021, 12, 31, 18), TZ, CHATS, CHAT_WORDING) == 0
    # January 2022: no 2022 table yet, so the 2021 ledger is still the one in force.
    queued = run_overdue_notices(jining, at(2022, 1, 4), TZ, CHATS, CHAT_WORDING)
    assert run_overdue_notices(jining, at(2022, 1, 5), TZ, CHATS, CHAT_WORDING) == 0
    sent = outbox(jining)
    assert queued == len(sent)
    notice = sent[f"task-overdue:{ipv6}:2022-01:to:6001"]
    assert f"T{ipv6}" in notice and "完成时限 2021-12-31" in notice
    assert "牵头单位：任城区政府、兖州区政府" in notice and "市政府办公室。" in notice
    assert f"task-overdue:{ipv6}:2022-01:to:-200" in sent
    assert not any(
        key.endswith(":to:6004") for key in sent if key.startswith(f"task-overdue:{ipv6}")
    )
    assert run_overdue_notices(jining, at(2022, 2, 7), TZ, CHATS, CHAT_WORDING) == queued


def test_a_final_report_takes_the_unit_off_the_overdue_list(
    jining: Database, jining_rules: Rules
) -> None:
    ipv6 = task_id(jining, "2021年年底前，确保全市所有县级以上政府门户网站")
    units = ["市政府办公室", "任城区政府", "兖州区政府", "曲阜市政府", "邹城市政府", "微山县政府"]
    units += ["鱼台县政府", "金乡县政府", "嘉祥县政府", "汶上县政府", "泗水县政府", "梁山县政府"]
    for n, name in enumerate(units):
        who = bind(jining, name, 7000 + n)
        record_progress(jining, who, ipv6, "已支持IPv6", [], True, dt.date(2021, 12, 20))
    run_overdue_notices(jining, at(2022, 1, 4), TZ, CHATS, CHAT_WORDING)
    notice = outbox(jining)[f"task-overdue:{ipv6}:2022-01:to:-200"]
    missing = notice.split("尚未报送完成的单位：")[1].split("。")[0]
    assert "任城区政府" not in missing and "市政府办公室" not in missing
    assert missing.startswith("济宁高新区管委会、") and missing.endswith("等51个单位")


def test_a_progress_report_counts_as_progress_unless_the_rules_say_not(
    jining: Database, jining_rules: Rules
) -> None:
    header = "unit,title,submitted_on,forwarded,published_in\n"
    article = header + "市民政局,低保信息公开,2021-01-12,no,\n"
    import_articles(jining, "a.csv", article.encode(), jining_rules, "t")
    who = bind(jining, "市教育局", 6004)
    task = task_id(jining, "持续做好学前教育行动计划")
    record_progress(jining, who, task, "已公开入学政策", [], False, dt.date(2021, 6, 8))
    july = Month(2021, 7)
    assert streak_of(jining, "市教育局", july, jining_rules).months == 1
    assert streak_of(jining, "市民政局", july, jining_rules).months == 6
    ignoring = jining_rules.model_copy(
        update={"tasks": jining_rules.tasks.model_copy(update={"progress_counts": False})}
    )
    assert streak_of(jining, "市教育局", july, ignoring).months == 7


def test_the_bulletin_gains_a_task_section(jining: Database, jining_rules: Rules) -> None:
    who = bind(jining, "市教育局", 6004)
    task = task_id(jining, "持续做好学前教育行动计划")
    record_progress(jining, who, task, "已公开入学政策", [], False, dt.date(2021, 6, 8))
    record_progress(jining, who, task, "已公开招生计划", [], False, dt.date(2021, 6, 18))
    bulletin = build_bulletin(jining, jining_rules, Month(2021, 6), dt.date(2021, 7, 5))
    ((heading, paragraphs),) = bulletin.later_sections
    assert heading == "四、重点任务落实情况"
    assert paragraphs[0].startswith(
        "2021年政务公开工作任务分解表共66项任务，涉及69个单位。6月，1个单位报送了任务进展："
        "市教育局（2条）；68个单位未报送进展：任城区政府、"
    )
    assert "暂无逾期未完成的任务" in paragraphs[1]
    december = build_bulletin(jining, jining_rules, Month(2021, 12), dt.date(2022, 1, 6))
    assert "逾期未完成的任务2项" in december.later_sections[0][1][1]
