"""The arrows between the packages run one way: ``bot → handlers, jobs → runtime → domain →
storage``, with ``reports`` beside the domain. A module importing against them fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package → the project's packages it may import
ALLOWED = {
    "bot": {"handlers", "jobs", "runtime", "domain", "reports", "storage"},
    "handlers": {"runtime", "domain", "reports"},
    "jobs": {"runtime", "domain", "reports"},
    "runtime": {"domain", "reports", "storage"},
    "reports": {"domain"},
    "domain": {"storage"},
    "storage": set(),
}
# Only the bot's edges speak Telegram.
TELEGRAM_FREE = {"domain", "storage", "reports"}


def imports_of(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def modules(package: str) -> list[Path]:
    # Migrations are scripts Alembic loads by path, each frozen as of its day: not storage's API.
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = []
    for path in modules(package):
        for name in imports_of(path) & set(ALLOWED):
            if name != package and name not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
        if package in TELEGRAM_FREE and "telegram" in imports_of(path):
            wrong.append(f"{path.relative_to(ROOT)} imports telegram")
    assert wrong == []


def sessions_used(path: Path) -> list[int]:
    """Lines where a module names a database session or imports SQLAlchemy itself."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        named = (isinstance(node, ast.Name) and node.id == "session") or (
            isinstance(node, ast.Attribute) and node.attr == "session"
        )
        imported = isinstance(node, ast.ImportFrom | ast.Import) and "sqlalchemy" in ast.unparse(
            node
        )
        if named or imported:
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_domain_reaches_the_database_only_through_its_repositories() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in modules("domain")
        if (lines := sessions_used(path))
    }
    assert found == {}


MARKUP = re.compile(r"</?(b|i|u|s|a|pre|code|blockquote)[ >]")


def markup_built(path: Path) -> list[int]:
    """Lines where a module escapes HTML or writes a Telegram HTML tag."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = {alias.name for alias in node.names} | {getattr(node, "module", None)}
            if "html" in names:
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MARKUP.search(node.value)
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_domain_leaves_the_words_of_chat_messages_to_reports() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in modules("domain")
        if (lines := markup_built(path))
    }
    assert found == {}


def test_the_check_sees_a_wrong_arrow(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "def f(db):\n    from handlers.common import answer\n    import telegram\n"
        "    with db.session() as session:\n        session.add(1)\n"
    )
    assert imports_of(module) == {"handlers", "telegram"}
    assert sessions_used(module) == [4, 5]
    worded = tmp_path / "worded.py"
    worded.write_text('import html\n\ndef f(t):\n    return f"<b>{html.escape(t)}</b>"\n')
    assert markup_built(worded) == [1, 4]


def test_every_package_is_in_the_map() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(ALLOWED)
