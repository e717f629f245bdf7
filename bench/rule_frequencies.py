"""Which rules fire on a folder of Python files, and how often: ruff run the way a check runs it
(`--isolated`, only a preset's selectors) over every `.py` file under the folder, then per rule
the number of issues and the number of files it fires in, most frequent first.

docs/rule-cards.md used it to choose the rules that have a card.

    .venv/bin/python -m bench.rule_frequencies FOLDER [--preset pep8|strict] [--top N] [--markdown]
"""

import argparse
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.presets import RulePreset

PRESETS = {preset.value: preset for preset in (RulePreset.PEP8, RulePreset.STRICT)}
SYNTAX_ERROR = "syntax-error"
RUFF_SYNTAX_CODES = {None, "invalid-syntax"}  # how ruff reports a file it cannot parse


@dataclass(frozen=True)
class Frequency:
    code: str
    count: int  # issues
    files: int  # files it fires in


@dataclass(frozen=True)
class Frequencies:
    files: int  # `.py` files checked
    rules: tuple[Frequency, ...]  # most issues first, then most files, then by code
    syntax_errors: int  # files ruff could not parse


def ruff_path() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]  # noqa: PLC0415

    return str(find_ruff_bin())


def python_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if path.is_file())


def run_ruff(files: Sequence[Path], selectors: Sequence[str]) -> list[dict[str, object]]:
    """ruff's JSON diagnostics for `files`, checked with only `selectors` and no configuration
    of their own (`--isolated`), the way a check runs it."""
    if not files:
        return []
    args = [ruff_path(), "check", "--isolated", "--no-cache", "--select", ",".join(selectors)]
    args += ["--output-format", "json", "--exit-zero", "--no-respect-gitignore"]
    output = subprocess.run(  # noqa: S603 - our own ruff, arguments we build
        [*args, "--", *map(str, files)], capture_output=True, check=True
    ).stdout
    diagnostics: list[dict[str, object]] = json.loads(output)
    return diagnostics


def count(diagnostics: Iterable[dict[str, object]], files: int) -> Frequencies:
    issues: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    for diagnostic in diagnostics:
        found = diagnostic.get("code")
        code = SYNTAX_ERROR if found in RUFF_SYNTAX_CODES else str(found)
        issues[code] += 1
        where.setdefault(code, set()).add(str(diagnostic["filename"]))
    broken = len(where.pop(SYNTAX_ERROR, set()))
    issues.pop(SYNTAX_ERROR, None)
    rules = [Frequency(code, issues[code], len(where[code])) for code in issues]
    rules.sort(key=lambda rule: (-rule.count, -rule.files, rule.code))
    return Frequencies(files=files, rules=tuple(rules), syntax_errors=broken)


def frequencies(folder: Path, preset: RulePreset) -> Frequencies:
    files = python_files(folder)
    return count(run_ruff(files, preset.selectors), len(files))


def render(result: Frequencies, top: int | None, *, markdown: bool) -> str:
    rules = result.rules[:top] if top else result.rules
    total = sum(rule.count for rule in result.rules)
    summary = (
        f"{result.files} files, {total} issues of {len(result.rules)} rules, "
        f"{result.syntax_errors} files ruff cannot parse"
    )
    if markdown:
        lines = ["| # | rule | issues | files |", "|---:|---|---:|---:|"]
        lines += [
            f"| {rank} | {rule.code} | {rule.count} | {rule.files} |"
            for rank, rule in enumerate(rules, 1)
        ]
    else:
        lines = [f"{'rule':<10} {'issues':>7} {'files':>6}"]
        lines += [f"{rule.code:<10} {rule.count:>7} {rule.files:>6}" for rule in rules]
    return "\n".join([summary, "", *lines])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rule frequencies of a folder under a preset.")
    parser.add_argument("folder", type=Path, help="checked with every .py file under it")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="strict")
    parser.add_argument("--top", type=int, default=None, help="only the N most frequent rules")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    result = frequencies(args.folder, PRESETS[args.preset])
    print(render(result, args.top, markdown=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
