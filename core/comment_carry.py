"""Where a line comment stands in the next version: comments follow the code.

A comment is on lines `first..last` of a version. In the next version:
- the same lines (compared normalized, as the history matcher compares issue lines: indentation
  and runs of whitespace do not count) found in one place: the comment is there, open — code
  that only moved keeps its comment;
- found in several places: the one whose neighbours (two lines above and below) match best,
  then the one nearest to where the unchanged code around it went;
- not found, but the code around it is there and the lines in between were rewritten: the
  comment stands at the rewritten lines, "changed — resolve?";
- not found and the lines were removed: "outdated", with no lines.
"""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from core.diffs import normalize, source_lines
from core.team_models import CommentState

CONTEXT_LINES = 2


def code_lines(content: bytes) -> list[str]:
    """The lines a person sees and comments on: as ruff numbers them, without the empty piece
    after the final line break."""
    lines = source_lines(content)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


@dataclass(frozen=True)
class CarriedTo:
    state: CommentState  # OPEN, CHANGED or OUTDATED
    first_line: int | None = None  # from 1; None when outdated
    last_line: int | None = None


def carry_comment(
    old_lines: Sequence[str], new_lines: Sequence[str], first_line: int, last_line: int
) -> CarriedTo:
    """Where lines `first_line..last_line` (from 1) of `old_lines` stand in `new_lines`."""
    old = [normalize(line) for line in old_lines]
    new = [normalize(line) for line in new_lines]
    start, end = first_line - 1, min(last_line, len(old))
    if not 0 <= start < end:
        return CarriedTo(CommentState.OUTDATED)
    block = old[start:end]
    mapped = _mapped_positions(old, new)
    found = _exact_places(block, new)
    if found:
        expected = _expected_place(mapped, start)
        best = max(
            found,
            key=lambda at: (
                _context_score(old, start, end, new, at),
                -abs(at - expected) if expected is not None else 0,
            ),
        )
        return CarriedTo(CommentState.OPEN, best + 1, best + len(block))
    return _changed_or_outdated(old, new, start, end)


def _exact_places(block: list[str], new: list[str]) -> list[int]:
    size = len(block)
    return [at for at in range(len(new) - size + 1) if new[at : at + size] == block]


def _context_score(old: list[str], start: int, end: int, new: list[str], at: int) -> int:
    """How many of the block's neighbouring lines stand next to it at `at` too."""
    size = end - start
    score = 0
    for offset in range(1, CONTEXT_LINES + 1):
        above_old, above_new = start - offset, at - offset
        if above_old >= 0 and above_new >= 0 and old[above_old] == new[above_new]:
            score += 1
        below_old, below_new = end - 1 + offset, at + size - 1 + offset
        if below_old < len(old) and below_new < len(new) and old[below_old] == new[below_new]:
            score += 1
    return score


def _mapped_positions(old: list[str], new: list[str]) -> dict[int, int]:
    """Old line index → new line index, for the lines a sequence diff keeps."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    mapped: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            mapped[block.a + offset] = block.b + offset
    return mapped


def _expected_place(mapped: dict[int, int], start: int) -> int | None:
    """Where the line at `start` would be, judged by the nearest kept line above it."""
    for index in range(start, -1, -1):
        if index in mapped:
            return mapped[index] + (start - index)
    return None


def _changed_or_outdated(old: list[str], new: list[str], start: int, end: int) -> CarriedTo:
    """The block's lines that a sequence diff keeps or rewrites in place give where it stands
    now (changed); when every one of them was removed, it is outdated."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    places: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        low, high = max(i1, start), min(i2, end)
        if low >= high or tag not in {"equal", "replace"}:
            continue
        places.append(min(j1 + (low - i1), j2 - 1))
        places.append(min(j1 + (high - 1 - i1), j2 - 1))
    if not places:
        return CarriedTo(CommentState.OUTDATED)
    return CarriedTo(CommentState.CHANGED, min(places) + 1, max(places) + 1)
