"""core/fix_preview.py: an issue's fix as the lines it changes, before → after. ruff is the
oracle on small files with non-ASCII characters and CRLF, CR and BOM files; the edge cases of
ruff's positions by hand; and properties of any edits (hypothesis)."""

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import Catalogues
from bot.features.reports.fix_texts import fix_lines
from core.diffs import source_lines
from core.fix_preview import (
    MAX_PREVIEW_LINES,
    PreviewLine,
    changed_lines,
    document_fix,
    fix_preview,
)
from core.i18n import load_translations
from core.presets import STRICT_RULES
from core.review import Edit, Fix, Issue
from infra.ruff.output import to_issue
from tests.support.fix_oracle import ruff_change
from tests.support.reports import RUFF

SAMPLES = {
    "non_ascii": (
        "import os\n"
        "import sys, json\n"
        "from typing import List\n"
        "\n"
        "\n"
        "def f(x: List[str], a=[]) -> bool:\n"
        '    """Ünïcödé 😀."""\n'
        '    name = "é😀"\n'
        '    y = f"plain 😀"\n'
        '    print("héllo 😀 %s" % name, y, json);\n'
        "    unused = 5   \n"
        '    z = [1] + [name, "😀"]\n'
        "    if x == None:\n"
        "        return True\n"
        "    else:\n"
        "        return False\n"
        "\n"
        "\n"
        "class C(object):\n"
        "    pass\n"
    ),
    "blocks": (
        "def g(d: dict) -> int:\n"
        '    """Doc ß."""\n'
        "    pass\n"
        "    if d:\n"
        "        y = 1\n"
        "    else:\n"
        "        y = 2\n"
        "    for k in d.keys():\n"
        "        print(k, 'ñ')\n"
        "    return y\n"
    ),
}
ENDINGS = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}


def diagnostics(content: bytes, folder: Path) -> list[dict]:  # type: ignore[type-arg]
    path = folder / "sample.py"
    path.write_bytes(content)
    command = [RUFF, "check", "--isolated", "--select", ",".join(STRICT_RULES)]
    output = subprocess.run(
        [*command, "--output-format", "json", "--exit-zero", path], capture_output=True, check=True
    ).stdout
    found: list[dict] = json.loads(output)  # type: ignore[type-arg]
    return found


@pytest.mark.parametrize("ending", ["lf", "crlf", "cr"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_each_fix_changes_the_lines_ruff_changes(
    sample: str, ending: str, bom: bool, tmp_path: Path
) -> None:
    content = SAMPLES[sample].encode().replace(b"\n", ENDINGS[ending])
    content = (b"\xef\xbb\xbf" if bom else b"") + content
    found = diagnostics(content, tmp_path)
    codes = [d["code"] for d in found]
    checked = 0
    for diagnostic in found:
        issue = to_issue(diagnostic)
        if issue.fix is None or codes.count(issue.code) > 1:
            continue
        if issue.fix.applicability == "display-only":
            continue  # ruff never applies it
        unsafe = issue.fix.applicability == "unsafe"
        expected = ruff_change(content, issue.code, tmp_path, unsafe=unsafe)
        before, after = changed_lines(source_lines(content), issue.fix.edits)
        shown = ([(x.number, x.text) for x in before], [(x.number, x.text) for x in after])
        assert shown == expected, issue.code
        checked += 1
    assert checked >= 3  # safe and unsafe ones: F401, UP006, E703, B006, UP031, ...


def _fix(*edits: Edit, applicability: str = "safe", message: str | None = "Do it") -> Fix:
    fix = Fix.from_json({"applicability": applicability, "message": message, "edits": []})
    assert fix is not None
    return Fix(fix.applicability, fix.message, edits)


LINES = ["import os", "import sys", "", "print(sys)", ""]


def test_an_edit_ending_at_column_1_leaves_that_line_alone() -> None:
    # F401's fix of `import os`: from 1:1 to 2:1, nothing in its place.
    preview = fix_preview(LINES, _fix(Edit("", 1, 1, 2, 1)))
    assert preview.before == (PreviewLine(1, "import os"),)
    assert preview.after == ()
    assert preview.has_change


def test_an_insertion_at_column_1_shows_only_the_new_line() -> None:
    preview = fix_preview(LINES, _fix(Edit("import re\n", 2, 1, 2, 1)))
    assert (preview.before, preview.after) == ((), (PreviewLine(2, "import re"),))


def test_a_fix_without_edits_shows_only_its_message() -> None:
    preview = fix_preview(LINES, _fix(applicability="unsafe", message="Rewrite it"))
    assert (preview.applicability, preview.message) == ("unsafe", "Rewrite it")
    assert not preview.has_change
    assert preview.more == 0


def test_edits_outside_the_version_are_not_applied() -> None:
    # A fix stored for other bytes can never be applied to these: nothing is shown.
    for edit in [Edit("x", 9, 1, 9, 2), Edit("x", 1, 40, 1, 41), Edit("x", 2, 3, 2, 1)]:
        assert not fix_preview(LINES, _fix(edit)).has_change


def test_a_long_preview_is_cut_and_counts_the_rest() -> None:
    lines = [f"v{n} = {n}" for n in range(20)] + [""]
    preview = fix_preview(lines, _fix(Edit("", 1, 1, 11, 1)), max_lines=4)
    assert [line.number for line in preview.before] == [1, 2, 3, 4]
    assert preview.after == ()
    assert preview.more == 6
    assert len(fix_preview(lines, _fix(Edit("", 1, 1, 11, 1))).before) == MAX_PREVIEW_LINES


def test_the_document_form_makes_control_characters_visible_and_cuts_lines() -> None:
    lines = ["x = 1  # \u202eevil" + "y" * 600, ""]
    shown = document_fix(lines, _fix(Edit("2", 1, 5, 1, 6), message="Use 2 \u202e"))
    assert shown is not None
    assert shown.message == "Use 2 \ufffd"
    assert shown.before[0].text.startswith("x = 1  # \ufffdevil")
    assert shown.before[0].text.endswith("y…")
    assert shown.after[0].text.startswith("x = 2  # \ufffdevil")
    assert document_fix(lines, None) is None


# --- properties -------------------------------------------------------------------------------
line_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"))
files = st.lists(line_text, min_size=1, max_size=8).map(lambda lines: [*lines, ""])


@st.composite
def edits_of(draw: st.DrawFn, lines: list[str]) -> list[Edit]:
    """Non-overlapping edits within `lines`, as ruff gives them (in order)."""
    points = sorted(
        draw(
            st.lists(
                st.tuples(st.integers(1, len(lines)), st.integers(0, 1000)).map(
                    lambda p: (p[0], p[1] % (len(lines[p[0] - 1]) + 1) + 1)
                ),
                min_size=0,
                max_size=6,
            )
        )
    )
    pairs = [points[n : n + 2] for n in range(0, len(points) - 1, 2)]
    content = st.text(st.sampled_from("ab é😀\n"), max_size=6)
    return [Edit(draw(content), a[0], a[1], b[0], b[1]) for a, b in pairs]


def _apply(lines: list[str], edits: list[Edit]) -> list[str]:
    """Reference: the edits applied to the whole file's text."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    text = "\n".join(lines)
    for edit in reversed(edits):
        start = starts[edit.line - 1] + edit.column - 1
        end = starts[edit.end_line - 1] + edit.end_column - 1
        text = text[:start] + edit.content + text[end:]
    return text.split("\n")


@given(files)
def test_no_edits_show_no_change(lines: list[str]) -> None:
    assert changed_lines(lines, []) == ([], [])


@given(st.data(), files)
def test_the_preview_turns_the_file_into_the_fixed_one(data: st.DataObject, lines: list[str]):  # type: ignore[no-untyped-def]
    edits = data.draw(edits_of(lines))
    before, after = changed_lines(lines, edits)
    fixed = _apply(lines, edits)
    if not before and not after:
        assert fixed == lines
        return
    at = (before or after)[0].number
    assert [line.number for line in before] == list(range(at, at + len(before)))
    assert [line.text for line in before] == lines[at - 1 : at - 1 + len(before)]
    # the version with the before lines replaced by the after lines is the fixed file
    assert lines[: at - 1] + [line.text for line in after] + lines[at - 1 + len(before) :] == fixed
    assert len(after) - len(before) == Fix("safe", None, tuple(edits)).line_delta


@given(st.data(), files)
def test_edits_that_put_back_the_same_text_show_no_change(
    data: st.DataObject, lines: list[str]
) -> None:
    edits = data.draw(edits_of(lines))
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    same = [
        Edit(
            text[starts[e.line - 1] + e.column - 1 : starts[e.end_line - 1] + e.end_column - 1],
            e.line,
            e.column,
            e.end_line,
            e.end_column,
        )
        for e in edits
    ]
    assert changed_lines(lines, same) == ([], [])


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en", "safe fix: ruff check --fix and the bot's 🛠 Fix apply it"),
        ("ru", "безопасное исправление: его применяют ruff check --fix и кнопка бота 🛠 Исправить"),
    ],
)
def test_the_chat_shows_the_label_the_message_and_the_lines(locale: str, label: str) -> None:
    issue = Issue("F401", "`os` imported but unused", 1, 8, 1, 10, True)
    fix = _fix(Edit("", 1, 1, 2, 1), message="Remove <unused> import")
    catalogues = Catalogues(load_translations())
    with catalogues.context(), catalogues.use_locale(locale):
        assert fix_lines(issue, LINES) == []  # a check stored before fixes were kept
        shown = fix_lines(replace(issue, fix=fix), LINES)
    head = f"🔧 Remove &lt;unused&gt; import — <i>{label}</i>"
    assert shown == [head, "<pre>- 1 │ import os</pre>"]
