"""What changed between two reviews of a file: issues fixed, new and remaining.

Issues are matched by their rule code and the text of the line they point at, with runs of
whitespace collapsed and the ends stripped; never by line number. Code that only moved (lines
added above it, a block re-indented) keeps its issues: nothing fixed, nothing new. Each issue
matches at most one issue of the other review, so two identical issues of which one went away
count as one fixed and one remaining (a multiset of (code, line) keys).
"""

import re
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from core.review import Issue

# Line breaks as ruff counts lines (not str.splitlines, which also breaks at \f, \x1c, \u2028…).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"

IssueKey = tuple[str, str]


@dataclass(frozen=True)
class Reviewed:
    """One version's source as uploaded and the issues its check found."""

    content: bytes
    issues: Sequence[Issue]


@dataclass(frozen=True)
class IssueDiff:
    """`fixed` are issues of the earlier review, `new` and `remaining` of the later one (in its
    order); `new` and `remaining` together are every issue of the later review."""

    fixed: tuple[Issue, ...]
    new: tuple[Issue, ...]
    remaining: tuple[Issue, ...]

    def new_first(self) -> list[Issue]:
        """The later review's issues, the new ones first."""
        return [*self.new, *self.remaining]


def source_lines(content: bytes) -> list[str]:
    """The lines of an uploaded source as ruff numbers them (line n is item n - 1)."""
    text = content.decode("utf-8", "replace").removeprefix(_BOM)
    return _LINE_BREAK.split(text)


def normalize(line: str) -> str:
    """A line with its indentation, trailing spaces and inner runs of whitespace made equal."""
    return " ".join(line.split())


def issue_key(issue: Issue, lines: Sequence[str]) -> IssueKey:
    """What identifies an issue across versions: its code and its normalized line. A line
    ruff places past the end (a syntax error at the end of the file) is the empty line."""
    text = lines[issue.line - 1] if 1 <= issue.line <= len(lines) else ""
    return issue.code, normalize(text)


def diff_issues(before: Reviewed, after: Reviewed) -> IssueDiff:
    """Issues fixed since `before`, new in `after`, and remaining from one to the other.

    Issues of one key pair up one to one, as many as the fewer side has. Among them, those with
    the same message pair first, so `import os, sys` that lost only `os` shows the unused `os`
    fixed and the unused `sys` remaining (the counts would be the same either way)."""
    before_keys = _keys(before)
    after_keys = _keys(after)
    matched_before: set[int] = set()
    matched_after: set[int] = set()
    for with_message in (True, False):
        waiting: dict[tuple[str, ...], deque[int]] = defaultdict(deque)
        for index, key in enumerate(before_keys):
            if index not in matched_before:
                waiting[_pairing(key, before.issues[index], with_message)].append(index)
        for index, key in enumerate(after_keys):
            candidates = waiting.get(_pairing(key, after.issues[index], with_message))
            if index not in matched_after and candidates:
                matched_before.add(candidates.popleft())
                matched_after.add(index)
    return IssueDiff(
        fixed=tuple(i for n, i in enumerate(before.issues) if n not in matched_before),
        new=tuple(i for n, i in enumerate(after.issues) if n not in matched_after),
        remaining=tuple(i for n, i in enumerate(after.issues) if n in matched_after),
    )


def _keys(reviewed: Reviewed) -> list[IssueKey]:
    lines = source_lines(reviewed.content)
    return [issue_key(issue, lines) for issue in reviewed.issues]


def _pairing(key: IssueKey, issue: Issue, with_message: bool) -> tuple[str, ...]:
    return (*key, issue.message) if with_message else key
