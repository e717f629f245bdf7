"""The lines that changed between two sources, as the history and fix pages show them: hunks
with a few lines of context, each line numbered on its side, and the issues fixed or new on it.

Lines are split as ruff counts them (`core.diffs.source_lines`), so an issue's line number
points at the line shown; control and bidi characters are made visible (`visible`)."""

import difflib
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.diffs import source_lines
from core.review import Issue
from core.source_excerpts import visible

CONTEXT_LINES = 3  # unchanged lines shown around a change
MOST_LINES = 3000  # lines shown in all; past them the diff is cut (`truncated`)
TAB_WIDTH = 4


class LineKind(enum.StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class IssueMark:
    """An issue on a line of the diff: `fixed` on the earlier side, `new` on the later."""

    code: str
    message: str
    fixed: bool


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    old: int | None  # its number in the earlier source (None for an added line)
    new: int | None  # in the later one (None for a removed line)
    text: str
    marks: tuple[IssueMark, ...] = ()


@dataclass(frozen=True)
class Hunk:
    old_start: int
    new_start: int
    lines: list[DiffLine]

    @property
    def rows(self) -> list[tuple[DiffLine | None, DiffLine | None]]:
        """Side by side: an unchanged line on both sides, and each run of removed lines beside
        the run of added lines that replaces it (the shorter padded with None)."""
        rows: list[tuple[DiffLine | None, DiffLine | None]] = []
        removed: list[DiffLine] = []
        added: list[DiffLine] = []

        def flush() -> None:
            for index in range(max(len(removed), len(added))):
                rows.append(
                    (
                        removed[index] if index < len(removed) else None,
                        added[index] if index < len(added) else None,
                    )
                )
            removed.clear()
            added.clear()

        for line in self.lines:
            if line.kind is LineKind.SAME:
                flush()
                rows.append((line, line))
            elif line.kind is LineKind.REMOVED:
                if added:
                    flush()
                removed.append(line)
            else:
                added.append(line)
        flush()
        return rows


@dataclass(frozen=True)
class TextDiff:
    hunks: list[Hunk] = field(default_factory=list)
    added: int = 0  # lines added in all (also those past the cut)
    removed: int = 0
    truncated: bool = False  # more lines than MOST_LINES: the rest is not shown

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def text_diff(
    before: bytes,
    after: bytes,
    *,
    fixed: Iterable[Issue] = (),
    new: Iterable[Issue] = (),
    context: int = CONTEXT_LINES,
    most_lines: int = MOST_LINES,
) -> TextDiff:
    """The hunks from `before` to `after`, marking `fixed` issues (of `before`) and `new` ones
    (of `after`) on their lines. CPU-bound on large files: run it in a thread."""
    old_lines, new_lines = _lines(before), _lines(after)
    fixed_on, new_on = _by_line(fixed, fixed=True), _by_line(new, fixed=False)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines)
    hunks: list[Hunk] = []
    shown = added = removed = 0
    truncated = False
    for group in matcher.get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag in {"replace", "delete"}:
                removed += i2 - i1
            if tag in {"replace", "insert"}:
                added += j2 - j1
            if truncated:
                continue
            for line in _group_lines(tag, i1, i2, j1, j2, old_lines, new_lines, fixed_on, new_on):
                if shown >= most_lines:
                    truncated = True
                    break
                lines.append(line)
                shown += 1
        if lines:
            first_old, first_new = group[0][1], group[0][3]
            hunks.append(Hunk(old_start=first_old + 1, new_start=first_new + 1, lines=lines))
    return TextDiff(hunks=hunks, added=added, removed=removed, truncated=truncated)


def _group_lines(
    tag: str,
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    old_lines: Sequence[str],
    new_lines: Sequence[str],
    fixed_on: dict[int, list[IssueMark]],
    new_on: dict[int, list[IssueMark]],
) -> Iterable[DiffLine]:
    if tag == "equal":
        for offset in range(i2 - i1):
            old, new = i1 + offset + 1, j1 + offset + 1
            marks = (*fixed_on.get(old, ()), *new_on.get(new, ()))
            yield DiffLine(LineKind.SAME, old, new, _shown(new_lines[new - 1]), marks)
        return
    for old in range(i1 + 1, i2 + 1):
        yield DiffLine(
            LineKind.REMOVED, old, None, _shown(old_lines[old - 1]), tuple(fixed_on.get(old, ()))
        )
    for new in range(j1 + 1, j2 + 1):
        yield DiffLine(
            LineKind.ADDED, None, new, _shown(new_lines[new - 1]), tuple(new_on.get(new, ()))
        )


def _lines(content: bytes) -> list[str]:
    lines = source_lines(content)
    if lines[-1] == "":
        lines.pop()  # the end of the last line, not a line of its own
    return lines


def _shown(line: str) -> str:
    return visible(line.expandtabs(TAB_WIDTH))


def _by_line(issues: Iterable[Issue], *, fixed: bool) -> dict[int, list[IssueMark]]:
    marks: dict[int, list[IssueMark]] = defaultdict(list)
    for issue in issues:
        marks[issue.line].append(IssueMark(code=issue.code, message=issue.message, fixed=fixed))
    return marks
