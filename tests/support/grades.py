"""A learner's file for the grade tests (core/grades.py), and ruff as their oracle: its
findings graded, and its fixes applied to chosen issues only."""

import json
import subprocess
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from core.grades import Grade, grade_issues
from infra.ruff.output import to_issue

# 108 lines: F401 and F541 (heavy, 3 each), UP032 ×3 and C408 ×4 (light, 1 each): 13 per 108
# lines is C. Fixing the two heavy ones leaves 7 per 107 lines (B); fixing four light ones
# more leaves 3 per 107 (A).
SHAPES_V1 = b"""import math
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


def diagnostics(content: bytes, folder: Path) -> list[dict[str, Any]]:
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


def grade_by_ruff(content: bytes, folder: Path) -> Grade:
    """The grade real ruff's findings on these bytes give."""
    issues = [to_issue(item) for item in diagnostics(content, folder)]
    return grade_issues(issues, len(content.splitlines())).grade


def apply_fixes(content: bytes, chosen: list[dict[str, Any]]) -> bytes:
    """The source with ruff's fix of each of these diagnostics applied (its edits, as ruff
    gives them: 1-based rows, columns in characters)."""
    text = content.decode()
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(location: dict[str, int]) -> int:
        return starts[location["row"] - 1] + location["column"] - 1

    edits = [edit for item in chosen for edit in item["fix"]["edits"]]
    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        start, end = offset(edit["location"]), offset(edit["end_location"])
        text = text[:start] + edit["content"] + text[end:]
    return text.encode()
