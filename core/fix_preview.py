"""What ruff's fix of one issue changes, as a small before → after of the affected lines.

Pure: from the checked version's lines (split as ruff counts them, `core.diffs.source_lines`,
so CRLF and CR files number their lines as ruff does) and the issue's `Fix`. ruff's edit
positions are 1-based, in characters (code points) of the line, which is what Python indexes:
a non-ASCII line needs no conversion. The lines before are the version's lines the edits touch
(an edit ending at column 1 of a line ends with the line break before it, so that line is not
touched), the lines after are the same text with the edits applied; lines that come out the
same at either end are left out, so what remains is exactly what `ruff check --fix` changes
there (a line break added at the end shows as an empty line added).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.review import Applicability, Edit, Fix
from core.source_excerpts import visible

# Line breaks as ruff counts them (an edit's text may hold any of them).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# A preview shows at most this many lines on each side; the rest are counted.
MAX_PREVIEW_LINES = 6
# The longest line a page (the HTML report, the Mini App) shows of a preview, in characters.
DOCUMENT_WIDTH = 500


@dataclass(frozen=True)
class PreviewLine:
    number: int  # in the version (before) or in the version with this fix alone applied (after)
    text: str  # without its line break


@dataclass(frozen=True)
class FixPreview:
    """An issue's fix as the reports show it. Without edits (ruff gave none, or they were too
    long to keep) `before` and `after` are empty and only the message is shown."""

    applicability: Applicability
    message: str | None
    before: tuple[PreviewLine, ...] = ()
    after: tuple[PreviewLine, ...] = ()
    more: int = 0  # lines left out past MAX_PREVIEW_LINES, both sides together

    @property
    def has_change(self) -> bool:
        return bool(self.before or self.after)


def fix_preview(lines: Sequence[str], fix: Fix, max_lines: int = MAX_PREVIEW_LINES) -> FixPreview:
    """The preview of `fix` on a version whose lines are `lines` (line n is item n - 1)."""
    before, after = changed_lines(lines, fix.edits)
    more = max(0, len(before) - max_lines) + max(0, len(after) - max_lines)
    return FixPreview(
        applicability=fix.applicability,
        message=fix.message,
        before=tuple(before[:max_lines]),
        after=tuple(after[:max_lines]),
        more=more,
    )


def changed_lines(
    lines: Sequence[str], edits: Sequence[Edit]
) -> tuple[list[PreviewLine], list[PreviewLine]]:
    """Every line the edits change: the version's, and what they become (uncut)."""
    edits = [edit for edit in edits if _fits(lines, edit)]
    if not edits:
        return [], []
    first = min(edit.line for edit in edits)
    last = max(first, *(_last_touched(edit) for edit in edits))
    # One line more than the edits touch: an edit that takes a line break away joins it on.
    old = list(lines[first - 1 : last + 1])
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line) + 1)  # each line and its break
    text = "\n".join(old)

    def offset(line: int, column: int) -> int:
        return min(starts[line - first] + column - 1, len(text))

    for edit in sorted(edits, key=lambda e: (e.line, e.column, e.end_line, e.end_column))[::-1]:
        start, end = offset(edit.line, edit.column), offset(edit.end_line, edit.end_column)
        text = text[:start] + edit.content + text[end:]
    new = _LINE_BREAK.split(text)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    at = first + head
    return (
        [PreviewLine(at + n, line) for n, line in enumerate(old[head : len(old) - tail])],
        [PreviewLine(at + n, line) for n, line in enumerate(new[head : len(new) - tail])],
    )


def _last_touched(edit: Edit) -> int:
    """The last line an edit touches: one ending at column 1 ends before that line."""
    if edit.end_column <= 1 and edit.end_line > edit.line:
        return edit.end_line - 1
    return edit.end_line


def _fits(lines: Sequence[str], edit: Edit) -> bool:
    """An edit inside the version (a stored fix of another version is never applied)."""
    if not 1 <= edit.line <= edit.end_line or edit.column < 1 or edit.end_column < 1:
        return False
    if edit.line == edit.end_line and edit.end_column < edit.column:
        return False
    if edit.end_line > len(lines):  # only the start of the line after the last one
        return edit.end_line == len(lines) + 1 and edit.end_column == 1 and edit.line <= len(lines)
    return edit.line <= len(lines) and edit.end_column <= len(lines[edit.end_line - 1]) + 1


def shown_preview(preview: FixPreview, width: int) -> FixPreview:
    """The preview as a page shows it: control and bidi characters made visible and harmless
    (`core.source_excerpts.visible`), each line cut to `width` characters with "…"."""

    def shown(line: PreviewLine) -> PreviewLine:
        text = visible(line.text)
        return PreviewLine(line.number, text[:width] + "…" if len(text) > width else text)

    message = visible(preview.message) if preview.message else None
    return replace(
        preview,
        message=message,
        before=tuple(map(shown, preview.before)),
        after=tuple(map(shown, preview.after)),
    )


def document_fix(lines: Sequence[str], fix: Fix | None) -> FixPreview | None:
    """An issue's fix as the HTML report and the Mini App show it (lines up to DOCUMENT_WIDTH
    characters: they scroll sideways); None without a stored fix."""
    return None if fix is None else shown_preview(fix_preview(lines, fix), DOCUMENT_WIDTH)
