"""What of a message is pasted code: its first `pre` block, or text fenced with ```."""

from aiogram.types import MessageEntity
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.code_blocks import PastedCode, pasted_code


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _pre(before: str, code: str, language: str | None = None) -> MessageEntity:
    """A `pre` entity over `code` placed after `before`, in UTF-16 units as Telegram counts."""
    return MessageEntity(type="pre", offset=_utf16(before), length=_utf16(code), language=language)


def test_a_pre_entity_is_the_code_and_nothing_around_it() -> None:
    text = "please look:\nx = 1\nprint(x)\nthanks"
    entity = _pre("please look:\n", "x = 1\nprint(x)", language="python")
    assert pasted_code(text, [entity]) == PastedCode("x = 1\nprint(x)\n", left_out=0)


def test_offsets_count_utf16_units_after_emoji() -> None:
    before = "🐍🐍 look 👀: "
    code = "s = '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓'"
    text = before + code + " 🎉"
    assert pasted_code(text, [_pre(before, code)]) == PastedCode(code + "\n", 0)


def test_a_lone_surrogate_or_a_pair_cut_in_two_is_kept_not_raised() -> None:
    assert pasted_code("x = '\ud800'", [_pre("", "x = '\ud800'")]) == PastedCode(
        "x = '\ud800'\n", 0
    )
    cut = MessageEntity(type="pre", offset=0, length=1)  # half of the snake's two units
    assert pasted_code("🐍", [cut]) == PastedCode("\ud83d\n", 0)


def test_several_pre_blocks_take_the_first_and_count_the_rest() -> None:
    text = "b = 2\na = 1\nc = 3"
    entities = [_pre("b = 2\na = 1\n", "c = 3"), _pre("", "b = 2"), _pre("b = 2\n", "a = 1")]
    assert pasted_code(text, entities) == PastedCode("b = 2\n", left_out=2)


def test_inline_code_entities_are_no_blocks() -> None:
    entity = MessageEntity(type="code", offset=4, length=5)
    assert pasted_code("use x = 1 here", [entity]) is None
    assert pasted_code("use `x = 1` here", None) is None


def test_plain_text_and_no_text_are_no_blocks() -> None:
    assert pasted_code("hello there", None) is None
    assert pasted_code(None, None) is None
    assert pasted_code("", []) is None


def test_fenced_text_drops_the_language_tag_and_what_is_around() -> None:
    text = "here:\n```python\nimport os\n\nprint(os.sep)\n```\nbye"
    assert pasted_code(text, None) == PastedCode("import os\n\nprint(os.sep)\n", 0)


def test_fence_without_tag_and_on_one_line() -> None:
    assert pasted_code("```\nx = 1\n```", None) == PastedCode("x = 1\n", 0)
    assert pasted_code("```x = 1```", None) == PastedCode("x = 1\n", 0)
    # A first line that is code, not a tag, stays.
    assert pasted_code("```print(1)\nprint(2)```", None) == PastedCode("print(1)\nprint(2)\n", 0)


def test_a_fence_needs_its_closing_fence() -> None:
    assert pasted_code("```python\nx = 1\n", None) is None
    # The third fence opens a block that never closes: one block only.
    assert pasted_code("```a = 1``` and ```b", None) == PastedCode("a = 1\n", 0)


def test_several_fenced_blocks_take_the_first() -> None:
    text = "```py\na = 1\n```\ntext\n```py\nb = 2\n```\n```c = 3```"
    assert pasted_code(text, None) == PastedCode("a = 1\n", left_out=2)


def test_empty_blocks_are_empty_code() -> None:
    assert pasted_code("``````", None) == PastedCode("", 0)
    assert pasted_code("```python\n   \n\n```", None) == PastedCode("", 0)
    assert pasted_code("see:  \n", [_pre("see:", "  \n")]) == PastedCode("", 0)


def test_pre_entities_win_over_fences_in_the_text() -> None:
    text = "```a = 1``` b = 2"
    assert pasted_code(text, [_pre("```a = 1``` ", "b = 2")]) == PastedCode("b = 2\n", 0)


# Text of any characters, astral ones (two UTF-16 units each) and line breaks among them.
chunks = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(["🐍", "\n", "𝔘"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(before=chunks, code=chunks.filter(lambda code: code.strip() != ""), after=chunks)
def test_a_pre_entity_anywhere_gives_exactly_its_text(before: str, code: str, after: str) -> None:
    found = pasted_code(before + code + after, [_pre(before, code)])
    expected = code if code.endswith("\n") else code + "\n"
    assert found == PastedCode(expected, 0)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    before=chunks.filter(lambda text: "`" not in text),
    code=chunks.filter(lambda code: "`" not in code and code.strip() != ""),
    after=chunks,
)
def test_fenced_code_anywhere_gives_exactly_its_text(before: str, code: str, after: str) -> None:
    found = pasted_code(f"{before}```\n{code}```{after}", None)
    expected = code if code.endswith("\n") else code + "\n"
    assert found is not None
    assert found.code == expected
