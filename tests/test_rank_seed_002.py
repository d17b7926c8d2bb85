"""`gongkai rank` on the 高新区 example reproduces seed 002's 附件1 exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.cli import main
from storage.db import Database

# 附件1: unit, 经验做法, 看山东, 工作交流, 其它国家级报刊, 报送, 采用, 得分.
# 党政办公室 reads "2 1 2 2 30" in the extracted text; the column totals say 1 city + 1 province.
ANNEX_1 = [
    ("党政办公室", 1, 1, 0, 0, 2, 2, 30),
    ("行政审批服务局（市场监督管理局）", 3, 0, 0, 0, 3, 3, 30),
    ("公安分局", 0, 1, 0, 0, 1, 1, 20),
    ("综合行政执法局", 0, 1, 0, 0, 1, 1, 20),
    ("党工委政法委", 1, 0, 0, 0, 2, 1, 12),
    ("经济发展局", 1, 0, 0, 0, 1, 1, 10),
    ("发展软环境保障局", 1, 0, 0, 0, 1, 1, 10),
    ("生态环境分局", 1, 0, 0, 0, 1, 1, 10),
    ("消防救援大队", 1, 0, 0, 0, 1, 1, 10),
    ("党工委宣传部", 1, 0, 0, 0, 1, 1, 10),
    ("洸河街道", 1, 0, 0, 0, 1, 1, 10),
    ("黄屯街道", 1, 0, 0, 0, 1, 1, 10),
    ("接庄街道", 0, 0, 0, 0, 1, 0, 2),
    ("财政金融局", 0, 0, 0, 0, 0, 0, 0),
    ("城乡建设和交通局", 0, 0, 0, 0, 0, 0, 0),
    ("投资促进局", 0, 0, 0, 0, 0, 0, 0),
    ("自然资源和规划分局", 0, 0, 0, 0, 0, 0, 0),
    ("统计工作处", 0, 0, 0, 0, 0, 0, 0),
    ("交警大队", 0, 0, 0, 0, 0, 0, 0),
    ("科技创新局", 0, 0, 0, 0, 0, 0, 0),
    ("城乡统筹发展局", 0, 0, 0, 0, 0, 0, 0),
    ("应急管理局", 0, 0, 0, 0, 0, 0, 0),
    ("党工委组织部（人力资源部）", 0, 0, 0, 0, 0, 0, 0),
    ("柳行街道", 0, 0, 0, 0, 0, 0, 0),
    ("王因街道", 0, 0, 0, 0, 0, 0, 0),
]
RANKS = [1, 1, 3, 3, 5, 6, 6, 6, 6, 6, 6, 6, 13, *[14] * 12]


def rank_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["rank", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_reproduces_seed_002_annex_1_row_by_row(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rank_json(capsys, "--from", "2020-01", "--to", "2020-07")
    got = [
        (
            r["unit"],
            r["by_platform"]["city"],  # type: ignore[index]
            r["by_platform"]["province"],  # type: ignore[index]
            r["by_platform"]["national"],  # type: ignore[index]
            r["by_platform"]["national_press"],  # type: ignore[index]
            r["submitted"],
            r["published"],
            r["score"],
        )
        for r in rows
    ]
    assert got == ANNEX_1
    assert [r["rank"] for r in rows] == RANKS


def test_rank_totals_match_seed_002_basic_figures(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rank_json(capsys, "--from", "2020-01", "--to", "2020-07")
    assert sum(r["submitted"] for r in rows) == 17  # type: ignore[misc]
    assert sum(r["by_platform"]["province"] for r in rows) == 3  # type: ignore[index,misc]
    assert sum(r["by_platform"]["city"] for r in rows) == 12  # type: ignore[index,misc]
    assert sum(r["unpublished"] for r in rows) == 2  # type: ignore[misc]
    by_category: dict[str, int] = {}
    for r in rows:
        by_category[r["category"]] = by_category.get(r["category"], 0) + r["submitted"]  # type: ignore[index,operator]
    assert by_category == {"区直部门": 14, "街道": 3, "驻区单位": 0}


def test_rank_table_prints_annex_1_units_in_order_with_scores(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["rank", "--from", "2020-01", "--to", "2020-07", "--wide"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2020年1—7月政务公开工作信息得分情况"
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    body = [line.split() for line in lines[rule + 1 :]]
    assert [cells[1] for cells in body] == [row[0] for row in ANNEX_1]
    assert [int(cells[-1]) for cells in body] == [row[-1] for row in ANNEX_1]
    assert [int(cells[0]) for cells in body] == RANKS


def test_rank_category_filter_keeps_only_that_category_in_order(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rank_json(capsys, "--from", "2020-01", "--to", "2020-07", "--category", "街道")
    assert [(r["rank"], r["unit"], r["score"]) for r in rows] == [
        (1, "洸河街道", 10),
        (1, "黄屯街道", 10),
        (3, "接庄街道", 2),
        (4, "柳行街道", 0),
        (4, "王因街道", 0),
    ]


def test_rank_csv_opens_in_chinese_excel_with_one_column_per_platform(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["rank", "--from", "2020-01", "--to", "2020-07", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff名次,单位,类别,") and "\r\n" in out
    lines = out.removeprefix("\ufeff").splitlines()
    assert lines[0] == (
        "名次,单位,类别,报送数量,采用数量,上报未刊发数量,得分,"
        "《政务公开经验做法》,《政务公开看山东》,《政务公开工作交流》,其它国家级报刊"
    )
    assert lines[1] == "1,党政办公室,区直部门,2,2,0,30,1,1,0,0"
    assert len(lines) == 26


def test_rank_of_one_month_counts_only_that_month(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rank_json(capsys, "--from", "2020-07", "--to", "2020-07")
    scored = [(r["unit"], r["submitted"], r["score"]) for r in rows if r["submitted"]]
    assert scored == [
        ("党工委政法委", 2, 12),
        ("行政审批服务局（市场监督管理局）", 1, 10),
        ("接庄街道", 1, 2),
    ]


def test_rank_unknown_category_is_refused_in_chinese(
    gaoxin: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["rank", "--to", "2020-07", "--category", "乡镇"]) == 1
    err = capsys.readouterr().err
    assert "未知的单位类别“乡镇”" in err
    assert "区直部门、街道、驻区单位" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "2020-13"], "月份格式错误：“2020-13”"),
        (["--from", "2020/01", "--to", "2020-07"], "月份格式错误：“2020/01”"),
        (["--from", "2020-08", "--to", "2020-07"], "起始月份 2020-08 晚于结束月份 2020-07"),
    ],
)
def test_rank_malformed_period_is_refused(
    gaoxin: Database, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["rank", *args]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_console_script_prints_annex_1(gaoxin: Database, env: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "rank",
            "--from",
            "2020-01",
            "--to",
            "2020-07",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "GONGKAI_DATABASE_URL": env},
        check=True,
    )
    rows = json.loads(result.stdout)
    assert [(r["unit"], r["score"]) for r in rows] == [(row[0], row[-1]) for row in ANNEX_1]
