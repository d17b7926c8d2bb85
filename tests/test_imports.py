"""Importing units and articles: validated, all or nothing, every bad line reported, idempotent."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import main
from domain import tabular
from domain.articles import import_articles
from domain.errors import ImportRejected, UserError
from domain.rules import Rules
from domain.units import import_units
from storage.db import Database
from storage.models import Article, ArticleTally, AuditEntry, Publication, Unit
from tests.conftest import GAOXIN

UNITS = "name,category\n甲局,区直部门\n乙街道,街道\n"


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_units_file_with_bad_rows_reports_every_line_and_imports_nothing(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "units.csv",
        "name,category\n甲局,区直部门\n,街道\n甲局,街道\n乙局,\n丙局," + "类" * 51 + "\n",
    )
    assert main(["import", "units", path]) == 1
    err = capsys.readouterr().err
    assert "有 4 处错误，未导入任何数据" in err
    assert "第 3 行：单位名称为空" in err
    assert "第 4 行：单位“甲局”与第 2 行重复" in err
    assert "第 5 行：单位类别为空" in err
    assert "第 6 行：单位类别过长（51 字，最多 50 字）" in err
    assert count(db, Unit) == 0


def test_articles_file_with_bad_rows_reports_each_reason_and_imports_nothing(
    db: Database, rules: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    content = (
        "unit,title,submitted_on,forwarded,published_in\n"
        "甲局,好稿子,2020-03-01,yes,city\n"
        "丁局,未知单位的稿子,2020-03-01,yes,\n"
        "甲局,日期错的稿子,三月一日,yes,\n"
        "甲局,不存在的日子,2020-02-30,no,\n"
        "甲局,平台错的稿子,2020-03-01,yes,city;county\n"
        "甲局,好稿子,2020-05-01,yes,\n"
        "乙街道,上报状态错的稿子,2020-03-01,maybe,\n"
        "乙街道,未上报却刊发,2020-03-01,no,province\n"
        "乙街道," + "长" * 201 + ",2020-03-01,no,\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        import_articles(db, "articles.csv", content, rules, "test")
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (3, "未知单位“丁局”"),
        (4, "日期格式错误：“三月一日”，应为 年-月-日，如 2020-07-30 或 2020年7月30日"),
        (5, "日期不存在：“2020-02-30”"),
        (6, f"未知刊发平台“county”（可用：{rules.platform_choices()}）"),
        (7, "与第 2 行重复（同一单位同一年的同一标题）"),
        (8, "区级采用应为“是”或“否”，而不是“maybe”"),
        (9, "已填写刊发平台，区级采用应为“是”"),
        (10, "标题过长（201 字，最多 200 字）"),
    ]
    assert count(db, Article) == 0
    assert count(db, Publication) == 0


def test_import_run_twice_duplicates_nothing(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["import", "units", str(GAOXIN / "units.csv")]) == 0
    assert main(["import", "articles", str(GAOXIN / "articles.csv")]) == 0
    out = capsys.readouterr().out
    assert "新增 0 个，更新 0 个，未变 25 个" in out
    assert "新增 0 篇，更新 0 篇，未变 17 篇" in out
    assert count(gaoxin, Unit) == 25
    assert count(gaoxin, Article) == 17
    assert count(gaoxin, Publication) == 15


def test_xlsx_import_gives_the_same_articles_as_csv(
    db: Database, rules: Rules, tmp_path: Path
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "title", "submitted_on", "forwarded", "published_in"])
    sheet.append(["甲局", "表格里的稿子", "2020-03-01", "yes", "province;city"])
    sheet.append([None, None, None, None, None])
    sheet.append(["乙街道", "另一篇", "2020-04-02", "no", None])
    path = tmp_path / "articles.xlsx"
    book.save(path)
    result = import_articles(db, path.name, path.read_bytes(), rules, "test")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    with db.session() as session:
        got = session.execute(
            select(Article.title, Article.status, Article.points, Article.best_platform).order_by(
                Article.id
            )
        ).all()
    assert [tuple(r) for r in got] == [
        ("表格里的稿子", "published", 20, "province"),
        ("另一篇", "submitted", 0, None),
    ]


def test_xlsx_dates_typed_as_excel_dates_are_read(
    db: Database, rules: Rules, tmp_path: Path
) -> None:
    import datetime as dt

    import_units(db, "units.csv", UNITS.encode(), "test")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "title", "submitted_on", "forwarded", "published_in"])
    sheet.append(["甲局", "日期单元格", dt.datetime(2020, 3, 1), "yes", ""])
    path = tmp_path / "a.xlsx"
    book.save(path)
    import_articles(db, path.name, path.read_bytes(), rules, "test")
    with db.session() as session:
        assert session.scalar(select(Article.submitted_on)) == dt.date(2020, 3, 1)


def test_reimport_adds_a_higher_publication_and_raises_the_score(
    db: Database, rules: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    header = "unit,title,submitted_on,forwarded,published_in\n"
    import_articles(db, "a.csv", (header + "甲局,稿,2020-03-01,yes,city\n").encode(), rules, "t")
    again = import_articles(
        db, "a.csv", (header + "甲局,稿,2020-03-01,yes,province\n").encode(), rules, "t"
    )
    assert again.updated == 1
    with db.session() as session:
        article = session.scalars(select(Article)).one()
        assert (article.points, article.best_platform) == (20, "province")
        assert sorted(p.platform for p in article.publications) == ["city", "province"]


def test_units_reimport_takes_the_new_order_and_is_audited(db: Database) -> None:
    import_units(db, "units.csv", UNITS.encode(), "cli:alice")
    result = import_units(
        db, "units.csv", "name,category\n乙街道,街道\n甲局,驻区单位\n".encode(), "cli:bob"
    )
    assert (result.created, result.updated) == ([], ["乙街道", "甲局"])
    with db.session() as session:
        assert list(session.scalars(select(Unit.name).order_by(Unit.display_order))) == [
            "乙街道",
            "甲局",
        ]
        updates = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "unit.update").order_by(AuditEntry.id)
        ).all()
    assert [(u.actor, u.before["category"], u.after["category"]) for u in updates][-1] == (  # type: ignore[index]
        "cli:bob",
        "区直部门",
        "驻区单位",
    )


def test_article_import_is_audited_with_who_and_the_counts(gaoxin: Database) -> None:
    with gaoxin.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "article.import")
        ).one()
    assert entry.actor.startswith("cli:")
    assert entry.after is not None
    assert (entry.after["created"], entry.after["rows"]) == (17, 17)
    assert entry.at is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.txt", b"name,category\n", "不支持的文件类型"),
        ("units.csv", b"", "文件为空"),
        ("units.csv", "名称,类别\n甲,乙\n".encode(), "表头缺少列 name、category"),
        ("units.csv", "name,category\n甲,乙\n".encode("gbk"), "不是 UTF-8 编码"),
        ("units.xlsx", b"not a workbook", "无法读取的 Excel 文件"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(
    db: Database, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        import_units(db, name, content, "test")
    assert count(db, Unit) == 0


def test_a_file_over_the_row_limit_is_refused_whole(db: Database, rules: Rules) -> None:
    rows = "".join(f"甲局,标题{n},2020-07-0{1 + n % 9}\n" for n in range(tabular.MAX_ROWS + 1))
    content = ("unit,title,submitted_on\n" + rows).encode()
    import_units(db, "units.csv", UNITS.encode(), "test")
    with pytest.raises(
        UserError, match=f"超过 {tabular.MAX_ROWS} 行数据（第 {tabular.MAX_ROWS + 2} 行）"
    ):
        import_articles(db, "articles.csv", content, rules, "test")
    assert count(db, Article) == 0


def test_the_command_line_takes_a_history_longer_than_a_chat_upload(
    db: Database, rules: Rules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 10)
    rows = "".join(f"甲局,标题{n},2020-07-0{1 + n % 9},否,\n" for n in range(25))
    path = write(tmp_path, "history.csv", "unit,title,submitted_on,forwarded,published_in\n" + rows)
    import_units(db, "units.csv", UNITS.encode(), "test")
    with pytest.raises(UserError, match="超过 10 行数据"):  # what a chat upload meets
        import_articles(db, "history.csv", Path(path).read_bytes(), rules, "test")
    assert main(["import", "articles", path]) == 0  # the operator's file on the server
    assert count(db, Article) == 25


def test_two_imports_at_once_both_land_with_distinct_numbers(db: Database, tmp_path: Path) -> None:
    # Two operators (or a deploy and an operator) importing at the same moment: each import
    # numbers its articles under the database's write lock, so neither is refused and no
    # number is given twice.
    import_units(db, "units.csv", UNITS.encode(), "test")
    header = "unit,title,submitted_on,forwarded,published_in\n"
    paths = [
        write(
            tmp_path,
            f"{unit}.csv",
            header
            + "".join(
                f"{unit},{unit}的第{n}篇,2020-{1 + n % 12:02d}-01,{'是' if n % 3 else '否'},"
                f"{'city' if n % 3 == 1 else ''}\n"
                for n in range(20_000)
            ),
        )
        for unit in ("甲局", "乙街道")
    ]
    command = [sys.executable, "-m", "bot.cli", "import", "articles"]
    imports = [subprocess.Popen([*command, path], stderr=subprocess.PIPE) for path in paths]
    outcomes = [(process.wait(timeout=300), process.stderr) for process in imports]
    assert [(code, err.read().decode() if err else "") for code, err in outcomes] == [
        (0, ""),
        (0, ""),
    ]
    with db.session() as session:
        numbers = session.scalars(select(Article.id)).all()
        tallied = session.scalar(select(func.sum(ArticleTally.articles)))
        published = session.scalar(select(func.count()).select_from(Publication))
    assert len(numbers) == len(set(numbers)) == 40_000
    assert tallied == 40_000
    assert published == 2 * len(range(1, 20_000, 3))


def test_an_import_of_new_and_known_articles_writes_each_once_and_scores_them(
    db: Database, rules: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    header = "unit,title,submitted_on,forwarded,published_in\n"
    first = "甲局,旧稿一,2020-03-01,no,\n甲局,旧稿二,2020-03-02,yes,city\n"
    import_articles(db, "a.csv", (header + first).encode(), rules, "t")
    second = (
        "甲局,旧稿一,2020-03-01,yes,\n"  # now forwarded
        "甲局,旧稿二,2020-03-02,yes,city;province\n"  # one more publication
        "乙街道,新稿,2020-04-05,yes,province;city\n"  # new, published twice
        "乙街道,未上报的新稿,2020-04-06,no,\n"
    )
    result = import_articles(db, "a.csv", (header + second).encode(), rules, "t")
    assert (result.created, result.updated, result.unchanged) == (2, 2, 0)
    with db.session() as session:
        scored = {
            a.title: (
                a.status,
                a.points,
                a.best_platform,
                sorted(p.platform for p in a.publications),
            )
            for a in session.scalars(select(Article))
        }
        tallied = session.execute(
            select(func.sum(ArticleTally.articles), func.sum(ArticleTally.points))
        ).one()
    assert scored == {
        "旧稿一": ("forwarded", 2, None, []),
        "旧稿二": ("published", 20, "province", ["city", "province"]),
        "新稿": ("published", 20, "province", ["city", "province"]),
        "未上报的新稿": ("submitted", 0, None, []),
    }
    assert tuple(tallied) == (4, 42)  # the tallies follow the batched writes too


def test_blank_rows_and_empty_columns_past_the_limits_are_no_obstacle(db: Database) -> None:
    padding = "," * (tabular.MAX_COLUMNS + 20)
    content = ("name,category" + padding + "\n甲局,区直部门" + padding + "\n").encode()
    content += b"\n" * (tabular.MAX_ROWS + 5)
    assert import_units(db, "units.csv", content, "test").created == ["甲局"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_file_with_a_column_past_the_limit_filled_is_refused(
    db: Database, tmp_path: Path, suffix: str
) -> None:
    cells = ["甲局", "区直部门", *[""] * (tabular.MAX_COLUMNS - 2), "多余"]
    if suffix == "csv":
        content = ("name,category\n" + ",".join(cells) + "\n").encode()
    else:
        book = Workbook()
        book.active.append(["name", "category"])
        book.active.append(cells)
        book.save(tmp_path / "units.xlsx")
        content = (tmp_path / "units.xlsx").read_bytes()
    with pytest.raises(UserError, match=f"units.{suffix} 第 2 行：超过 {tabular.MAX_COLUMNS} 列"):
        import_units(db, f"units.{suffix}", content, "test")
    assert count(db, Unit) == 0


def test_control_and_invisible_characters_in_a_file_are_not_kept(db: Database) -> None:
    content = "name,category\n甲\x00局\u200b,区直\x0b部门\n".encode()
    import_units(db, "units.csv", content, "test")
    with db.session() as session:
        assert session.execute(select(Unit.name, Unit.category)).one() == ("甲局", "区直部门")


def test_a_file_that_takes_too_long_to_read_is_refused(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The time allowed is set to nothing rather than making a file slow enough for 30 s.
    monkeypatch.setattr(tabular, "MAX_SECONDS", 0.0)
    with pytest.raises(UserError, match="读取超过 0 秒"):
        import_units(db, "units.csv", UNITS.encode(), "test")
    assert count(db, Unit) == 0


def test_missing_file_is_one_line_on_stderr(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "units", "nowhere.csv"]) == 1
    assert capsys.readouterr().err.strip() == "文件不存在：nowhere.csv"


def test_import_into_a_database_not_yet_created_says_to_upgrade(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "units", str(GAOXIN / "units.csv")]) == 2
    assert "请先运行：gongkai db upgrade" in capsys.readouterr().err


def test_an_office_sheet_with_chinese_headers_dates_and_platform_names_imports(
    db: Database, rules: Rules
) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    content = (
        "单位,标题,报送日期,区级采用,刊发平台\n"
        "甲局,省级采用的稿子,2020年8月3日,是,省级\n"
        "甲局,两级采用的稿子,2020/8/4,是,《政务公开经验做法》、看山东\n"
        "乙街道,国家级采用的稿子,２０２０．８．５,是,国务院办公厅门户网站《政务公开工作交流》专栏\n"
        "乙街道,未采用的稿子,2020-08-06,否,\n"
    ).encode("utf-8-sig")
    import_articles(db, "articles.csv", content, rules, "test")
    with db.session() as session:
        found = {
            a.title: (a.submitted_on, a.status, a.best_platform, a.points)
            for a in session.scalars(select(Article))
        }
    assert found == {
        "省级采用的稿子": (dt.date(2020, 8, 3), "published", "province", 20),
        "两级采用的稿子": (dt.date(2020, 8, 4), "published", "province", 20),
        "国家级采用的稿子": (dt.date(2020, 8, 5), "published", "national", 40),
        "未采用的稿子": (dt.date(2020, 8, 6), "submitted", None, 0),
    }


def test_every_platform_is_known_by_its_code_names_level_and_aliases(rules: Rules) -> None:
    named = {
        "province": [
            "province",
            "PROVINCE",
            "省级",
            "看山东",
            "政务公开看山东",
            "《政务公开看山东》",
            "省政府办公厅《政务公开看山东》",
            "省政府门户网站《政务公开看山东》专栏",
            "省级平台",
        ],
        "city": [
            "city",
            "市级",
            "经验做法",
            "《政务公开经验做法》",
            "市政府办公室《政务公开经验做法》",
        ],
        "national": ["national", "国家级", "工作交流", "《政务公开工作交流》", "中国政府网"],
        "national_press": ["national_press", "国家级报刊", "其它国家级报刊", "其他国家级报刊"],
    }
    for code, spellings in named.items():
        for spelling in spellings:
            platform = rules.platform_named(spelling)
            assert platform is not None and platform.code == code, spelling
    assert rules.platform_named("县级") is None


def test_a_missing_column_is_named_in_chinese(db: Database, rules: Rules) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    with pytest.raises(UserError, match=r"表头缺少列 刊发平台（published_in）"):
        import_articles(db, "a.csv", "单位,标题,报送日期,区级采用\n".encode(), rules, "test")


def test_a_publication_date_is_kept_and_checked(db: Database, rules: Rules) -> None:
    import_units(db, "units.csv", UNITS.encode(), "test")
    bad = (
        "单位,标题,报送日期,区级采用,刊发平台,刊发日期\n"
        "甲局,没有平台却有日期,2020-08-03,是,,2020-08-10\n"
        "甲局,刊发早于报送,2020-08-03,是,省级,2020-08-01\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        import_articles(db, "a.csv", bad, rules, "test")
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (2, "已填写刊发日期，但没有刊发平台"),
        (3, "刊发日期早于报送日期"),
    ]
    header = "单位,标题,报送日期,区级采用,刊发平台,刊发日期\n"
    good = header + "甲局,好稿,2020-08-03,是,省级,2020年8月10日\n"
    import_articles(db, "a.csv", good.encode(), rules, "test")
    with db.session() as session:
        assert session.scalars(select(Publication.published_on)).all() == [dt.date(2020, 8, 10)]
