"""A check's result message in the chat, read as the person sees it: its heading ("Review of
NAME, version N") and its status line ("✅ Passed: no issues.", "❌ 3 issues", "⚠️ The check
could not run: …"). The one place in the tests that knows this wording (English)."""

import re
from collections import Counter
from dataclasses import dataclass, field

from tests.fake_telegram import BotOutput, FakeTelegram

PASSED = "✅ Passed: no issues."
_HEADING = re.compile(r"Review of (?P<name>.+), version (?P<version>\d+)")
_HTML_HEADING = re.compile(r"Review of <b>(?P<name>.+?)</b>, version (?P<version>\d+)")


def issues(count: int) -> str:
    """The status line of a check that found `count` issues (thousands with commas)."""
    return f"❌ {count:,} {'issue' if count == 1 else 'issues'}"


def heading(name: str, version: int) -> str:
    return f"Review of {name}, version {version}"


GRADE_MARKS = ("🎓 ", "🪜 ")  # the grade line and the next step's, under the status line


@dataclass(frozen=True)
class Result:
    """A result message: the file's name and version, its status line, its grade lines ("🎓
    Grade B, was C", "🪜 For A: fix 1× F401"), and the lines after."""

    name: str
    version: int
    status: str
    rest: list[str]
    grade: list[str] = field(default_factory=list)


def read_result(text: str) -> Result | None:
    """The result message this text is (plain text, as the chat shows it), or None."""
    first, _, after = text.partition("\n")
    found = _HEADING.fullmatch(first)
    if found is None:
        return None
    status, *rest = after.split("\n") if after else [""]
    grade = []
    while rest and rest[0].startswith(GRADE_MARKS):
        grade.append(rest.pop(0))
    return Result(found["name"], int(found["version"]), status, rest, grade)


def is_result(text: str, name: str | None = None) -> bool:
    """Whether the text is a result message (of the file `name`, when given)."""
    found = read_result(text)
    return found is not None and name in (None, found.name)


def assert_result(
    shown: BotOutput | str,
    name: str,
    version: int | None = None,
    status: str | None = None,
) -> Result:
    """The screen (or text) is the result message of `name` (at `version`, with exactly this
    status line, when given); returns it for more checks."""
    text = shown if isinstance(shown, str) else shown.text
    found = read_result(text)
    assert found is not None, f"not a result message:\n{text[:300]}"
    assert found.name == name, text[:300]
    if version is not None:
        assert found.version == version, text[:300]
    if status is not None:
        assert found.status == status, text[:300]
    return found


def result_name(html: str) -> str | None:
    """The file name a result message names, from the HTML the bot sent (sendMessage's text,
    the name still escaped); None for another message."""
    found = _HTML_HEADING.match(html)
    return None if found is None else found["name"]


def chat_reviews(telegram: FakeTelegram) -> Counter[tuple[int, str]]:
    """The result messages Telegram accepted, counted per (chat, file name)."""
    reviews: Counter[tuple[int, str]] = Counter()
    for request in telegram.calls("sendMessage"):
        name = result_name(str(request.params.get("text", "")))
        if request.ok and name is not None:
            reviews[(int(str(request.params["chat_id"])), name)] += 1
    return reviews
