"""The dependency rule (docs/architecture.md): the domain imports nothing of ours, the
implementations only the domain, the jobs and the bot the domain and the implementations, and
only the entry points pick among all of them. Every import statement counts, including those
inside functions and under `if TYPE_CHECKING:`."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"core", "infra", "checks", "bot", "webapp", "reviewbot", "tests", "bench", "migrations"}
# What each package may import of ours, besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "infra": {"core"},
    "checks": {"core", "infra"},
    "bot": {"core", "infra"},
    # The Mini App is Telegram's other face: it says what the bot says (its texts).
    "webapp": {"core", "infra", "bot"},
    "reviewbot": {"core", "infra", "checks", "bot", "webapp"},
}


def imported_modules(source: str | bytes, package: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """Each module a file of `package` imports, with the line of its statement; relative
    imports are resolved against the package (`from .. import x` names the module `x`)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            if node.module is not None:
                yield node.lineno, ".".join([*base, node.module])
            else:
                for alias in node.names:
                    yield node.lineno, ".".join([*base, alias.name])


def forbidden_imports(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        inside = path.relative_to(ROOT).parts[:-1]
        for line, module in imported_modules(path.read_bytes(), inside):
            top = module.partition(".")[0]
            if top in OURS and top != package and top not in ALLOWED[package]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_every_package_imports_only_what_the_rule_allows() -> None:
    forbidden = [found for package in ALLOWED for found in forbidden_imports(package)]

    assert forbidden == [], "forbidden imports:\n" + "\n".join(forbidden)


def test_the_walk_finds_imports_in_functions_type_checking_and_relative_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from bot.app import build_bot\n"
        "def f() -> None:\n"
        "    import checks.worker\n"
        "from ... import infra\n"
        "from ..models import Base\n"
        "from . import files\n"
    )

    found = sorted(imported_modules(source, ("core", "services")))

    assert found == [
        (1, "typing"),
        (3, "bot.app"),
        (5, "checks.worker"),
        (6, "infra"),
        (7, "core.models"),
        (8, "core.services.files"),
    ]
