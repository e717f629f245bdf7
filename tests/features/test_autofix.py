"""Autofix from a report: a preview of ruff's fixes with their diff, the fixed file, unsafe fixes
only when asked, long diffs as a document, and saving the fixed file as the next version (only
while the file has not changed since)."""

import subprocess
from pathlib import Path

from sqlalchemy import select

from checks.worker import Worker
from core.models import Check, File, FileVersion
from infra.database import SessionFactory
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.reports import ruff_diagnostics
from tests.support.results import assert_result, issues
from tests.support.sources import CALC

PREVIEW_BUTTONS = ["⬇️ Get fixed file", "💾 Save as version 2"]
# Formatted already; its only issue (F841) has an unsafe fix and no safe one.
ONLY_UNSAFE = b"def f():\n    unused = 5\n    return 1\n"


async def _result_of_upload(person: Person, name: str, content: bytes) -> BotOutput:
    """Upload the file and wait for its result in the chat."""
    assert f" {name}" in (await person.upload(name, content)).text  # "Got" or "Replaced"
    result = await person.chat.next_screen(timeout=30)
    assert_result(result, name)
    return result


async def _preview(person: Person, name: str, content: bytes) -> tuple[BotOutput, BotOutput]:
    """Upload, open the full report from the chat result, press Fix: (report, preview)."""
    report = await person.click(await _result_of_upload(person, name, content), "Full report")
    assert "🛠 Fix" in report.button_texts(), report.describe()
    return report, await person.click(report, "🛠 Fix")


async def _fixed_file(person: Person, preview: BotOutput) -> BotOutput:
    document = await person.click(preview, "⬇️ Get fixed file")
    assert document.kind == "document", document.describe()
    assert document.document is not None
    return document


def _without_marks(screen: BotOutput) -> str:
    """A report page without its delivery marks (a result may be sent meanwhile)."""
    return screen.text.rsplit("\nEmail: ", 1)[0]


def _diff_block(screen: BotOutput) -> str:
    """The text of the screen's diff block (offsets in UTF-16 units)."""
    [pre] = [e for e in screen.entities if e["type"] == "pre"]
    assert pre.get("language") == "diff"
    encoded = screen.text.encode("utf-16-le")
    return encoded[2 * pre["offset"] : 2 * (pre["offset"] + pre["length"])].decode("utf-16-le")


def _applied(name: str, original: bytes, diff: str, folder: Path) -> bytes:
    """The original with the diff applied by `git apply`, as a person would apply it."""
    work = folder / "apply"
    work.mkdir(exist_ok=True)
    (work / name).write_bytes(original)
    (work / "fix.diff").write_text(diff, encoding="utf-8")
    subprocess.run(["git", "apply", "fix.diff"], cwd=work, check=True, capture_output=True)
    return (work / name).read_bytes()


def _codes(content: bytes, folder: Path, applicability: str | None = None) -> list[str]:
    """ruff's codes for these bytes under its default rules; only those whose fix has
    `applicability`, when given."""
    return [
        d["code"]
        for d in ruff_diagnostics(content, folder)
        if applicability is None or (d["fix"] or {}).get("applicability") == applicability
    ]


async def _versions(session_factory: SessionFactory, name: str) -> dict[int, list[Check]]:
    """The file's versions by number, each with its checks."""
    async with session_factory() as session:
        versions = await session.scalars(
            select(FileVersion)
            .join(File, File.id == FileVersion.file_id)
            .where(File.name == name)
            .order_by(FileVersion.number)
        )
        found = {version.number: version.id for version in versions}
        checks = list(await session.scalars(select(Check).order_by(Check.id)))
    return {n: [c for c in checks if c.version_id == id_] for n, id_ in found.items()}


async def test_the_fixed_file_has_no_safe_fix_left_compiles_and_is_what_the_diff_shows(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    before = _codes(CALC, tmp_path)
    remaining_codes = ["F841", "F841", "F821"]
    assert sorted(_codes(CALC, tmp_path, "unsafe")) == ["F841", "F841"]
    ada = await bot_app.registered("ada@example.com")
    report, preview = await _preview(ada, "calc.py", CALC)

    assert preview.kind == "edit"
    assert preview.text.splitlines()[:4] == [
        "🛠 Fixes for calc.py, version 1",
        "ruff's safe fixes, then ruff format.",
        f"Fixes {len(before) - 3} of {len(before)} issues; 3 remain.",
        "2 more issues have unsafe fixes.",
    ]
    assert preview.button_texts() == [*PREVIEW_BUTTONS, "⚠️ Include unsafe fixes", "« Back"]

    document = await _fixed_file(ada, preview)
    assert document.filename == "calc.py"
    assert document.text == (
        "calc.py, version 1, with safe fixes. Not saved: your files are unchanged."
    )
    assert document.document is not None
    fixed = document.document
    assert _codes(fixed, tmp_path, "safe") == []
    assert sorted(_codes(fixed, tmp_path)) == sorted(remaining_codes)
    compile(fixed.decode(), "calc.py", "exec")  # parsed and compiled, never run
    assert b"def add(a, b):\n" in fixed  # and formatted
    # The diff shown (Telegram trims the message's last newline) is exactly the change.
    shown = _diff_block(preview) + "\n"
    assert shown.startswith("--- a/calc.py\n+++ b/calc.py\n@@ ")
    assert _applied("calc.py", CALC, shown, tmp_path) == fixed

    back = await ada.click(preview, "« Back")
    assert (_without_marks(back), back.buttons) == (_without_marks(report), report.buttons)
    assert list(await _versions(bot_app.session_factory, "calc.py")) == [1]  # nothing saved
    assert bot_app.telegram.refused == []


async def test_save_makes_version_2_with_its_own_check_and_the_remaining_issues(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    bo = await bot_app.registered("bo@example.com")
    _, preview = await _preview(bo, "calc.py", CALC)
    fixed = (await _fixed_file(bo, preview)).document
    assert "Fixes 5 of 8 issues; 3 remain." in preview.text

    saved = await bo.click(preview, "💾 Save as version 2")
    assert saved.kind == "edit"
    assert saved.text == "💾 Saved as version 2 of calc.py. Its review follows in a moment."
    assert saved.button_texts() == ["Open the file"]
    result = await bo.chat.next_screen(timeout=30)
    # As many issues as the preview said remain; issues are matched by their line's text, so a
    # line ruff format touched counts as fixed and new ("total = a+b" → "total = a + b").
    changes = assert_result(result, "calc.py", 2, issues(3)).rest[0]
    assert changes.endswith(" since version 1"), changes

    versions = await _versions(bot_app.session_factory, "calc.py")
    assert list(versions) == [1, 2]
    [check] = versions[2]
    assert check.issue_count == 3 == len(_codes(CALC, tmp_path)) - 5
    async with bot_app.session_factory() as session:
        stored = await session.scalar(select(FileVersion.content).where(FileVersion.number == 2))
    assert stored == fixed
    card = await bo.click(saved, "Open the file")
    assert "Last check: v2, ❌ 3 issues" in card.text
    assert bot_app.telegram.refused == []


async def test_unsafe_fixes_come_only_after_their_button_and_carry_a_warning(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = b"import os\n\n\ndef f():\n    unused = 5\n    return 1\n"
    assert _codes(source, tmp_path, "safe") == ["F401"]
    assert _codes(source, tmp_path, "unsafe") == ["F841"]
    cy = await bot_app.registered("cy@example.com")
    _, safe = await _preview(cy, "risky.py", source)
    assert "Fixes 1 of 2 issues; 1 remains.\n1 more issue has an unsafe fix." in safe.text
    safe_fixed = (await _fixed_file(cy, safe)).document
    assert safe_fixed is not None
    assert _codes(safe_fixed, tmp_path) == ["F841"]  # left by the safe fixes

    unsafe = await cy.click(safe, "⚠️ Include unsafe fixes")
    assert unsafe.text.splitlines()[:3] == [
        "🛠 Fixes for risky.py, version 1",
        "⚠️ With unsafe fixes: they may change what the code does. Read the diff before you "
        "use it.",
        "Fixes 2 of 2 issues; 0 remain.",
    ]
    assert "unsafe fix." not in unsafe.text
    assert unsafe.button_texts() == [*PREVIEW_BUTTONS, "« Back"]
    document = await _fixed_file(cy, unsafe)
    assert document.text == (
        "risky.py, version 1, with safe and unsafe fixes. Not saved: your files are unchanged."
    )
    assert document.document is not None
    assert _codes(document.document, tmp_path) == []
    compile(document.document.decode(), "risky.py", "exec")
    shown = _diff_block(unsafe) + "\n"
    assert _applied("risky.py", source, shown, tmp_path) == document.document
    assert bot_app.telegram.refused == []


async def test_a_long_diff_follows_as_a_diff_document_of_the_exact_bytes(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = "".join(f'v{n} = f"plain {n}"\n' for n in range(300)).encode()
    assert _codes(source, tmp_path, "safe") == ["F541"] * 300
    di = await bot_app.registered("di@example.com")
    _, preview = await _preview(di, "long.py", source)

    assert preview.text.splitlines() == [
        "🛠 Fixes for long.py, version 1",
        "ruff's safe fixes, then ruff format.",
        "Fixes 300 of 300 issues; 0 remain.",
        "",
        "The diff is long: it follows as long-v1-fix.diff.",
    ]
    diff = await di.chat.next_screen()
    assert diff.kind == "document"
    assert diff.filename == "long-v1-fix.diff"
    assert diff.text == "The fixes of long.py, version 1, as a unified diff."
    fixed = (await _fixed_file(di, preview)).document
    assert fixed == "".join(f'v{n} = "plain {n}"\n' for n in range(300)).encode()
    assert diff.document is not None
    assert _applied("long.py", source, diff.document.decode(), tmp_path) == fixed
    assert len(diff.document) > 4096
    assert bot_app.telegram.refused == []  # the message fit


async def test_fixes_that_change_nothing_offer_no_file_and_no_save(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    assert _codes(ONLY_UNSAFE, tmp_path, "unsafe") == ["F841"]
    eve = await bot_app.registered("eve@example.com")
    report, preview = await _preview(eve, "same.py", ONLY_UNSAFE)

    assert preview.text == (
        "🛠 Fixes for same.py, version 1\n"
        "ruff's safe fixes, then ruff format.\n"
        "Nothing to fix: the file would stay exactly as it is.\n"
        "1 more issue has an unsafe fix."
    )
    assert preview.entities == [{"type": "bold", "offset": 13, "length": 7}]  # no diff block
    assert preview.button_texts() == ["⚠️ Include unsafe fixes", "« Back"]
    back = await eve.click(preview, "« Back")
    assert (_without_marks(back), back.buttons) == (_without_marks(report), report.buttons)
    assert list(await _versions(bot_app.session_factory, "same.py")) == [1]
    assert bot_app.telegram.refused == []


async def test_saving_after_a_newer_upload_says_the_file_changed_and_stores_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    fay = await bot_app.registered("fay@example.com")
    _, preview = await _preview(fay, "calc.py", CALC)
    assert "💾 Save as version 2" in preview.button_texts()
    await _result_of_upload(fay, "calc.py", b"value = 1\n")  # version 2, from elsewhere

    answer = await fay.click(preview, "💾 Save as version 2")
    assert answer.kind == "message"
    assert answer.text == (
        "This file has changed since: it is at version 2 now. Open its latest report to fix "
        "that one."
    )
    assert fay.chat.last_update_id is not None
    await bot_app.handled.wait(fay.chat.last_update_id)  # the press, handled to its end
    versions = await _versions(bot_app.session_factory, "calc.py")
    assert list(versions) == [1, 2]  # no version 3: no review of one can follow
    assert [len(checks) for checks in versions.values()] == [1, 1]
    [shown] = [m for m in fay.chat.messages if m.message_id == preview.message_id]
    assert (shown.text, shown.buttons) == (preview.text, preview.buttons)  # left as it was
    assert fay.chat.consume_all() == []
    assert bot_app.telegram.refused == []


async def test_a_file_without_a_last_newline_gets_a_diff_that_applies(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = b'import os\nx = f"a"'  # ruff format adds the missing newline
    gil = await bot_app.registered("gil@example.com")
    _, preview = await _preview(gil, "tail.py", source)
    fixed = (await _fixed_file(gil, preview)).document
    assert fixed == b'x = "a"\n'
    shown = _diff_block(preview) + "\n"
    assert "\\ No newline at end of file\n" in shown
    assert _applied("tail.py", source, shown, tmp_path) == fixed
    assert bot_app.telegram.refused == []
