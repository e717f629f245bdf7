"""The Mini App's history of a file: every version with its result, and any two versions
compared (their changed lines and the issues fixed, new and remaining between them), through
the JSON API and the HTML fragment a person's Telegram loads."""

import re
from pathlib import Path

from sqlalchemy import select

from checks.worker import Worker
from core.models import File
from tests.support.app import Person
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.reports import ruff_diagnostics
from tests.support.results import assert_result
from tests.support.webapp import Answer, MiniApp
from webapp.pages.history import PAGE_SIZE
from webapp.text_diff import MOST_LINES

# v2 has the unused `os` and `sys` and an unused local; v3 drops `os` (fixed), keeps `sys` and
# the local two lines lower down (moved: neither fixed nor new) and brings an undefined name.
V1 = b"import os\n\n\ndef f():\n    unused = 1\n"
V2 = b"import os\nimport sys\n\n\ndef f():\n    unused = 1\n"
V3 = b"import sys\n\nVALUE = 1\n\n\ndef f():\n    unused = 1\n    return undefined_name\n"
OS_UNUSED = "`os` imported but unused"
SYS_UNUSED = "`sys` imported but unused"
UNDEFINED = "Undefined name `undefined_name`"
LOCAL_UNUSED = "Local variable `unused` is assigned to but never used"


async def _checked(person: Person, name: str, content: bytes) -> None:
    """Upload a version and wait for its result in the chat (the worker checked it)."""
    assert f" {name}" in (await person.upload(name, content)).text
    assert_result(await person.chat.next_screen(timeout=30), name)


async def _file_id(mini_app: MiniApp, name: str) -> int:
    async with mini_app.bot_app.session_factory() as session:
        file_id = await session.scalar(select(File.id).where(File.name == name))
    assert file_id is not None
    return file_id


def _shown(answer: Answer) -> str:
    """What the fragment shows, its whitespace collapsed."""
    assert answer.status == 200, answer.text
    return " ".join(html_text(answer.text).split())


def _named(issues: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(issue["code"], issue["line"], issue["message"]) for issue in issues]


async def test_the_comparison_names_exactly_the_fixed_and_new_issues(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    assert [d["code"] for d in ruff_diagnostics(V2, tmp_path)] == ["F401", "F401", "F841"]
    assert [d["code"] for d in ruff_diagnostics(V3, tmp_path)] == ["F401", "F841", "F821"]
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    for content in (V1, V2, V3):
        await _checked(ann, "calc.py", content)
    file_id = await _file_id(mini_app, "calc.py")

    data = (await mini_app.api(f"/files/{file_id}/history", ann)).json()

    assert (data["a"], data["b"], data["total"]) == (2, 3, 3)  # previous and current
    issues = data["comparison"]["issues"]
    assert _named(issues["fixed"]) == [("F401", 1, OS_UNUSED)]
    assert _named(issues["new"]) == [("F821", 8, UNDEFINED)]
    assert _named(issues["remaining"]) == [("F401", 1, SYS_UNUSED), ("F841", 7, LOCAL_UNUSED)]
    assert [v["number"] for v in data["versions"]] == [3, 2, 1]
    assert [v["issue_count"] for v in data["versions"]] == [3, 3, 2]
    assert all(v["check_id"] for v in data["versions"])
    assert data["comparison"]["before"]["content"] is None  # sources are never inlined

    page = _shown(await mini_app.part(f"/files/{file_id}/history", ann))
    assert "History of calc.py" in page
    assert "1 fixed, 1 new, 2 remaining" in page
    fixed = page.index("Fixed since v2 (1)")
    new = page.index("New in v3 (1)")
    remaining = page.index("Remaining in v3 (2)")
    assert fixed < page.index(f"F401 v2 line 1 {OS_UNUSED}") < new
    assert new < page.index(f"F821 v3 line 8 {UNDEFINED}") < remaining
    # the diff marks them on their lines, in both its views
    assert page.count("✔ F401 fixed") == 2
    assert page.count("🆕 F821 new") == 2
    assert "since v2: 1 fixed, 1 new, 2 remaining" in page  # the list of versions, as in chat
    assert "since v1: 0 fixed, 1 new, 2 remaining" in page

    first_to_last = (await mini_app.api(f"/files/{file_id}/history?a=1&b=3", ann)).json()
    issues = first_to_last["comparison"]["issues"]
    assert _named(issues["fixed"]) == [("F401", 1, OS_UNUSED)]
    assert _named(issues["new"]) == [("F401", 1, SYS_UNUSED), ("F821", 8, UNDEFINED)]
    assert _named(issues["remaining"]) == [("F841", 7, LOCAL_UNUSED)]


async def test_the_changed_lines_side_by_side_or_in_one_column(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await _checked(ann, "calc.py", V2)
    await _checked(ann, "calc.py", V3)
    file_id = await _file_id(mini_app, "calc.py")
    history = f"/files/{file_id}/history?a=1&b=2"

    data = (await mini_app.api(history, ann)).json()
    [hunk] = data["comparison"]["diff"]["hunks"]
    changed = [(line["kind"], line["old"], line["new"], line["text"]) for line in hunk["lines"]]
    assert changed == [
        ("removed", 1, None, "import os"),
        ("same", 2, 1, "import sys"),
        ("added", None, 2, ""),
        ("added", None, 3, "VALUE = 1"),
        ("same", 3, 4, ""),
        ("same", 4, 5, ""),
        ("same", 5, 6, "def f():"),
        ("same", 6, 7, "    unused = 1"),
        ("added", None, 8, "    return undefined_name"),
    ]
    assert data["view"] == "auto"

    both = (await mini_app.part(history, ann)).text  # CSS picks one by the screen's width
    assert 'class="diff diff-unified"' in both
    assert 'class="diff diff-split"' in both
    split = (await mini_app.part(history + "&view=split", ann)).text
    assert 'class="diff diff-split"' in split
    assert "diff-unified" not in split
    unified = (await mini_app.part(history + "&view=unified", ann)).text
    assert 'class="diff diff-unified"' in unified
    assert "diff-split" not in unified
    assert 'aria-current="true">Unified' in unified


async def test_a_file_name_and_source_are_shown_as_text(mini_app: MiniApp, worker: Worker) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await _checked(ann, "<b>&x.py", b"x = '<script>alert(1)</script>'\n")
    await _checked(ann, "<b>&x.py", b"x = '<img src=x onerror=alert(1)>'\n")
    file_id = await _file_id(mini_app, "<b>&x.py")

    fragment = await mini_app.part(f"/files/{file_id}/history", ann)

    assert fragment.status == 200
    assert "&lt;b&gt;&amp;x.py" in fragment.text
    assert "<b>" not in fragment.text
    assert "<script>" not in fragment.text
    assert "<img" not in fragment.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment.text


async def test_another_persons_file_shows_nothing_of_it(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    await ann.upload("secret_plan.py", b"launch_codes = 1\n")
    file_id = await _file_id(mini_app, "secret_plan.py")

    for suffix in (
        f"/api/files/{file_id}/history",
        f"/part/files/{file_id}/history",
        f"/api/files/{file_id}/history?a=1&b=1",
        "/api/files/99999999999/history",
        "/part/files/abc/history",
    ):
        answer = await mini_app.get(suffix, bob)
        assert answer.status == 404, suffix
        assert "secret_plan" not in answer.text
        assert "launch_codes" not in answer.text
    anonymous = await mini_app.api(f"/files/{file_id}/history")
    assert anonymous.status == 401
    assert "secret_plan" not in anonymous.text
    own = await mini_app.api(f"/files/{file_id}/history", ann)
    assert own.status == 200
    assert own.json()["comparison"]["diff"]["hunks"] == []  # one version: v1 beside itself


async def test_a_deleted_files_history_is_gone_as_in_chat(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("old.py", b"x = 1\n")
    file_id = await _file_id(mini_app, "old.py")
    assert (await mini_app.request("DELETE", f"/api/files/{file_id}", ann)).status == 200

    for suffix in (f"/api/files/{file_id}/history", f"/part/files/{file_id}/history"):
        answer = await mini_app.get(suffix, ann)
        assert answer.status == 404, suffix
        assert "File not found" in answer.text


async def test_older_versions_load_as_the_list_goes_on(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    for number in range(1, PAGE_SIZE + 3):
        await ann.upload("long.py", f"x = {number}\n".encode())
    file_id = await _file_id(mini_app, "long.py")

    first = await mini_app.part(f"/files/{file_id}/history", ann)
    listed = re.findall(r'<li class="version" id="version-(\d+)">', first.text)
    assert listed == [str(n) for n in range(PAGE_SIZE + 2, 2, -1)]
    more = f'href="/app/files/{file_id}/history?page=1"'
    assert f'<div class="more" data-more-into="versions"><a data-more {more}>' in first.text

    older = await mini_app.part(f"/files/{file_id}/history?page=1", ann)
    assert older.status == 200
    assert re.findall(r'id="version-(\d+)"', older.text) == ["2", "1"]
    assert '<ol class="list versions" data-part>' in older.text
    assert "data-more-into" not in older.text  # the last of them
    assert "compare-form" not in older.text  # the list only
    data = (await mini_app.api(f"/files/{file_id}/history?page=1", ann)).json()
    assert [v["number"] for v in data["versions"]] == [2, 1]
    assert data["comparison"] is None
    assert all(v["result"] is None for v in data["versions"])  # no worker: not checked yet
    assert "not checked yet" in older.text


async def test_a_russian_person_reads_the_comparison_in_russian(
    mini_app: MiniApp, worker: Worker
) -> None:
    ivan = await seeded(mini_app.bot_app, "ivan@example.com", language_code="ru")
    for content in (V2, V3):
        await ivan.upload("calc.py", content)
        assert "Проверка файла calc.py" in (await ivan.chat.next_screen(timeout=30)).text
    file_id = await _file_id(mini_app, "calc.py")

    page = _shown(await mini_app.part(f"/files/{file_id}/history", ivan))

    assert "История calc.py" in page
    assert "исправлено 1, новых 1, осталось 2" in page
    assert "Исправлено после v1 (1)" in page
    assert "F401 исправлено" in page
    assert "Новые в v2 (1)" in page
    assert "с v1: исправлено 1, новых 1, осталось 2" in page  # the chat's words


async def test_a_long_diff_is_cut_and_says_so(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    lines = range(MOST_LINES + 500)
    await ann.upload("big.py", "".join(f"a_{n} = {n}\n" for n in lines).encode())
    await ann.upload("big.py", "".join(f"b_{n} = {n}\n" for n in lines).encode())
    file_id = await _file_id(mini_app, "big.py")

    data = (await mini_app.api(f"/files/{file_id}/history", ann)).json()
    page = _shown(await mini_app.part(f"/files/{file_id}/history?view=unified", ann))

    diff = data["comparison"]["diff"]
    assert (diff["added"], diff["removed"], diff["truncated"]) == (len(lines), len(lines), True)
    assert sum(len(hunk["lines"]) for hunk in diff["hunks"]) == MOST_LINES
    assert f"{len(lines)} lines added, {len(lines)} lines removed" in page
    assert "The diff is long: only its first lines are shown." in page
    assert "a_0 = 0" in page
    assert f"b_{len(lines) - 1} =" not in page
