"""Comments follow the code: where a comment on lines of one version stands in the next."""

from hypothesis import given
from hypothesis import strategies as st

from core.comment_carry import CarriedTo, carry_comment, code_lines
from core.team_models import CommentState

OPEN, CHANGED, OUTDATED = CommentState.OPEN, CommentState.CHANGED, CommentState.OUTDATED
OLD = [f"line_{n} = {n}" for n in range(1, 16)]


def test_code_moved_down_keeps_its_comment_open_at_the_new_line() -> None:
    new = OLD[:2] + [f"added_{n} = 0" for n in range(5)] + OLD[2:]
    assert carry_comment(OLD, new, 3, 3) == CarriedTo(OPEN, 8, 8)
    assert carry_comment(OLD, new, 2, 4) == CarriedTo(CHANGED, 2, 9)  # split by new lines


def test_a_rewritten_line_is_changed_at_the_rewritten_line() -> None:
    new = list(OLD)
    new[9] = "line_10 = 10 * 2"
    assert carry_comment(OLD, new, 10, 10) == CarriedTo(CHANGED, 10, 10)


def test_a_removed_line_is_outdated() -> None:
    new = OLD[:4] + OLD[5:]
    assert carry_comment(OLD, new, 5, 5) == CarriedTo(OUTDATED)


def test_a_block_moved_elsewhere_follows_it() -> None:
    block = OLD[2:5]
    new = OLD[:2] + OLD[5:12] + block + OLD[12:]
    assert carry_comment(OLD, new, 3, 5) == CarriedTo(OPEN, 10, 12)


def test_indentation_and_spaces_do_not_count() -> None:
    new = ["    " + "  ".join(line.split()) for line in OLD]
    assert carry_comment(OLD, new, 7, 7) == CarriedTo(OPEN, 7, 7)


def test_of_identical_lines_the_one_with_the_same_neighbours_is_chosen() -> None:
    old = ["a = 1", "return x", "b = 2", "c = 3", "return x", "d = 4"]
    new = ["c = 3", "return x", "d = 4", "a = 1", "return x", "b = 2"]
    assert carry_comment(old, new, 2, 2) == CarriedTo(OPEN, 5, 5)
    assert carry_comment(old, new, 5, 5) == CarriedTo(OPEN, 2, 2)


def test_lines_past_the_end_are_outdated() -> None:
    assert carry_comment(OLD, OLD, 40, 41) == CarriedTo(OUTDATED)


def test_the_lines_a_person_sees_end_at_the_last_line_break() -> None:
    assert code_lines(b"a\nb\n") == ["a", "b"]
    assert code_lines(b"a\r\nb") == ["a", "b"]
    assert code_lines(b"") == [""]


@given(
    above=st.lists(st.sampled_from(["x = 0", "", "# note", "pass"]), max_size=8),
    line=st.integers(min_value=1, max_value=len(OLD)),
)
def test_lines_added_above_move_the_comment_by_as_many(above: list[str], line: int) -> None:
    carried = carry_comment(OLD, above + OLD, line, line)
    assert carried == CarriedTo(OPEN, line + len(above), line + len(above))
