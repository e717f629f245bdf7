"""The Mini App's autofix: the preview of ruff's fixes as a diff, the fixed file, and saving it
as the next version, as the chat's Fix does them; through the JSON API and the HTML fragment."""

from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from checks.worker import Worker
from core.models import File, User
from core.services.fixes import FixGate
from tests.support.app import Person
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.reports import ruff_diagnostics
from tests.support.results import assert_result, issues
from tests.support.sources import CALC
from tests.support.stack import EMBEDDED
from tests.support.webapp import Answer, MiniApp

CLEAN = b"x = 1\n"


async def _checked(mini_app: MiniApp, person: Person, name: str, content: bytes) -> int:
    """Upload, wait for the result in chat, and return the id of the version's check."""
    assert f" {name}" in (await person.upload(name, content)).text
    assert_result(await person.chat.next_screen(timeout=30), name)
    async with mini_app.bot_app.session_factory() as session:
        file_id = await session.scalar(select(File.id).where(File.name == name))
    data = (await mini_app.api(f"/files/{file_id}/history", person)).json()
    check_id: int = data["versions"][0]["check_id"]
    return check_id


def _shown(answer: Answer) -> str:
    assert answer.status == 200, answer.text
    return " ".join(html_text(answer.text).split())


def _gate(mini_app: MiniApp) -> FixGate:
    gate = mini_app.bot_app.runtime.dispatcher.workflow_data["fix_gate"]
    assert isinstance(gate, FixGate)
    return gate


async def _user_id(mini_app: MiniApp, email: str) -> int:
    async with mini_app.bot_app.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
    assert user_id is not None
    return user_id


async def test_the_preview_says_what_it_fixes_and_shows_the_diff(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    before = [d["code"] for d in ruff_diagnostics(CALC, tmp_path)]
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await _checked(mini_app, ann, "calc.py", CALC)

    data = (await mini_app.api(f"/checks/{check_id}/fix", ann)).json()

    assert data["changed"] is True
    assert (data["issues_before"], data["fixed_count"]) == (len(before), len(before) - 3)
    assert sorted(issue["code"] for issue in data["remaining"]) == ["F821", "F841", "F841"]
    assert data["unsafe_available"] == 2
    assert data["next_version"] == 2
    removed = [
        line["text"]
        for hunk in data["diff"]["hunks"]
        for line in hunk["lines"]
        if line["kind"] == "removed"
    ]
    assert "import os" in removed
    assert "def add( a,b ):" in removed

    page = _shown(await mini_app.part(f"/checks/{check_id}/fix", ann))
    assert "🛠 Fixes for calc.py, version 1" in page
    assert "ruff's safe fixes, then ruff format." in page
    assert f"Fixes {len(before) - 3} of {len(before)} issues; 3 remain." in page
    assert "2 more issues have unsafe fixes." in page
    assert "💾 Save as version 2" in page
    assert "F821 line " in page  # what remains, by rule and line

    unsafe = (await mini_app.api(f"/checks/{check_id}/fix?unsafe=1", ann)).json()
    assert unsafe["unsafe"] is True
    assert [issue["code"] for issue in unsafe["remaining"]] == ["F821"]
    unsafe_page = _shown(await mini_app.part(f"/checks/{check_id}/fix?unsafe=1", ann))
    assert "With unsafe fixes: they may change what the code does." in unsafe_page


async def test_saved_as_the_next_version_it_is_checked_and_its_result_arrives_in_chat(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await _checked(mini_app, ann, "calc.py", CALC)
    downloaded = await mini_app.get(f"/api/checks/{check_id}/fix/download", ann)
    assert downloaded.status == 200
    assert "import os" not in downloaded.text
    assert "def add(a, b):" in downloaded.text
    assert "filename*=UTF-8''calc.py" in downloaded.headers["Content-Disposition"]

    saved = await mini_app.request(
        "POST", f"/api/checks/{check_id}/fix", ann, json={"unsafe": False}
    )

    assert saved.status == 200, saved.text
    assert saved.json()["version"] == 2
    assert_result(await ann.chat.next_screen(timeout=30), "calc.py", 2, issues(3))
    file_id = saved.json()["file_id"]
    async with mini_app.bot_app.session_factory() as session:
        content = await session.scalar(select(File.current_version).where(File.id == file_id))
    assert content == 2
    again = await mini_app.request(
        "POST", f"/api/checks/{check_id}/fix", ann, json={"unsafe": True}
    )
    assert again.status == 422
    assert again.json()["message"].startswith("This file has changed since: it is at version 2")
    stale = _shown(await mini_app.part(f"/checks/{check_id}/fix", ann))
    assert "Save as version" not in stale
    assert "This version cannot be saved again" in stale


async def test_nothing_to_fix_and_a_fix_still_running(mini_app: MiniApp, worker: Worker) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    clean = await _checked(mini_app, ann, "clean.py", CLEAN)

    page = _shown(await mini_app.part(f"/checks/{clean}/fix", ann))
    assert "Nothing to fix: the file would stay exactly as it is." in page
    assert "Save as version" not in page
    for method, suffix in [
        ("POST", f"/api/checks/{clean}/fix"),
        ("GET", f"/api/checks/{clean}/fix/download"),
    ]:
        answer = await mini_app.request(method, suffix, ann, json={"unsafe": False})
        assert answer.status == 422, suffix
        assert answer.json()["message"] == (
            "There is nothing to fix: the file would stay exactly as it is."
        )

    async with _gate(mini_app).run(await _user_id(mini_app, "ann@example.com")):
        busy_json = await mini_app.api(f"/checks/{clean}/fix", ann)
        busy_part = await mini_app.part(f"/checks/{clean}/fix", ann)
        busy_save = await mini_app.request(
            "POST", f"/api/checks/{clean}/fix", ann, json={"unsafe": False}
        )
    for answer in (busy_json, busy_save):
        assert answer.status == 422
        assert answer.json() == {
            "error": "FixInProgressError",
            "message": "Still working on the last fix, one moment.",
            "html": "Still working on the last fix, one moment.",
        }
    assert busy_part.status == 422
    assert "Still working on the last fix, one moment." in busy_part.text
    assert busy_part.headers["Content-Security-Policy"]


@pytest.mark.parametrize("stack", [EMBEDDED], indirect=True)  # a 5 s wait: one stack is enough
async def test_while_every_fix_slot_is_taken_the_page_says_try_again(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await _checked(mini_app, ann, "calc.py", CALC)
    gate = _gate(mini_app)
    slots = mini_app.bot_app.settings.fix_runs_per_process

    async with AsyncExitStack() as others:
        for someone in range(slots):  # other people's fixes, running
            await others.enter_async_context(gate.run(-1 - someone))
        busy = await mini_app.api(f"/checks/{check_id}/fix", ann)

    assert busy.status == 422
    assert busy.json()["error"] == "FixesBusyError"
    assert busy.json()["message"] == (
        "Busy with other people's fixes right now: try again in a moment."
    )
    assert (await mini_app.api(f"/checks/{check_id}/fix", ann)).status == 200  # slots free


async def test_another_persons_check_shows_and_changes_nothing(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    check_id = await _checked(mini_app, ann, "secret_plan.py", b"import launch_codes\n")

    for method, suffix in [
        ("GET", f"/api/checks/{check_id}/fix"),
        ("GET", f"/part/checks/{check_id}/fix?unsafe=1"),
        ("GET", f"/api/checks/{check_id}/fix/download"),
        ("POST", f"/api/checks/{check_id}/fix"),
        ("GET", "/api/checks/99999999999/fix"),
        ("GET", "/part/checks/abc/fix"),
    ]:
        answer = await mini_app.request(method, suffix, bob, json={"unsafe": False})
        assert answer.status == 404, (method, suffix)
        assert "secret_plan" not in answer.text
        assert "launch_codes" not in answer.text
    for method, suffix in [
        ("GET", f"/api/checks/{check_id}/fix"),
        ("POST", f"/api/checks/{check_id}/fix"),
    ]:
        anonymous = await mini_app.request(method, suffix, json={"unsafe": False})
        assert anonymous.status == 401
        assert "secret_plan" not in anonymous.text
    async with mini_app.bot_app.session_factory() as session:
        version = await session.scalar(
            select(File.current_version).where(File.name == "secret_plan.py")
        )
    assert version == 1
