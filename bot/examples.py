"""The example offices shipped in ``examples/``: their rules and their data, for the demo and
for ``gongkai console --example NAME``."""

from __future__ import annotations

from pathlib import Path

from domain.articles import import_articles
from domain.errors import UserError
from domain.evaluations import import_evaluations
from domain.rules import Rules, load_rules
from domain.score_sheets import import_score_sheets
from domain.tasks import import_tasks
from domain.units import import_units
from storage.db import Database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_names() -> list[str]:
    """The examples shipped: ``gaoxin-2020``, ``jining-2021``, …"""
    return sorted(p.name for p in EXAMPLES.iterdir() if (p / "units.csv").is_file())


def example_rules(name: str = "gaoxin-2020") -> Rules:
    """The example office's rules: its own ``rules.toml``, else the built-in ones.

    The 高新区 office (seed 002) uses the built-in rules and has owed articles since the
    专项部署 of May 2020 (高新管办通知〔2020〕11号), so 一月一通报 counts idle months from then.
    """
    own = EXAMPLES / name / "rules.toml"
    if own.is_file():
        return load_rules(own)
    rules = load_rules()
    if name == "gaoxin-2020":
        since = rules.escalation.model_copy(update={"since": "2020-05"})
        rules = rules.model_copy(update={"escalation": since})
    return rules


def load_example(db: Database, name: str, rules: Rules, actor: str) -> list[str]:
    """Import every file of the example ``name`` (units first); what each import said."""
    if name not in example_names():
        raise UserError(f"没有示例“{name}”。可用：{'、'.join(example_names())}")
    folder = EXAMPLES / name
    year = int(name.rsplit("-", 1)[-1])

    def read(file: str) -> bytes | None:
        path = folder / file
        return path.read_bytes() if path.is_file() else None

    said = []
    units = read("units.csv")
    assert units is not None
    said.append(import_units(db, "units.csv", units, actor).summary())
    if (articles := read("articles.csv")) is not None:
        said.append(import_articles(db, "articles.csv", articles, rules, actor).summary())
    if (tasks := read("tasks.csv")) is not None:
        said.append(import_tasks(db, "tasks.csv", tasks, rules, year, actor).summary())
    if (scores := read("scores.csv")) is not None:
        said.append(import_score_sheets(db, "scores.csv", scores, rules, actor).summary())
    if (evaluations := read("evaluations.csv")) is not None:
        said.append(import_evaluations(db, "evaluations.csv", evaluations, actor).summary())
    return said
