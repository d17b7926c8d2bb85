"""What the command line writes: paths checked first, dated documents, tables that fit."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from docx import Document

from bot.cli import main
from storage.db import Database


def columns(line: str) -> int:
    """Terminal columns of ``line``."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("where", ["missing", "folder"])
def test_an_output_path_that_cannot_be_written_is_one_line_before_any_work(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    target = str(tmp_path / "missing" / "x.docx") if where == "missing" else str(tmp_path)
    capsys.readouterr()
    assert main(["bulletin", "--month", "2020-07", "--format", "docx", "-o", target]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"无法写入 {target}：") and err.count("\n") == 1
    assert not (tmp_path / "missing").exists()


def test_a_bulletin_rendered_later_keeps_its_date(
    gaoxin: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "通报.docx"
    assert main(["bulletin", "--month", "2020-07", "--format", "docx", "-o", str(out)]) == 0
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "2020年8月5日" in texts  # the 3rd working day of August 2020, when it was due
    assert "2026年" not in "".join(texts[:40])
    dated = ["bulletin", "--month", "2020-07", "--format", "docx", "--date", "2020-07-30"]
    assert main([*dated, "-o", str(out)]) == 0
    assert "2020年7月30日" in [p.text for p in Document(str(out)).paragraphs]
    assert main(["bulletin", "--month", "2020-07", "--date", "7月30日"]) == 1
    assert "日期格式错误" in capsys.readouterr().err


def test_a_ranking_across_years_names_each_year_once(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["rank", "--from", "2020-07", "--to", "2021-02"]) == 0
    assert capsys.readouterr().out.startswith("2020年7月—2021年2月政务公开工作信息得分情况")


def test_the_ranking_table_fits_100_columns_unless_asked_wide(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["rank", "--from", "2020-01", "--to", "2020-07"]) == 0
    narrow = capsys.readouterr().out.splitlines()
    assert max(columns(line) for line in narrow) <= 100
    assert any("行政审批服务" in line for line in narrow)
    assert main(["rank", "--from", "2020-01", "--to", "2020-07", "--wide"]) == 0
    wide = capsys.readouterr().out.splitlines()
    assert any("行政审批服务局（市场监督管理局）" in line for line in wide)
    assert max(columns(line) for line in wide) > 100


def test_db_upgrade_says_what_it_did(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["db", "upgrade"]) == 0
    first = capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    second = capsys.readouterr().out
    if "sqlite" in env:
        assert first.startswith("已创建数据库（版本 ")
    assert second.startswith("数据库已是最新版本（版本 ") and "未做改动" in second


def test_the_ledger_prints_a_summary_and_its_rows_on_request(
    jining: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ledger", "--year", "2021"]) == 0
    summary = capsys.readouterr().out.splitlines()
    assert summary[0].startswith("政务公开工作任务台账（截至 ")
    assert summary[1].startswith("任务 66 项，任务分工 ")
    assert len(summary) < 40
    assert main(["ledger", "--year", "2021", "--all"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 500


def test_the_ledger_without_tasks_says_how_to_import_them(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ledger"]) == 1
    assert "gongkai import tasks" in capsys.readouterr().err


def test_the_assessment_takes_the_date_it_is_issued(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "jining-2020"
    monkeypatch.setenv("GONGKAI_RULES", str(example / "rules.toml"))
    assert main(["import", "units", str(example / "units.csv")]) == 0
    assert main(["import", "scores", str(example / "scores.csv")]) == 0
    assert main(["import", "evaluations", str(example / "evaluations.csv")]) == 0
    out = tmp_path / "考核.docx"
    argv = ["assessment", "--year", "2020", "--format", "docx", "--date", "2021-01-20"]
    assert main([*argv, "-o", str(out)]) == 0
    assert "2021年1月20日" in [p.text for p in Document(str(out)).paragraphs]
