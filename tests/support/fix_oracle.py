"""ruff itself as the oracle of a fix preview: run `ruff check --fix` (with `--unsafe-fixes`
for an unsafe fix) for one rule on a copy of the file, and take the lines it changed."""

import difflib
import subprocess
from pathlib import Path

from core.diffs import source_lines
from tests.support.reports import RUFF

# (line number, text) of the lines before, and of the lines after
Change = tuple[list[tuple[int, str]], list[tuple[int, str]]]


def ruff_fixed(content: bytes, code: str, folder: Path, *, unsafe: bool) -> bytes:
    """The file as `ruff check --isolated --select CODE --fix` leaves it."""
    path = folder / f"fix_{code}.py"
    path.write_bytes(content)
    command = [RUFF, "check", "--isolated", "--select", code, "--fix", "--exit-zero", "-q"]
    subprocess.run(
        [*command, *(["--unsafe-fixes"] if unsafe else []), path], check=True, capture_output=True
    )
    return path.read_bytes()


def ruff_change(content: bytes, code: str, folder: Path, *, unsafe: bool) -> Change:
    """The lines ruff's fix of `code` changes (lines as ruff counts them): from the first
    changed line to the last, unchanged ones between them included (a fix may edit in two
    places, as B006's new default and the line it adds to the body)."""
    before = source_lines(content)
    after = source_lines(ruff_fixed(content, code, folder, unsafe=unsafe))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert changed, f"ruff's fix of {code} changed nothing"
    i1, j1 = changed[0][1], changed[0][3]
    i2, j2 = changed[-1][2], changed[-1][4]
    return (
        [(i1 + 1 + n, line) for n, line in enumerate(before[i1:i2])],
        [(j1 + 1 + n, line) for n, line in enumerate(after[j1:j2])],
    )
