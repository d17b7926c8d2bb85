"""The example offices shipped in ``examples/``: their rules and their data, for the demo and
for ``gongkai console --example NAME``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.articles import import_articles
from domain.errors import UserError
from domain.evaluations import import_evaluations
from domain.offices import add_office, rename_office, resolve_office
from domain.rules import Rules, load_rules, parse_rules
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


@dataclass(frozen=True)
class CityOffice:
    """An office of ``examples/jining-city``: its unit in the city, its rules and its files
    (paths relative to ``examples/``)."""

    name: str
    unit: str | None
    rules: str
    units: str
    articles: tuple[str, ...]


# The city first (the root: its rules are GONGKAI_RULES), then its districts.
CITY_OFFICES = (
    CityOffice(
        "济宁市",
        None,
        "jining-city/rules.toml",
        "jining-2021/units.csv",
        ("jining-city/articles.csv",),
    ),
    CityOffice(
        "济宁高新区",
        "济宁高新区管委会",
        "jining-city/gaoxin.toml",
        "gaoxin-2020/units.csv",
        ("gaoxin-2020/articles.csv", "jining-city/gaoxin-articles.csv"),
    ),
    CityOffice(
        "任城区",
        "任城区政府",
        "jining-city/rencheng.toml",
        "jining-city/rencheng-units.csv",
        ("jining-city/rencheng-articles.csv",),
    ),
)
CITY_TASKS, CITY_TASKS_YEAR = "jining-2021/tasks.csv", 2021


def city_rules() -> Rules:
    """The city's own rules (the deployment's, ``GONGKAI_RULES`` in the example's README)."""
    return load_rules(EXAMPLES / CITY_OFFICES[0].rules)


def load_city(db: Database, actor: str) -> list[str]:
    """Make ``db`` (a new database: one root office) the city's deployment of the example:
    the root renamed 济宁市 with its units, its 2021 tasks and its history, then each district
    under it with its own rules, units and history. What each step said."""
    city, *districts = CITY_OFFICES
    rules = city_rules()
    rename_office(db, resolve_office(db, None).name, city.name, actor)
    said = _load_office(db, city, rules, actor)
    tasks = (EXAMPLES / CITY_TASKS).read_bytes()
    said.append(import_tasks(db, "tasks.csv", tasks, rules, CITY_TASKS_YEAR, actor).summary())
    for district in districts:
        text = (EXAMPLES / district.rules).read_text(encoding="utf-8")
        office = add_office(db, district.name, city.name, text, actor, unit_name=district.unit)
        own = parse_rules(text, district.rules)
        said += _load_office(db.scoped(office.id), district, own, actor)
    return said


def _load_office(db: Database, office: CityOffice, rules: Rules, actor: str) -> list[str]:
    units = (EXAMPLES / office.units).read_bytes()
    said = [import_units(db, "units.csv", units, actor).summary()]
    for articles in office.articles:
        content = (EXAMPLES / articles).read_bytes()
        said.append(import_articles(db, Path(articles).name, content, rules, actor).summary())
    return [f"{office.name}：{line}" for line in said]
