"""Grades (core/grades.py) as a learner meets them: three versions of a file going C → B → A,
each made by applying exactly the fixes the result before named, each result naming the grade
of the version before; and one fix fewer never reaches the grade."""

import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from checks.worker import Worker
from core.grades import Grade, grade_issues
from infra.ruff.output import to_issue
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.html_text import html_text
from tests.support.results import assert_result
from tests.support.smtp import body_html, body_text

# 108 lines: F401 and F541 (heavy, 3 each), UP032 ×3 and C408 ×4 (light, 1 each): 13 per 108
# lines is C. Fixing the two heavy ones leaves 7 per 107 lines (B); fixing four light ones
# more leaves 3 per 107 (A).
V1 = b"""import math
import os


def area(radius):
    return math.pi * radius**2


def perimeter(radius):
    return 2 * math.pi * radius


def describe(shape, size):
    if shape == "circle":
        label = f"circle"
        return label + " " + str(area(size))
    return "unknown"


def average(numbers):
    total = 0
    for number in numbers:
        total += number
    if len(numbers) == 0:
        return 0
    return total / len(numbers)


def largest(numbers):
    best = None
    for number in numbers:
        if best is None or number > best:
            best = number
    return best


def smallest(numbers):
    best = None
    for number in numbers:
        if best is None or number < best:
            best = number
    return best


def greeting(name):
    return "Hello, {}!".format(name)


def farewell(name):
    return "Goodbye, {}!".format(name)


def shout(name):
    return "HEY {}".format(name.upper())


def counts(words):
    seen = dict()
    for word in words:
        seen[word] = seen.get(word, 0) + 1
    return seen


def lengths(words):
    sizes = dict()
    for word in words:
        sizes[word] = len(word)
    return sizes


def first_letters(words):
    letters = dict()
    for word in words:
        letters[word] = word[0]
    return letters


def last_letters(words):
    letters = dict()
    for word in words:
        letters[word] = word[-1]
    return letters


def report(values):
    lines = []
    lines.append(greeting("Ann"))
    lines.append(str(average(values)))
    lines.append(str(largest(values)))
    lines.append(str(smallest(values)))
    lines.append(describe("circle", 2))
    lines.append(farewell("Ann"))
    return lines


def main():
    values = [3, 1, 4, 1, 5]
    for line in report(values):
        print(line)
    print(counts(["a", "b", "a"]))
    print(lengths(["a", "bb"]))
    print(first_letters(["ab", "cd"]))
    print(last_letters(["ab", "cd"]))
    print(shout("bob"))
    print(perimeter(1))


main()
"""
_STEP = re.compile(r"🪜 For (?P<grade>[A-E]): fix (?P<fixes>.+)")


def _diagnostics(content: bytes, folder: Path) -> list[dict[str, Any]]:
    """ruff's JSON diagnostics of these bytes under its defaults (as the default preset)."""
    path = folder / "oracle.py"
    path.write_bytes(content)
    args = ["check", "--isolated", "--no-cache", "--output-format", "json", "--exit-zero"]
    completed = subprocess.run(
        [find_ruff_bin(), *args, path],
        capture_output=True,
        check=True,
        cwd=folder,
    )
    found: list[dict[str, Any]] = json.loads(completed.stdout)
    return found


def _grade(content: bytes, folder: Path) -> Grade:
    """The grade real ruff's findings on these bytes give."""
    issues = [to_issue(item) for item in _diagnostics(content, folder)]
    return grade_issues(issues, len(content.splitlines())).grade


def _apply(content: bytes, diagnostics: list[dict[str, Any]]) -> bytes:
    """The source with ruff's fix of each of these diagnostics applied (its edits, as ruff
    gives them: 1-based rows, columns in characters)."""
    text = content.decode()
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(location: dict[str, int]) -> int:
        return starts[location["row"] - 1] + location["column"] - 1

    edits = [edit for item in diagnostics for edit in item["fix"]["edits"]]
    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        start, end = offset(edit["location"]), offset(edit["end_location"])
        text = text[:start] + edit["content"] + text[end:]
    return text.encode()


def _named(review: BotOutput) -> tuple[Grade, Counter[str]]:
    """The next step a result names: the grade it reaches and how many issues of each rule."""
    lines = assert_result(review, "shapes.py").grade
    found = next(m for line in lines if (m := _STEP.fullmatch(line)))
    counts: Counter[str] = Counter()
    for part in found["fixes"].split(", "):
        count, code = part.split("× ")
        counts[code] = int(count)
    return Grade(found["grade"]), counts


def _chosen(diagnostics: list[dict[str, Any]], named: Counter[str]) -> list[dict[str, Any]]:
    """Exactly the issues named: of each rule, the last `count` in the file (any of a rule
    would do: they weigh the same and their fixes change the same lines)."""
    chosen = []
    for code, count in named.items():
        of_rule = [item for item in diagnostics if item["code"] == code]
        assert len(of_rule) >= count, (code, of_rule)
        chosen += of_rule[-count:]
    return chosen


async def _review(person: Person, content: bytes) -> BotOutput:
    acknowledged = await person.upload("shapes.py", content)
    assert "shapes.py" in acknowledged.text, acknowledged.text
    return await person.chat.next_screen()


def _step_is_exactly_enough(
    content: bytes, named: Counter[str], target: Grade, folder: Path
) -> bytes:
    """Applying the named fixes reaches `target` under ruff; leaving out any one does not.
    Returns the fixed source."""
    diagnostics = _diagnostics(content, folder)
    chosen = _chosen(diagnostics, named)
    assert sum(named.values()) == len(chosen)
    fixed = _apply(content, chosen)
    assert _grade(fixed, folder) <= target  # A < B: as good or better
    for left_out in range(len(chosen)):
        fewer = chosen[:left_out] + chosen[left_out + 1 :]
        assert _grade(_apply(content, fewer), folder) > target, chosen[left_out]
    return fixed


async def test_three_versions_go_c_b_a_by_the_named_fixes(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ann = await bot_app.registered("ann@example.com")

    first = await _review(ann, V1)
    shown = assert_result(first, "shapes.py", 1, "❌ 9 issues")
    assert shown.grade == ["🎓 Grade C", "🪜 For B: fix 1× F401, 1× F541"]
    target, named = _named(first)
    v2 = _step_is_exactly_enough(V1, named, target, tmp_path)

    second = await _review(ann, v2)
    shown = assert_result(second, "shapes.py", 2, "❌ 7 issues")
    assert shown.grade == ["🎓 Grade B, was C", "🪜 For A: fix 3× UP032, 1× C408"]
    target, named = _named(second)
    v3 = _step_is_exactly_enough(v2, named, target, tmp_path)

    # The full report in the chat and its HTML document say the same.
    report = await ann.click(second, "Full report")
    assert {"🎓 Grade B, was C", "🪜 For A: fix 3× UP032, 1× C408"} <= set(
        report.text.splitlines()
    )
    document = await ann.click(report, "📄 HTML report")
    assert document.document is not None
    document_text = " ".join(html_text(document.document.decode()).split())
    assert "Grade B, was C. For A: fix 3× UP032, 1× C408." in document_text

    third = await _review(ann, v3)
    shown = assert_result(third, "shapes.py", 3, "❌ 3 issues")
    assert shown.grade == ["🎓 Grade A, was B"]  # nothing better to reach

    # The emails say the same: v2's (the third mail, after the code's) and v3's.
    second_mail = await bot_app.smtp.wait_for("ann@example.com", count=3)
    assert {"Grade B, was C.", "For A: fix 3× UP032, 1× C408."} <= set(
        body_text(second_mail).splitlines()
    )
    assert "<b>Grade B, was C.</b>\n<br>For A: fix 3× UP032, 1× C408." in body_html(
        second_mail
    ).replace("\r\n", "\n")
    third_mail = await bot_app.smtp.wait_for("ann@example.com", count=4)
    assert "Grade A, was B." in body_text(third_mail).splitlines()
    assert "For " not in body_text(third_mail)

    card = await ann.click(await ann.files(), "shapes.py · v3 · ✅")
    history = await ann.click(card, "History")
    assert "🎓 Grades: v1 C → v2 B → v3 A" in history.text.splitlines()
    assert bot_app.telegram.refused == []
