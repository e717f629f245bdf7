"""core/grades.py: the weights, the score's floor, the thresholds, and the next step being the
fewest fixes that reach the next grade (checked against every smaller set)."""

from fractions import Fraction
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from core.grades import (
    HEAVY,
    LIGHT,
    LINE_FLOOR,
    THRESHOLDS,
    Grade,
    RuleFixes,
    grade_issues,
    grade_of_score,
    score,
    weight,
)
from core.review import SYNTAX_ERROR_CODE, Edit, Fix, Issue


def issue(code: str, line: int = 1, delta: int = 0, *, edits: bool = True) -> Issue:
    """An issue whose fix adds `delta` lines (removes, when negative)."""
    if delta <= 0:
        edit = Edit(content="", line=line, column=1, end_line=line - delta, end_column=1)
    else:
        edit = Edit(content="\n" * delta, line=line, column=1, end_line=line, end_column=1)
    fix = Fix("safe", "Fix it", (edit,) if edits else ())
    return Issue(code, "message", line, 1, line, 2, fixable=True, fix=fix)


def plain(code: str, line: int = 1) -> Issue:
    """An issue without a fix (fixed by hand: no lines change)."""
    return Issue(code, "message", line, 1, line, 2, fixable=False)


def test_errors_and_likely_bugs_weigh_more_than_style() -> None:
    for code in ("F401", "F821", "B006", "E902", "E999", "PLE0101", SYNTAX_ERROR_CODE):
        assert weight(code) == HEAVY, code
    # Families that only start like a heavy one: refurb, flake8-boolean-trap, blind-except…
    for code in ("FURB101", "FBT001", "FA100", "BLE001", "E501", "E711", "PLW0120", "UP032"):
        assert weight(code) == LIGHT, code


def test_the_thresholds_are_inclusive_and_e_is_beyond_d() -> None:
    assert [grade_of_score(Fraction(value)) for value in (0, 3, 4, 8, 9, 16, 17, 30, 31)] == [
        *"AABBCCDDE"
    ]
    assert list(THRESHOLDS) == [Grade.A, Grade.B, Grade.C, Grade.D]


def test_a_short_snippet_counts_as_fifty_lines() -> None:
    # One unused import in 3 lines: 3 per 50 lines (6), not 3 per 3 (100).
    graded = grade_issues([issue("F401")], line_count=3)
    assert graded.score == Fraction(6) == score(HEAVY, LINE_FLOOR)
    assert graded.grade is Grade.B
    assert grade_issues([], line_count=0).grade is Grade.A
    assert grade_issues([plain("E501")] * 3, line_count=100).grade is Grade.A  # 3 per 100


def test_a_syntax_error_is_e_with_no_next_step() -> None:
    graded = grade_issues([plain(SYNTAX_ERROR_CODE)], line_count=1000)
    assert (graded.grade, graded.syntax_error, graded.next_step) == (Grade.E, True, None)


def test_issues_past_the_kept_ones_count_light() -> None:
    # 10 kept F401 (30) and 20 more unknown (20) over 100 lines: 50, E.
    graded = grade_issues([issue("F401", n) for n in range(10)], line_count=100, total=30)
    assert graded.score == 50
    assert graded.grade is Grade.E
    # Fixing every kept one leaves the 20 unknown: D (20), reachable.
    assert graded.next_step is not None
    assert graded.next_step.grade is Grade.D


def test_the_next_step_takes_the_heaviest_and_groups_them_by_rule() -> None:
    # 100 lines: F401 ×2, E711, E501 ×3 = 6 + 1 + 3 = 10 (C). B needs 8 or less: one F401
    # (7 per 99 lines) is enough.
    issues = [issue("F401", 1, -1), issue("F401", 2, -1), issue("E711", 5), *[plain("E501")] * 3]
    graded = grade_issues(issues, line_count=100)
    assert graded.grade is Grade.C
    assert graded.next_step is not None
    assert graded.next_step.fixes == (RuleFixes("F401", 1),)
    # From B (7 per 99) to A (3 or less): F401 and one light issue leave 3 per 98 lines (3.06),
    # not enough since the import's line goes too; F401 and two light ones leave 2 per 98. The
    # fixable light one comes first.
    after = grade_issues(issues[1:], line_count=99)
    assert after.grade is Grade.B
    assert after.next_step is not None
    assert after.next_step.fixes == (
        RuleFixes("F401", 1),
        RuleFixes("E501", 1),
        RuleFixes("E711", 1),
    )


def test_a_fix_that_removes_lines_counts_against_itself() -> None:
    # 60 lines with a bugbear issue whose fix removes 20 lines, and two unused imports without
    # kept edits: fixing the B issue leaves 6 per 50 lines (12, C); the two F401 leave 3 per 60
    # (5, B). The step to B is the two F401, though the B issue weighs as much.
    issues = [issue("B018", 10, -20), issue("F401", 1, edits=False), issue("F401", 2, edits=False)]
    graded = grade_issues(issues, line_count=60)
    assert graded.grade is Grade.C  # 9 per 60: 15
    assert graded.next_step is not None
    assert graded.next_step.fixes == (RuleFixes("F401", 2),)


def test_a_is_the_top() -> None:
    assert grade_issues([plain("E501")], line_count=200).next_step is None


def _after(issues: list[Issue], fixed: tuple[Issue, ...], line_count: int) -> Grade:
    """The grade once `fixed` (some of `issues`, by identity) are fixed."""
    left = [item for item in issues if not any(item is done for done in fixed)]
    lines = line_count + sum(
        item.fix.line_delta for item in fixed if item.fix is not None and item.fix.edits
    )
    return grade_issues(left, lines).grade


_CODES = st.sampled_from(["F401", "B006", "E501", "UP032", "C408"])
_ISSUES = st.lists(
    st.builds(issue, _CODES, st.integers(1, 50), st.integers(-3, 2), edits=st.booleans()),
    max_size=9,
)


@given(issues=_ISSUES, line_count=st.integers(0, 150))
def test_the_next_step_reaches_the_grade_and_no_smaller_set_does(
    issues: list[Issue], line_count: int
) -> None:
    line_count = max(line_count, sum(-item.fix.line_delta for item in issues if item.fix))
    graded = grade_issues(issues, line_count)
    target = graded.grade.better
    step = graded.next_step
    if target is None:
        assert step is None
        return
    reachable = [
        size
        for size in range(len(issues) + 1)
        for chosen in combinations(issues, size)
        if _after(issues, chosen, line_count) <= target
    ]
    if not reachable:
        assert step is None
        return
    assert step is not None
    assert step.grade is target
    assert _after(issues, step.issues, line_count) <= target
    assert len(step.issues) == min(reachable)  # nothing smaller reaches it
    assert sum(fix.count for fix in step.fixes) == len(step.issues)
    weights = [weight(fix.code) for fix in step.fixes]
    assert weights == sorted(weights, reverse=True)  # the heaviest rules named first


@given(issues=_ISSUES, line_count=st.integers(0, 400), extra=st.integers(0, 50))
def test_more_issues_never_make_a_better_grade(
    issues: list[Issue], line_count: int, extra: int
) -> None:
    fewer = grade_issues(issues, line_count, total=len(issues))
    more = grade_issues(issues, line_count, total=len(issues) + extra)
    assert more.grade >= fewer.grade
    assert more.score - fewer.score == score(LIGHT * extra, line_count)
