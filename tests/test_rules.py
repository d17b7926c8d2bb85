"""The rules file: seed 002's 附件3 by default, and a malformed file rejected with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from domain.rules import DEFAULT_RULES_TEXT, RulesError, load_rules
from storage.db import Database
from storage.repos import Repo


def test_builtin_rules_are_seed_002_annex_3() -> None:
    rules = load_rules()
    assert {p.code: p.points for p in rules.platforms} == {
        "national": 40,
        "national_press": 40,
        "province": 20,
        "city": 10,
    }
    assert rules.scoring.unpublished_points == 2
    assert (rules.escalation.supervision_after, rules.escalation.circular_after) == (2, 3)


def test_article_published_twice_scores_once_at_the_highest() -> None:
    rules = load_rules()
    assert rules.points_for("published", {"city", "province"}) == (20, "province")
    assert rules.points_for("published", {"city", "national"}) == (40, "national")


def test_forwarded_unpublished_scores_two_and_pending_scores_nothing() -> None:
    rules = load_rules()
    assert rules.points_for("forwarded", set()) == (2, None)
    assert rules.points_for("submitted", set()) == (0, None)
    assert rules.points_for("declined", set()) == (0, None)


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    broken = DEFAULT_RULES_TEXT.replace("points = 20", "points = = 20")
    line = broken.splitlines().index("points = = 20") + 1
    with pytest.raises(RulesError, match=f"第 {line} 行：TOML 语法错误"):
        load_rules(write_rules(tmp_path, broken))


def test_negative_points_are_rejected_at_their_line(tmp_path: Path) -> None:
    broken = DEFAULT_RULES_TEXT.replace("points = 40", "points = -40", 1)
    line = broken.splitlines().index("points = -40") + 1
    with pytest.raises(RulesError, match=f"第 {line} 行：platforms.2.points"):
        load_rules(write_rules(tmp_path, broken))


def test_duplicate_platform_codes_are_rejected(tmp_path: Path) -> None:
    broken = DEFAULT_RULES_TEXT.replace('code = "national_press"', 'code = "national"')
    with pytest.raises(RulesError, match="平台代码重复：national"):
        load_rules(write_rules(tmp_path, broken))


def test_unknown_key_is_rejected_at_its_line(tmp_path: Path) -> None:
    broken = DEFAULT_RULES_TEXT.replace(
        "unpublished_points = 2", "unpublished_points = 2\nunpublishd = 3"
    )
    line = broken.splitlines().index("unpublishd = 3") + 1
    with pytest.raises(RulesError, match=f"第 {line} 行：scoring.unpublishd"):
        load_rules(write_rules(tmp_path, broken))


def test_circular_must_come_after_supervision(tmp_path: Path) -> None:
    broken = DEFAULT_RULES_TEXT.replace("circular_after = 3", "circular_after = 2")
    with pytest.raises(RulesError, match="circular_after 必须大于 supervision_after"):
        load_rules(write_rules(tmp_path, broken))


def test_cli_refuses_to_start_on_a_malformed_rules_file(
    gaoxin: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_rules(tmp_path, DEFAULT_RULES_TEXT.replace("points = 10", "points = 'ten'"))
    monkeypatch.setenv("GONGKAI_RULES", str(path))
    capsys.readouterr()
    assert main(["rank", "--to", "2020-07"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"规则文件 {path} 第 ")
    assert "platforms.0.points" in err


def test_changed_points_in_the_rules_file_rescore_every_article_once(
    gaoxin: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = DEFAULT_RULES_TEXT.replace("unpublished_points = 2", "unpublished_points = 3")
    text = text.replace("points = 20", "points = 25")
    monkeypatch.setenv("GONGKAI_RULES", str(write_rules(tmp_path, text)))
    capsys.readouterr()
    assert main(["rank", "--from", "2020-01", "--to", "2020-07", "--format", "json"]) == 0
    scores = {r["unit"]: r["score"] for r in json.loads(capsys.readouterr().out)}
    assert scores["党政办公室"] == 35  # 10 + 25
    assert scores["党工委政法委"] == 13  # 10 + 3
    assert scores["接庄街道"] == 3
    assert main(["rank", "--to", "2020-07"]) == 0
    with gaoxin.session() as session:
        rescores = Repo(session).audit.entries("article.rescore")
    assert len(rescores) == 1
    assert rescores[0].after == {"fingerprint": rescores[0].after["fingerprint"], "articles": 17}  # type: ignore[index]


def test_publications_on_a_platform_dropped_from_the_rules_score_nothing() -> None:
    rules = load_rules()
    assert rules.points_for("published", {"county"}) == (0, None)
    assert rules.points_for("published", {"county", "city"}) == (10, "city")
