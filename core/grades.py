"""A check's grade, A to E, and the smallest set of fixes that reaches the next better one.

Pure: no database, no ruff. The rules (docs/grades.md, the table in README.md):

- Each issue weighs by its rule's family: errors and likely bugs (pyflakes `F`, bugbear `B`,
  pycodestyle's `E9` errors, pylint's errors `PLE`, syntax errors) weigh `HEAVY`; every other
  rule (style, naming, simplifications…) weighs `LIGHT`. Issues counted beyond the kept ones of
  a truncated check weigh `LIGHT` (their rules are not known).
- The score is the weighted issues per 100 lines, a file shorter than `LINE_FLOOR` lines counting
  as `LINE_FLOOR` lines long (one slip in a 3-line snippet is not 33 per 100 lines).
- The grade is the best one whose `THRESHOLDS` the score does not exceed; a syntax error is E.
- Every issue counts, also the ones a baseline accepted: a grade says how the code reads today.
"""

import enum
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from core.review import SYNTAX_ERROR_CODE, Issue

HEAVY = 3
LIGHT = 1
LINE_FLOOR = 50
# The families that weigh HEAVY: the code's letters, or letters and the first digit.
HEAVY_FAMILIES = frozenset({"F", "B", "E9", "PLE"})


class Grade(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"

    @property
    def better(self) -> "Grade | None":
        """The next better grade (None for A)."""
        order = list(Grade)
        index = order.index(self)
        return order[index - 1] if index else None


# The highest score each grade allows (inclusive); above D's is E.
THRESHOLDS: dict[Grade, int] = {Grade.A: 3, Grade.B: 8, Grade.C: 16, Grade.D: 30}
_CODE = re.compile(r"([A-Z]+)([0-9]?)")


def weight(code: str) -> int:
    """How much one issue of the rule `code` weighs."""
    if code == SYNTAX_ERROR_CODE:
        return HEAVY
    found = _CODE.match(code)
    if found is None:
        return LIGHT
    letters, digit = found.groups()
    return HEAVY if letters in HEAVY_FAMILIES or letters + digit in HEAVY_FAMILIES else LIGHT


def score(weighted: int, line_count: int) -> Fraction:
    """Weighted issues per 100 lines (at least `LINE_FLOOR` lines)."""
    return Fraction(100 * weighted, max(line_count, LINE_FLOOR))


def grade_of_score(value: Fraction) -> Grade:
    for grade, highest in THRESHOLDS.items():
        if value <= highest:
            return grade
    return Grade.E


@dataclass(frozen=True)
class RuleFixes:
    """Fix `count` issues of the rule `code` (a group of a next step)."""

    code: str
    count: int


@dataclass(frozen=True)
class NextStep:
    """The fewest issues whose fixing reaches `grade`, and the same grouped by rule, the
    heaviest rules first."""

    grade: Grade
    issues: tuple[Issue, ...]
    fixes: tuple[RuleFixes, ...]


@dataclass(frozen=True)
class Grading:
    grade: Grade
    score: Fraction
    syntax_error: bool  # E because the file does not parse (no next step then)
    next_step: NextStep | None  # None for A, a syntax error, or past the kept issues


def grade_issues(issues: Sequence[Issue], line_count: int, total: int | None = None) -> Grading:
    """The grade of a check that found `issues` (the kept ones; `total` counts every issue
    found, when more were found than kept) in a version of `line_count` lines."""
    extra = max((total or 0) - len(issues), 0)
    weighted = sum(weight(issue.code) for issue in issues) + LIGHT * extra
    value = score(weighted, line_count)
    if any(issue.code == SYNTAX_ERROR_CODE for issue in issues):
        return Grading(Grade.E, value, syntax_error=True, next_step=None)
    grade = grade_of_score(value)
    target = grade.better
    step = None if target is None else next_step(issues, line_count, weighted, target)
    return Grading(grade, value, syntax_error=False, next_step=step)


def _line_delta(issue: Issue) -> int:
    """How many lines fixing the issue adds: ruff's fix when its edits were kept, else 0."""
    return issue.fix.line_delta if issue.fix is not None and issue.fix.edits else 0


def _reaches(weighted: int, line_count: int, target: Grade) -> bool:
    return score(weighted, line_count) <= THRESHOLDS[target]


def next_step(
    issues: Sequence[Issue], line_count: int, weighted: int, target: Grade
) -> NextStep | None:
    """The fewest of `issues` to fix so that the check (of `weighted` weight in all) reaches
    `target`; None when fixing all of them does not.

    Fixing a set S leaves the weight W - w(S) over L + d(S) lines (d: the lines a fix adds), and
    reaches the target T when 100 (W - w(S)) <= T max(L + d(S), LINE_FLOOR), that is when
    either 100 (W - w(S)) <= T LINE_FLOOR (best served by the heaviest issues), or
    sum over S of (100 w + T d) >= 100 W - T L (best served by the largest 100 w + T d). For
    each size the best set of either kind is a prefix of its order, so the shorter of the two
    first prefixes that reach the target is a smallest set."""
    highest = THRESHOLDS[target]

    def heaviest(issue: Issue) -> tuple[int, int, bool, int, int]:
        return (
            -weight(issue.code),
            -_line_delta(issue),
            not issue.fixable,
            issue.line,
            issue.column,
        )

    def most_useful(issue: Issue) -> tuple[int, int, bool, int, int]:
        useful = 100 * weight(issue.code) + highest * _line_delta(issue)
        return (-useful, -weight(issue.code), not issue.fixable, issue.line, issue.column)

    best: list[Issue] | None = None
    for order in (sorted(issues, key=heaviest), sorted(issues, key=most_useful)):
        left, lines = weighted, line_count
        for count, issue in enumerate(order, start=1):
            if best is not None and count >= len(best):
                break
            left -= weight(issue.code)
            lines += _line_delta(issue)
            if _reaches(left, lines, target):
                best = order[:count]
                break
    if best is None:
        return None
    counts = Counter(issue.code for issue in best)
    groups = sorted(counts, key=lambda code: (-weight(code), -counts[code], code))
    return NextStep(
        grade=target,
        issues=tuple(best),
        fixes=tuple(RuleFixes(code, counts[code]) for code in groups),
    )
