"""Matching issues across versions: by rule and line text, never by line number."""

from core.diffs import IssueDiff, Reviewed, diff_issues
from core.models import RulePreset
from core.review import SYNTAX_ERROR_CODE, Issue
from core.ruff_config import ReviewConfig
from infra.ruff.runner import RuffRunner


def _issue(code: str, line: int, message: str = "msg", column: int = 1) -> Issue:
    return Issue(
        code=code,
        message=message,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 1,
        fixable=False,
    )


def _counts(diff: IssueDiff) -> tuple[int, int, int]:
    return len(diff.fixed), len(diff.new), len(diff.remaining)


async def _ruff(*sources: bytes, preset: RulePreset = RulePreset.DEFAULT) -> list[Reviewed]:
    """Each source with the issues real ruff finds in it."""
    found = await RuffRunner().check_batch(dict(enumerate(sources)), ReviewConfig(preset=preset))
    return [Reviewed(source, found[key]) for key, source in enumerate(sources)]


def test_moved_code_reports_nothing_fixed_and_nothing_new() -> None:
    before = Reviewed(b"import os\nx = undefined\n", [_issue("F401", 1), _issue("F821", 2)])
    after = Reviewed(
        b"\n" * 10 + b"import os\nx = undefined\n", [_issue("F401", 11), _issue("F821", 12)]
    )
    diff = diff_issues(before, after)
    assert _counts(diff) == (0, 0, 2)
    assert diff.remaining == tuple(after.issues)


async def test_moved_code_checked_by_ruff_reports_nothing_fixed_and_nothing_new() -> None:
    source = b"import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return undefined\n"
    moved = b"\n" * 10 + source.replace(b"def f", b"# a comment above\ndef f")
    before, after = await _ruff(source, moved, preset=RulePreset.PEP8)
    assert {i.code for i in before.issues} >= {"F401", "E711", "F821"}
    assert [i.line for i in after.issues] != [i.line for i in before.issues]
    assert _counts(diff_issues(before, after)) == (0, 0, len(before.issues))


def test_a_line_changed_only_in_indentation_and_spacing_keeps_its_issue() -> None:
    before = Reviewed(b"x = undefined_name\n", [_issue("F821", 1)])
    after = Reviewed(b"def f():\n\tx  =   undefined_name   \n    return x\n", [_issue("F821", 2)])
    assert _counts(diff_issues(before, after)) == (0, 0, 1)


def test_a_changed_line_is_one_fixed_and_one_new() -> None:
    before = Reviewed(b"a = first_name\nb = 1\n", [_issue("F821", 1, "Undefined `first_name`")])
    after = Reviewed(b"b = 1\na = other_name\n", [_issue("F821", 2, "Undefined `other_name`")])
    diff = diff_issues(before, after)
    assert diff.fixed == (before.issues[0],)
    assert diff.new == (after.issues[0],)
    assert diff.remaining == ()


def test_two_identical_issues_of_which_one_went_away_count_one_fixed() -> None:
    line = b"if x == None: pass\n"
    before = Reviewed(line + line, [_issue("E711", 1), _issue("E711", 2)])
    after = Reviewed(b"y = 1\n" + line, [_issue("E711", 2)])
    assert _counts(diff_issues(before, after)) == (1, 0, 1)


def test_a_duplicated_line_brings_one_new_issue() -> None:
    line = b"if x == None: pass\n"
    before = Reviewed(line, [_issue("E711", 1)])
    after = Reviewed(line + b"\n" + line, [_issue("E711", 1), _issue("E711", 3)])
    diff = diff_issues(before, after)
    assert _counts(diff) == (0, 1, 1)
    assert diff.remaining == (after.issues[0],)
    assert diff.new == (after.issues[1],)
    assert diff.new_first() == [after.issues[1], after.issues[0]]


def test_the_same_line_under_another_rule_is_not_the_same_issue() -> None:
    before = Reviewed(b"l = undefined\n", [_issue("F821", 1)])
    after = Reviewed(b"l = undefined\n", [_issue("F821", 1), _issue("E741", 1)])
    diff = diff_issues(before, after)
    assert _counts(diff) == (0, 1, 1)
    assert [i.code for i in diff.new] == ["E741"]


def test_of_two_issues_on_one_line_the_one_with_its_message_stays() -> None:
    before = Reviewed(
        b"import os, sys\n",
        [_issue("F401", 1, "`os` imported but unused", 8), _issue("F401", 1, "`sys`", 12)],
    )
    after = Reviewed(b"import os, sys\nos.getcwd()\n", [_issue("F401", 1, "`sys`", 12)])
    diff = diff_issues(before, after)
    assert [i.message for i in diff.fixed] == ["`os` imported but unused"]
    assert [i.message for i in diff.remaining] == ["`sys`"]


async def test_a_fixed_syntax_error_is_fixed_and_a_moved_one_remains() -> None:
    broken = b"def f(:\n    pass\n"
    unfinished = b"x = (1,\n"  # the error is at the end of the file
    fixed = b"def f():\n    pass\n"
    moved = b"\n\n\n" + broken
    before, after, eof, eof_moved, clean = await _ruff(
        broken, moved, unfinished, b"\n\n" + unfinished, fixed
    )
    assert before.issues
    assert all(i.code == SYNTAX_ERROR_CODE for i in [*before.issues, *eof.issues])
    assert _counts(diff_issues(before, after)) == (0, 0, len(before.issues))
    assert _counts(diff_issues(eof, eof_moved)) == (0, 0, len(eof.issues))
    assert _counts(diff_issues(before, clean)) == (len(before.issues), 0, 0)


def test_line_endings_and_a_byte_order_mark_do_not_matter() -> None:
    before = Reviewed(b"a = 1\nx = undefined\n", [_issue("F821", 2)])
    after = Reviewed(b"\xef\xbb\xbfa = 1\r\nx = undefined\r\n", [_issue("F821", 2)])
    assert _counts(diff_issues(before, after)) == (0, 0, 1)
    old_mac = Reviewed(b"a = 1\rb = 2\rx = undefined\r", [_issue("F821", 3)])
    assert _counts(diff_issues(before, old_mac)) == (0, 0, 1)


def test_a_line_past_the_end_is_the_empty_line() -> None:
    before = Reviewed(b"x = (1,\n", [_issue(SYNTAX_ERROR_CODE, 2)])
    after = Reviewed(b"x = (1,", [_issue(SYNTAX_ERROR_CODE, 7)])
    assert _counts(diff_issues(before, after)) == (0, 0, 1)
    nothing = Reviewed(b"", [])
    assert _counts(diff_issues(nothing, before)) == (0, 1, 0)
    assert _counts(diff_issues(before, nothing)) == (1, 0, 0)
