"""The ``gongkai`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlparse

from tabulate import tabulate

from bot.cli_parser import ChineseArgumentParser
from domain.access import require_unit_name
from domain.annual_report import read_report
from domain.arguments import parse_year
from domain.articles import import_articles
from domain.assessment import Assessment, assess
from domain.campaigns import (
    KIND_NAMES,
    campaign_ref,
    campaign_status,
    check_deadline,
    open_campaign,
    parse_campaign_id,
)
from domain.errors import UserError
from domain.evaluations import import_evaluations
from domain.hierarchy import Hierarchy
from domain.ledger import ledger_rows
from domain.offices import (
    CHILD_CATEGORY,
    OfficeRef,
    add_office,
    list_offices,
    office_view,
    rename_office,
    rescore_offices,
    resolve_office,
    set_office,
)
from domain.periods import FIRST_YEAR, LAST_YEAR, Month, Period, parse_day
from domain.published import column_text, match_column, record_column
from domain.ranking import rank_units
from domain.roles import GRANTABLE, grant_role, revoke_role
from domain.rollup import roll_up
from domain.rules import Rules, RulesError, load_rules
from domain.score_bulletin import ScoreBulletin, build_score_bulletin, latest_score_month
from domain.score_sheets import import_score_sheets
from domain.scoring import rescore_if_rules_changed
from domain.service_status import read_status
from domain.tabular import HISTORY_MAX_ROWS
from domain.tasks import import_tasks
from domain.units import import_units
from reports.annual_report import report_docx, template_xlsx
from reports.assessment import assessment_docx, assessment_json, assessment_text, assessment_xlsx
from reports.campaigns import status_xlsx
from reports.ledger import ledger_json, ledger_overview, ledger_text, ledger_xlsx
from reports.published import column_match_text
from reports.ranking import ranking_csv, ranking_json, ranking_table
from reports.rollup import rollup_json, rollup_table
from reports.score_bulletin import (
    score_bulletin_docx,
    score_bulletin_json,
    score_bulletin_text,
    score_bulletin_xlsx,
)
from reports.status import status_json, status_text
from reports.wording import CHAT_WORDING
from runtime.settings import Settings, SettingsError, load_settings
from storage.db import Database, DatabaseError
from storage.models import CAMPAIGN_KINDS


class Context:
    """What every command needs: settings, the office it acts for, that office's rules and
    the database as the office sees it, opened on demand."""

    def __init__(self, settings: Settings, office: str | None = None) -> None:
        self.settings = settings
        self.actor = f"cli:{getpass.getuser()}"
        self._office_name = office
        self._office: OfficeRef | None = None
        self._rules: Rules | None = None
        self._deployment_rules: Rules | None = None

    @property
    def office(self) -> OfficeRef:
        """The office named by ``--office``, or the only one there is."""
        if self._office is None:
            self._office = resolve_office(self.deployment(), self._office_name)
        return self._office

    @property
    def deployment_rules(self) -> Rules:
        """The rules file in force (GONGKAI_RULES): the root office's, and the default."""
        if self._deployment_rules is None:
            self._deployment_rules = load_rules(self.settings.rules)
        return self._deployment_rules

    @property
    def rules(self) -> Rules:
        """The office's rules: its own, or the rules file in force."""
        if self._rules is None:
            self._rules = self.office.rules(self.deployment_rules)
        return self._rules

    def offices(self) -> Hierarchy:
        """Every office's rules and the deployment's admins, for changes that cross offices."""
        db = self.deployment()
        return Hierarchy(
            lambda office_id: office_view(db, office_id).rules(self.deployment_rules),
            self.settings.admin_ids,
        )

    def deployment(self) -> Database:
        """The whole database, every office's, at the newest schema (for ``office``)."""
        db = Database(self.settings.database_url)
        db.check_reachable()
        if not db.is_current():
            raise DatabaseError("数据库尚未初始化或版本过旧，请先运行：gongkai db upgrade")
        return db

    def database(self, *, migrated: bool = True) -> Database:
        """The configured database as the office sees it; with ``migrated``, refuse one not at
        the newest schema (without, the whole database: for ``db upgrade``)."""
        if not migrated:
            db = Database(self.settings.database_url)
            db.check_reachable()
            return db
        db = self.deployment()
        if self.office.parent is not None:  # the root office sees the database unscoped
            db = db.scoped(self.office.id)
        rescore_if_rules_changed(db, self.rules, self.actor)
        return db


def _year(text: str) -> int:
    """An argparse type: a year the project can hold."""
    try:
        return parse_year(text, FIRST_YEAR, LAST_YEAR)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _day(text: str) -> dt.date:
    """A date typed on the command line; a wrong one is a ``UserError``."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"文件不存在：{path}") from None
    except OSError as exc:
        raise UserError(f"无法读取文件 {path}：{exc.strerror}") from None


def cmd_db_upgrade(ctx: Context, _args: argparse.Namespace) -> None:
    """Create or migrate the database."""
    db = ctx.database(migrated=False)
    before, head = db.revisions()
    db.upgrade()
    where = db.display_url()
    if before is None:
        print(f"已创建数据库（版本 {head}）：{where}")
    elif before != head:
        print(f"已升级数据库（版本 {before} → {head}）：{where}")
    else:
        print(f"数据库已是最新版本（版本 {head}），未做改动：{where}")


def cmd_import_units(ctx: Context, args: argparse.Namespace) -> None:
    """Import units from CSV or XLSX."""
    result = import_units(ctx.database(), args.file, _read(args.file), ctx.actor)
    print(result.summary())


def cmd_import_articles(ctx: Context, args: argparse.Namespace) -> None:
    """Import articles from CSV or XLSX."""
    result = import_articles(
        ctx.database(),
        args.file,
        _read(args.file),
        ctx.rules,
        ctx.actor,
        args.override,
        max_rows=HISTORY_MAX_ROWS,
    )
    print(result.summary())


def cmd_import_tasks(ctx: Context, args: argparse.Namespace) -> None:
    """Import a 任务分解表 from CSV or XLSX."""
    year = args.year or dt.datetime.now(ctx.settings.tz).year
    result = import_tasks(ctx.database(), args.file, _read(args.file), ctx.rules, year, ctx.actor)
    print(result.summary())


def cmd_import_scores(ctx: Context, args: argparse.Namespace) -> None:
    """Import monthly score sheets from CSV or XLSX."""
    result = import_score_sheets(ctx.database(), args.file, _read(args.file), ctx.rules, ctx.actor)
    print(result.summary())


def cmd_import_published(ctx: Context, args: argparse.Namespace) -> None:
    """Record publications from a column's contents (a list of titles)."""
    db = ctx.database()
    year = args.year or dt.datetime.now(ctx.settings.tz).year
    text = column_text(args.file, _read(args.file))
    matched = match_column(db, ctx.rules, args.platform, text, year)
    done = None
    if not args.dry_run:
        today = dt.datetime.now(ctx.settings.tz).date()
        done = record_column(
            db,
            ctx.rules,
            matched,
            ctx.actor,
            today,
            CHAT_WORDING,
            args.override,
            ctx.offices(),
        )
    print(column_match_text(matched, done))


def cmd_import_evaluations(ctx: Context, args: argparse.Namespace) -> None:
    """Import third-party evaluation scores from CSV or XLSX."""
    print(import_evaluations(ctx.database(), args.file, _read(args.file), ctx.actor).summary())


def _write(content: str | bytes, output: str | None, default: str, note: str = "") -> None:
    """Text to stdout unless a path is given; bytes to the path or ``default``."""
    if isinstance(content, str) and not output:
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        return
    path = Path(output or default)
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as exc:
        raise UserError(f"无法写入 {path}：{exc.strerror}") from None
    print(f"已写入 {path}{note}")


def check_output(path: str | None, *, folder: bool = False) -> None:
    """Refuse, before any work is done, an output path that cannot be written."""
    if not path:
        return
    target = Path(path)
    if folder:
        if target.exists() and not target.is_dir():
            raise UserError(f"无法写入 {path}：已存在同名文件，应为目录")
        return
    if target.is_dir():
        raise UserError(f"无法写入 {path}：这是一个目录，请给出文件名")
    parent = target.parent
    if not parent.is_dir():
        raise UserError(f"无法写入 {path}：目录 {parent} 不存在")
    if not os.access(parent, os.W_OK):
        raise UserError(f"无法写入 {path}：没有写入目录 {parent} 的权限")


def cmd_scores(ctx: Context, args: argparse.Namespace) -> None:
    """The monthly score bulletin (default: the newest month with score sheets)."""
    db = ctx.database()
    today = _day(args.date) if args.date else dt.datetime.now(ctx.settings.tz).date()
    month = Month.parse(args.month) if args.month else latest_score_month(db)
    bulletin = build_score_bulletin(db, ctx.rules, month, today)
    render: dict[str, Callable[[ScoreBulletin], str | bytes]] = {
        "text": score_bulletin_text,
        "json": score_bulletin_json,
        "docx": score_bulletin_docx,
        "xlsx": score_bulletin_xlsx,
    }
    _write(render[args.format](bulletin), args.output, f"评分通报-{month}.{args.format}")


def cmd_assessment(ctx: Context, args: argparse.Namespace) -> None:
    """The annual assessment with its grades."""
    today = _day(args.date) if args.date else dt.datetime.now(ctx.settings.tz).date()
    result = assess(ctx.database(), ctx.rules, args.year, today)
    render: dict[str, Callable[[Assessment], str | bytes]] = {
        "text": assessment_text,
        "json": assessment_json,
        "docx": assessment_docx,
        "xlsx": assessment_xlsx,
    }
    _write(render[args.format](result), args.output, f"考核结果-{args.year}.{args.format}")


def cmd_campaign_open(ctx: Context, args: argparse.Namespace) -> None:
    """Open a 催报 campaign; the units' liaisons are told when the bot next runs."""
    today = dt.datetime.now(ctx.settings.tz).date()
    deadline = check_deadline(args.deadline, today)
    opened = open_campaign(
        ctx.database(),
        ctx.rules,
        args.title,
        deadline,
        args.units,
        args.kind,
        ctx.actor,
        CHAT_WORDING,
    )
    print(
        f"已发起催报 {campaign_ref(opened.id)}《{opened.title}》：{opened.units} 个单位，"
        f"截止 {opened.deadline}，报送{KIND_NAMES[opened.kind]}。"
    )


def cmd_campaign_status(ctx: Context, args: argparse.Namespace) -> None:
    """Who has and has not answered a campaign."""
    status = campaign_status(ctx.database(), parse_campaign_id(args.id))
    if args.format == "xlsx":
        _write(status_xlsx(status), args.output, f"催报{campaign_ref(status.id)}报送情况.xlsx")
        return
    rows = [
        [row.unit, row.answered_on or "未报送", "逾期" if row.late else "", row.answers]
        for row in status.rows
    ]
    table = tabulate(rows, headers=["单位", "报送日期", "", "次数"])
    head = f"催报 {campaign_ref(status.id)}《{status.title}》截止 {status.deadline}"
    _write(f"{head}\n{table}\n", args.output, "")


def cmd_report_template(ctx: Context, args: argparse.Namespace) -> None:
    """Write the annual report's template."""
    _write(template_xlsx(), args.output, "政府信息公开工作年度报告模板.xlsx")


def cmd_report_check(ctx: Context, args: argparse.Namespace) -> None:
    """Check a filled template: every failure with its sheet and cells."""
    report = read_report(args.file, _read(args.file))
    print(f"检查通过：{report.unit}{report.year}年政府信息公开工作年度报告，各项数据勾稽关系正确。")


def cmd_report_render(ctx: Context, args: argparse.Namespace) -> None:
    """Render a filled, valid template as the report (.docx)."""
    report = read_report(args.file, _read(args.file))
    _write(
        report_docx(report),
        args.output,
        f"{report.unit}{report.year}年政府信息公开工作年度报告.docx",
    )


def cmd_ledger(ctx: Context, args: argparse.Namespace) -> None:
    """Export the 台账: one row per task and unit, with the latest report."""
    db = ctx.database()
    today = dt.datetime.now(ctx.settings.tz).date()
    unit = require_unit_name(db, args.unit) if args.unit else None
    rows = ledger_rows(db, today, unit.id if unit else None, args.year)
    title = f"政务公开工作任务台账{f'（{unit.name}）' if unit else ''}（截至 {today}）"
    if args.format == "xlsx":
        note = f"（{len(rows)} 行）"
        _write(ledger_xlsx(rows, title), args.output, f"台账-{today}.xlsx", note)
        return
    if args.format == "json":
        _write(ledger_json(rows) + "\n", args.output, "", f"（{len(rows)} 行）")
        return
    if args.all:
        _write(ledger_text(rows), args.output, "", f"（{len(rows)} 行）")
        return
    lines = [
        title,
        *ledger_overview(rows, 20),
        "逐条明细：gongkai ledger --all；表格：--format xlsx",
    ]
    _write("\n".join(lines) + "\n", args.output, "")


def cmd_rank(ctx: Context, args: argparse.Namespace) -> None:
    """Print the ranking for a range of months."""
    last = Month.parse(args.to) if args.to else Month.current(ctx.settings.tz)
    first = Month.parse(args.from_) if args.from_ else Month(last.year, 1)
    today = dt.datetime.now(ctx.settings.tz).date()
    ranking = rank_units(ctx.database(), ctx.rules, Period(first, last), args.category, today)
    if args.format == "table":
        text = ranking_table(ranking, ctx.rules, wide=args.wide)
    else:
        text = {"csv": ranking_csv, "json": ranking_json}[args.format](ranking, ctx.rules)
    sys.stdout.write(text.rstrip("\n") + "\n")


def cmd_rollup(ctx: Context, args: argparse.Namespace) -> None:
    """The offices below the office: their own counts and how the office scores them."""
    last = Month.parse(args.to) if args.to else Month.current(ctx.settings.tz)
    first = Month.parse(args.from_) if args.from_ else Month(last.year, 1)
    result = roll_up(ctx.database(), ctx.rules, Period(first, last))
    render = rollup_json if args.format == "json" else rollup_table
    sys.stdout.write(render(result, ctx.rules).rstrip("\n") + "\n")


def cmd_bulletin(ctx: Context, args: argparse.Namespace) -> None:
    """Write the monthly bulletin (default: last month's) as text, .docx, .xlsx or .png."""
    from domain.bulletin import build_bulletin
    from domain.monthly import issue_date
    from reports.bulletin import bulletin_chart, bulletin_docx, bulletin_text, bulletin_xlsx

    today = Month.current(ctx.settings.tz)
    month = Month.parse(args.month) if args.month else today.previous()
    db = ctx.database()
    issued_on = _day(args.date) if args.date else issue_date(db, ctx.rules, month, ctx.settings.tz)
    bulletin = build_bulletin(db, ctx.rules, month, issued_on)
    if args.format == "text":
        _write(bulletin_text(bulletin, ctx.rules), args.output, "")
        return
    render = {"docx": bulletin_docx, "xlsx": bulletin_xlsx}.get(args.format)
    content = render(bulletin, ctx.rules) if render else bulletin_chart(bulletin)
    _write(content, args.output, f"通报-{month}.{args.format}")


def _rules_text(path: str | None) -> str | None:
    """The text of a rules file named on the command line, if one was."""
    if not path:
        return None
    try:
        return _read(path).decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"规则文件 {path} 不是 UTF-8 文本") from None


def cmd_office_add(ctx: Context, args: argparse.Namespace) -> None:
    """Add an office under another (default: the root office)."""
    rules_text = _rules_text(args.rules)
    office = add_office(
        ctx.deployment(),
        args.name,
        args.parent,
        rules_text,
        ctx.actor,
        category=args.category,
        rules_source=args.rules or "",
        unit_name=args.unit,
    )
    rules = f"，规则：{args.rules}" if rules_text is not None else "，沿用默认规则"
    print(
        f"已添加机关“{office.name}”：上级“{office.parent}”，"
        f"在上级的单位名为“{office.unit_name}”{rules}。"
    )


def cmd_office_set(ctx: Context, args: argparse.Namespace) -> None:
    """Set an office's chats or rules."""
    if args.bulletin_chat is None and args.supervision_chat is None and args.rules is None:
        raise UserError("请至少给出 --bulletin-chat、--supervision-chat 或 --rules 之一。")
    office = set_office(
        ctx.deployment(),
        args.name,
        ctx.actor,
        bulletin_chat_id=args.bulletin_chat,
        supervision_chat_id=args.supervision_chat,
        rules_text=_rules_text(args.rules),
        rules_source=args.rules or "",
    )
    print(
        f"已设置机关“{office.name}”：通报群 {office.bulletin_chat_id or '未设置'}，"
        f"督查室群 {office.supervision_chat_id or '未设置'}，"
        f"计分规则{'自定' if office.rules_text else '默认'}。运行中的机器人重启后生效。"
    )


def cmd_office_rename(ctx: Context, args: argparse.Namespace) -> None:
    """Rename an office."""
    office = rename_office(ctx.deployment(), args.old, args.new, ctx.actor)
    print(f"机关已改名为“{office.name}”。")


def cmd_office_list(ctx: Context, args: argparse.Namespace) -> None:
    """Every office, with its parent, its unit there and whether it has its own rules."""
    rows = [
        [o.name, o.parent or "（顶级）", o.unit_name or "", "自定" if o.rules_text else "默认"]
        for o in list_offices(ctx.deployment())
    ]
    print(tabulate(rows, headers=["机关", "上级", "在上级的单位", "计分规则"]))


def cmd_role(ctx: Context, args: argparse.Namespace) -> None:
    """Grant or revoke the admin or supervisor role."""
    db = ctx.database()
    name = GRANTABLE.get(args.role, args.role)
    if args.action == "grant":
        done = grant_role(db, args.telegram_id, args.role, ctx.actor)
        print(
            f"已授予 {args.telegram_id} {name}角色。"
            if done
            else f"{args.telegram_id} 已是{name}。"
        )
    else:
        done = revoke_role(db, args.telegram_id, args.role, ctx.actor)
        print(
            f"已撤销 {args.telegram_id} 的{name}角色。"
            if done
            else f"{args.telegram_id} 不是{name}。"
        )


def cmd_run(ctx: Context, args: argparse.Namespace) -> None:
    """Start the bot: long polling, or a webhook server with ``--webhook-url``."""
    # Imported here: the Telegram stack is heavy and other commands do without it.
    from telegram import Update

    from bot.app import build_application
    from bot.webhook import WebhookServer, run_webhook

    if not ctx.settings.bot_token:
        raise SettingsError("配置错误：GONGKAI_BOT_TOKEN：未设置，gongkai run 需要机器人令牌")
    db = ctx.deployment()
    rescore_offices(db, ctx.deployment_rules, ctx.actor)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(ctx.settings, ctx.deployment_rules, db)
    if args.webhook_url:
        # Several processes behind one address must share the secret Telegram sends.
        secret = args.secret or secrets.token_urlsafe(32)
        server = WebhookServer(
            application,
            urlparse(args.webhook_url).path,
            secret,
            lambda: read_status(db, ctx.deployment_rules, dt.datetime.now(dt.UTC), ctx.settings.tz),
        )
        run_webhook(
            application, server, listen=args.listen, port=args.port, webhook_url=args.webhook_url
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        if application.bot_data.conflict:
            raise SettingsError(
                "另一个进程正在用同一令牌轮询（Telegram 409 Conflict），本进程已退出。"
                "多个进程请用 webhook 模式（--webhook-url，共用 --secret）。"
            )


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    """The service on one screen: database, jobs, backlogs, last bulletin, what is due next.
    Exit status 1 when the database cannot serve the bot."""
    status = read_status(
        Database(ctx.settings.database_url),
        ctx.deployment_rules,
        dt.datetime.now(dt.UTC),
        ctx.settings.tz,
    )
    if args.json:
        print(json.dumps(status_json(status), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(status_text(status, ctx.settings.tz))
    return 0 if status.healthy else 1


def cmd_demo(ctx: Context, args: argparse.Namespace) -> None:
    """Play a month of the 高新区 office (or, with ``--city``, of 济宁市 and two districts)
    offline and write what everyone saw."""
    from bot.demo import run_demo
    from bot.demo_city import run_city_demo

    result = (run_city_demo if args.city else run_demo)(Path(args.out))
    print(f"演示完成（用时 {result.seconds:.1f} 秒）。")
    print(f"聊天记录：{result.transcript}")
    for path in result.files:
        print(f"文件：{path}")


def cmd_console(ctx: Context, args: argparse.Namespace) -> None:
    """Chat with the bot in the terminal through the sandbox; in an empty folder the database
    is created, and ``--example`` loads an example office."""
    from bot.console import main_console
    from bot.examples import example_rules, load_example

    settings = ctx.settings
    if args.admin:
        settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {args.as_}})
    # An example brings its own rules unless GONGKAI_RULES names some.
    use_example_rules = args.example and settings.rules is None
    rules = example_rules(args.example) if use_example_rules else ctx.deployment_rules
    db = ctx.database(migrated=False)
    db.upgrade()
    if args.example:
        for said in load_example(db, args.example, rules, ctx.actor):
            print(said)
    rescore_if_rules_changed(db, rules, ctx.actor)
    main_console(settings, rules, db, args.as_, args.name, Path(args.files))


def _date_option(parser: argparse.ArgumentParser) -> None:
    """``--date``: the 成文日期 of a document rendered on another day."""
    parser.add_argument("--date", metavar="年-月-日", help="成文日期，如 2021-01-06（默认今天）")


def _format_option(parser: argparse.ArgumentParser, default: str, *others: str) -> None:
    """``--format``: the first choice is the default."""
    parser.add_argument(
        "--format",
        choices=(default, *others),
        default=default,
        help=f"输出格式：{'、'.join((default, *others))}（默认 {default}）",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = ChineseArgumentParser(prog="gongkai", description="政务公开工作信息报送、计分与通报")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    db = commands.add_parser("db", help="数据库")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="子命令")
    db_commands.add_parser("upgrade", help="创建或升级数据库").set_defaults(func=cmd_db_upgrade)

    imports = commands.add_parser("import", help="导入 CSV / XLSX 文件")
    import_commands = imports.add_subparsers(dest="what", required=True, metavar="类型")
    units = import_commands.add_parser("units", help="单位（列：name,category）")
    units.add_argument("file", metavar="文件", help="CSV 或 XLSX 文件")
    units.set_defaults(func=cmd_import_units)
    articles = import_commands.add_parser(
        "articles", help="稿件（列：unit,title,submitted_on,forwarded,published_in）"
    )
    articles.add_argument("file", metavar="文件", help="CSV 或 XLSX 文件")
    articles.add_argument(
        "--override", action="store_true", help="更正已发布通报的月份（记入审计并在下期通报说明）"
    )
    articles.set_defaults(func=cmd_import_articles)
    tasks = import_commands.add_parser(
        "tasks", help="任务分解表（列：部分,工作任务,牵头部门,责任单位,具体要求[,完成时限]）"
    )
    tasks.add_argument("file", metavar="文件", help="CSV 或 XLSX 文件")
    tasks.add_argument("--year", type=_year, help="任务所属年度（默认今年）")
    tasks.set_defaults(func=cmd_import_tasks)

    scores = import_commands.add_parser(
        "scores", help="月度评分（列：unit,month,各评分维度[,total][,opening]）"
    )
    scores.add_argument("file", metavar="文件", help="CSV 或 XLSX 文件")
    scores.set_defaults(func=cmd_import_scores)
    evaluations = import_commands.add_parser(
        "evaluations", help="第三方评估成绩（列：unit,year,evaluation）"
    )
    evaluations.add_argument("file", metavar="文件", help="CSV 或 XLSX 文件")
    evaluations.set_defaults(func=cmd_import_evaluations)
    published = import_commands.add_parser(
        "published", help="上级栏目刊发的标题清单（每行一个标题），自动匹配稿件并记录采用"
    )
    published.add_argument("file", metavar="文件", help="TXT、DOCX、XLSX 或 CSV 文件")
    published.add_argument(
        "--platform", required=True, metavar="平台", help="刊发的栏目：代码、名称或级别，如 看山东"
    )
    published.add_argument("--year", type=_year, help="稿件的报送年度（默认今年）")
    published.add_argument("--dry-run", action="store_true", help="只显示匹配结果，不记录")
    published.add_argument(
        "--override", action="store_true", help="更正已发布通报的月份（记入审计并在下期通报说明）"
    )
    published.set_defaults(func=cmd_import_published)

    score_bulletin = commands.add_parser("scores", help="月度评分通报（默认最近有评分的月份）")
    score_bulletin.add_argument("--month", metavar="年-月", help="评分的月份，如 2020-07")
    _format_option(score_bulletin, "text", "docx", "xlsx", "json")
    score_bulletin.add_argument("-o", "--output", metavar="路径", help="输出文件")
    _date_option(score_bulletin)
    score_bulletin.set_defaults(func=cmd_scores)

    assessment = commands.add_parser("assessment", help="年度考核结果")
    assessment.add_argument(
        "--year", type=_year, required=True, metavar="年份", help="考核年度，如 2020"
    )
    _format_option(assessment, "text", "docx", "xlsx", "json")
    assessment.add_argument("-o", "--output", metavar="路径", help="输出文件")
    _date_option(assessment)
    assessment.set_defaults(func=cmd_assessment)

    campaign = commands.add_parser("campaign", help="催报")
    campaign_commands = campaign.add_subparsers(
        dest="campaign_command", required=True, metavar="子命令"
    )
    opening = campaign_commands.add_parser("open", help="发起催报")
    opening.add_argument("--title", required=True, help="事项名称")
    opening.add_argument("--deadline", required=True, help="截止日期，例如 2021-01-31")
    opening.add_argument(
        "--units", default="all", help="all、category:类别，或单位名称（用“、”分隔）"
    )
    opening.add_argument(
        "--kind", choices=CAMPAIGN_KINDS, default="file", help="报送形式（article：约稿）"
    )
    opening.set_defaults(func=cmd_campaign_open)
    status = campaign_commands.add_parser("status", help="报送情况")
    status.add_argument("id", metavar="ID")
    _format_option(status, "text", "xlsx")
    status.add_argument("-o", "--output", metavar="路径", help="输出文件")
    status.set_defaults(func=cmd_campaign_status)

    annual = commands.add_parser("annual-report", help="政府信息公开工作年度报告")
    annual_commands = annual.add_subparsers(dest="annual_command", required=True, metavar="子命令")
    template = annual_commands.add_parser("template", help="下载填报模板（.xlsx）")
    template.add_argument("-o", "--output", metavar="路径", help="输出文件")
    template.set_defaults(func=cmd_report_template)
    check = annual_commands.add_parser("check", help="检查填好的模板")
    check.add_argument("file", metavar="文件", help="填好的模板（.xlsx）")
    check.set_defaults(func=cmd_report_check)
    render = annual_commands.add_parser("render", help="由填好的模板生成年度报告（.docx）")
    render.add_argument("file", metavar="文件", help="填好的模板（.xlsx）")
    render.add_argument("-o", "--output", metavar="路径", help="输出文件")
    render.set_defaults(func=cmd_report_render)

    ledger = commands.add_parser("ledger", help="工作任务台账")
    ledger.add_argument("--unit", help="只看某个单位")
    ledger.add_argument(
        "--year", type=int, help="年度（默认今年；今年没有任务时为最近有任务的年度）"
    )
    _format_option(ledger, "text", "xlsx", "json")
    ledger.add_argument("-o", "--output", metavar="路径", help="输出文件")
    ledger.add_argument("--all", action="store_true", help="逐条列出（默认只列汇总和逾期）")
    ledger.set_defaults(func=cmd_ledger)

    rank = commands.add_parser("rank", help="得分排名")
    rank.add_argument(
        "--from", dest="from_", metavar="年-月", help="起始月份，如 2020-01（默认当年1月）"
    )
    rank.add_argument("--to", metavar="年-月", help="结束月份，如 2020-07（默认本月）")
    rank.add_argument("--category", metavar="类别", help="只看某一类单位")
    _format_option(rank, "table", "csv", "json")
    rank.add_argument(
        "--wide", action="store_true", help="表格不折行（默认折行，宽度不超过 100 列）"
    )
    rank.set_defaults(func=cmd_rank)

    rollup = commands.add_parser("rollup", help="下级机关汇总：各自报送、上报与在本级的得分")
    rollup.add_argument("--from", dest="from_", metavar="年-月", help="起始月份（默认当年1月）")
    rollup.add_argument("--to", metavar="年-月", help="结束月份（默认本月）")
    _format_option(rollup, "table", "json")
    rollup.set_defaults(func=cmd_rollup)

    run = commands.add_parser("run", help="启动机器人（默认长轮询）")
    run.add_argument("--webhook-url", help="以 webhook 方式运行：Telegram 推送更新的公网地址")
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    run.add_argument(
        "--secret",
        default=os.environ.get("GONGKAI_WEBHOOK_SECRET"),
        help="webhook 密钥，多个进程共用时须相同（默认 GONGKAI_WEBHOOK_SECRET，否则随机）",
    )
    run.set_defaults(func=cmd_run)

    status = commands.add_parser("status", help="运行状态：数据库、定时任务、积压、最近通报")
    status.add_argument("--json", action="store_true", help="以 JSON 输出（供监控系统）")
    status.set_defaults(func=cmd_status)

    demo = commands.add_parser("demo", help="离线演示：沙盒 + 高新区示例，一个月的完整流程")
    demo.add_argument("--out", default="demo-output", metavar="目录", help="输出目录")
    demo.add_argument(
        "--city",
        action="store_true",
        help="市、区两级：济宁市和高新区、任城区在一个部署中的一个月（2021年6月）",
    )
    demo.set_defaults(func=cmd_demo)

    console = commands.add_parser("console", help="在终端里通过沙盒与机器人对话（无需令牌）")
    console.add_argument("--as", dest="as_", type=int, default=1000, metavar="用户ID")
    console.add_argument("--name", default="试用者", help="显示的姓名")
    console.add_argument("--admin", action="store_true", help="本次以管理员身份试用")
    console.add_argument(
        "--example",
        metavar="示例",
        help="先导入 examples/ 下的示例单位，如 gaoxin-2020（高新区，含稿件）",
    )
    console.add_argument(
        "--files", default="console-files", metavar="目录", help="收到的文件保存到此目录"
    )
    console.set_defaults(func=cmd_console)

    bulletin = commands.add_parser("bulletin", help="一月一通报（默认上月）")
    bulletin.add_argument(
        "--month", metavar="年-月", help="通报的月份，如 2020-07（1月至该月；默认上月）"
    )
    _format_option(bulletin, "text", "docx", "xlsx", "png")
    bulletin.add_argument(
        "--date",
        metavar="年-月-日",
        help="成文日期，如 2020-08-05（默认发布之日，未发布为应发之日）",
    )
    bulletin.add_argument("-o", "--output", metavar="路径", help="输出文件")
    bulletin.set_defaults(func=cmd_bulletin)

    role = commands.add_parser("role", help="授予或撤销角色")
    role.add_argument(
        "action", choices=("grant", "revoke"), metavar="grant|revoke", help="授予或撤销"
    )
    role.add_argument("telegram_id", type=int, metavar="用户ID")
    role.add_argument("role", choices=tuple(GRANTABLE), metavar="角色", help="、".join(GRANTABLE))
    role.set_defaults(func=cmd_role)

    office = commands.add_parser("office", help="机关（市、区县）：一个部署服务多个机关")
    office_commands = office.add_subparsers(dest="office_command", required=True, metavar="子命令")
    adding = office_commands.add_parser("add", help="添加机关（同时成为上级机关的一个单位）")
    adding.add_argument("name", metavar="名称")
    adding.add_argument("--parent", metavar="上级机关", help="上级机关名称（默认顶级机关）")
    adding.add_argument(
        "--unit", metavar="单位", help="本机关在上级机关的单位名称（默认与机关同名）"
    )
    adding.add_argument(
        "--rules", metavar="文件", help="本机关的计分规则（TOML；默认沿用部署的规则）"
    )
    adding.add_argument(
        "--category",
        default=CHILD_CATEGORY,
        metavar="类别",
        help=f"在上级的单位类别（默认 {CHILD_CATEGORY}）",
    )
    adding.set_defaults(func=cmd_office_add)
    setting = office_commands.add_parser("set", help="设置机关的通报群、督查室群或计分规则")
    setting.add_argument("name", metavar="名称")
    setting.add_argument("--bulletin-chat", type=int, metavar="群ID", help="通报群")
    setting.add_argument("--supervision-chat", type=int, metavar="群ID", help="督查室群")
    setting.add_argument("--rules", metavar="文件", help="本机关的计分规则（TOML）")
    setting.set_defaults(func=cmd_office_set)
    renaming = office_commands.add_parser("rename", help="机关改名")
    renaming.add_argument("old", metavar="原名称")
    renaming.add_argument("new", metavar="新名称")
    renaming.set_defaults(func=cmd_office_rename)
    office_commands.add_parser("list", help="列出全部机关").set_defaults(func=cmd_office_list)

    for name in OFFICE_COMMANDS:
        _add_office_option(commands.choices[name])
    return parser


# Commands that act for one office: each takes --office (default: the only office there is).
OFFICE_COMMANDS = (
    "import",
    "scores",
    "assessment",
    "campaign",
    "ledger",
    "rank",
    "rollup",
    "bulletin",
    "role",
)


def _add_office_option(parser: argparse.ArgumentParser) -> None:
    """``--office`` on ``parser``'s leaf commands."""
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not nested:
        parser.add_argument("--office", metavar="机关", help="所属机关（只有一个机关时可省略）")
        return
    for child in nested[0].choices.values():
        _add_office_option(child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user-facing failures print one Chinese line and exit non-zero."""
    args = build_parser().parse_args(argv)
    handler: Callable[[Context, argparse.Namespace], int | None] = args.func
    try:
        check_output(getattr(args, "output", None))
        check_output(getattr(args, "out", None), folder=True)
        check_output(getattr(args, "files", None), folder=True)
        code = handler(Context(load_settings(), getattr(args, "office", None)), args)
    except (SettingsError, RulesError, DatabaseError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
