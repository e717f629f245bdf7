"""Hostile documents: each gets its own clear answer, what is refused leaves nothing stored, the
bot answers the next update as usual, and what is accepted is checked like any other file."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from checks.check_job import CheckJob
from checks.claims import CheckRetryPolicy
from checks.worker import Worker
from core.models import Check, CheckResult, File, FileEvent, FileVersion
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import open_worker
from tests.conftest import FAST_RETRY
from tests.support.app import BotApp, Person
from tests.support.pipeline import seed_uploads
from tests.support.results import PASSED, assert_result, issues, read_result
from tests.support.smtp import body_text

NOT_PYTHON = "I only review Python files: the name must end in .py."
NO_NAME = "This document has no file name. Send it as name.py."
NOT_UTF8 = "This file is not UTF-8 text. Save it as UTF-8 and send it again."
NUL_BYTES = "This file contains NUL bytes, so it is not a Python source file."
TOO_LARGE = "This file is too large: the limit is 1,048,576 bytes."
EMPTY = "This file is empty, and Telegram does not send empty documents."
# The start of a Windows program: "MZ", then NUL bytes and bytes that are not UTF-8.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + bytes(range(256))


async def _stored_rows(app: BotApp) -> tuple[int, int, int]:
    """How many files, versions and file events the database holds."""
    async with app.session_factory() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (File, FileVersion, FileEvent)
        ]
    return (counts[0] or 0, counts[1] or 0, counts[2] or 0)


async def _answers_normally(person: Person) -> None:
    """The next update gets the usual answer: the bot is not stuck on what came before."""
    assert "You have no files yet." in (await person.files()).text


@pytest.mark.parametrize(
    ("name", "content", "answer"),
    [
        ("notes.txt", b"hello\n", NOT_PYTHON),
        ("a.py.exe", PROGRAM, NOT_PYTHON),
        ("a.exe.py", PROGRAM, NUL_BYTES),
        ("a.exe.py", b"MZ\x90\xff\xfe binary\n", NOT_UTF8),
        (None, b"x = 1\n", NO_NAME),
        ("", b"x = 1\n", NO_NAME),
        (".py", b"x = 1\n", NO_NAME),
        ("../.py", b"x = 1\n", NO_NAME),
        ("\u202e\x1b.py", b"x = 1\n", NO_NAME),
        ("latin1.py", "s = 'café'\n".encode("latin-1"), NOT_UTF8),
        ("truncated.py", "s = 'é'\n".encode()[:6], NOT_UTF8),
        ("nul.py", b"x = 1\x00\n", NUL_BYTES),
        ("long" * 75 + ".py", b"x = 1\n", "The file name is too long."),
    ],
)
async def test_a_refused_document_is_explained_stores_nothing_and_the_bot_goes_on(
    bot_app: BotApp, name: str | None, content: bytes, answer: str
) -> None:
    eve = await bot_app.registered("eve@example.com")
    refusal = await eve.upload(name, content)
    assert answer in refusal.text
    assert await _stored_rows(bot_app) == (0, 0, 0)
    if answer not in (NUL_BYTES, NOT_UTF8):  # refused by its name: never downloaded
        assert bot_app.telegram.calls("getFile") == []
    await _answers_normally(eve)


async def test_an_oversized_document_is_refused_from_its_size_and_never_downloaded(
    bot_app: BotApp,
) -> None:
    """The declared size decides: the bot neither asks for the file nor fetches its bytes."""
    fay = await bot_app.registered("fay@example.com")
    declared = bot_app.settings.max_upload_bytes + 1
    assert TOO_LARGE in (await fay.upload("big.py", b"x = 1\n", file_size=declared)).text
    assert TOO_LARGE in (await fay.upload("huge.py", b"x = 1\n", file_size=2**40)).text
    assert bot_app.telegram.calls("getFile") == []
    assert bot_app.telegram.calls("downloadFile") == []
    assert await _stored_rows(bot_app) == (0, 0, 0)
    await _answers_normally(fay)


async def test_an_empty_file_and_one_with_a_byte_order_mark_are_accepted_and_checked(
    bot_app: BotApp, worker: Worker
) -> None:
    gus = await bot_app.registered("gus@example.com")
    assert "Got empty.py." in (await gus.upload("empty.py", b"")).text
    result = await gus.chat.next_screen(timeout=30)
    assert_result(result, "empty.py", 1, PASSED)

    assert "Got bom.py." in (await gus.upload("bom.py", b"\xef\xbb\xbfimport os\n")).text
    result = await gus.chat.next_screen(timeout=30)
    assert assert_result(result, "bom.py", 1, issues(1)).rest
    assert "F401 1:8 `os` imported but unused" in result.text
    report = await gus.click(result, "Full report")
    assert "\nimport os\n" in report.text  # the source line, without the mark
    assert "\ufeff" not in report.text
    assert "\ufffd" not in report.text
    # Fixing removes every line: Telegram sends no empty document, and the bot says so.
    preview = await gus.click(report, "🛠 Fix")
    await gus.chat.click(preview, "⬇️ Get fixed file")
    alert = await gus.chat.next_screen()
    assert (alert.kind, alert.text, alert.show_alert) == ("callback_answer", EMPTY, True)

    card = await gus.click(await gus.files(), "empty.py · v1 · ✅")
    await gus.chat.click(card, "Download")
    alert = await gus.chat.next_screen()
    assert (alert.kind, alert.text, alert.show_alert) == ("callback_answer", EMPTY, True)
    assert bot_app.telegram.refused == []


def _never_run(marker: Path) -> bytes:
    """A module that writes `marker` when imported and again when run as a script."""
    return (
        "import os\n"
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n"
        "def main( ):\n"
        f"    pathlib.Path({str(marker)!r}).write_text('run')\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    ).encode()


async def test_uploaded_code_is_never_imported_or_run(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    """Through the check, the fix preview with its fixed file, saving it and the download."""
    marker = tmp_path / "marker"
    hal = await bot_app.registered("hal@example.com")
    await hal.upload("trap.py", _never_run(marker))
    result = await hal.chat.next_screen(timeout=30)
    assert assert_result(result, "trap.py", 1).status.startswith("❌ ")
    report = await hal.click(result, "Full report")
    preview = await hal.click(report, "🛠 Fix")
    assert preview.text.startswith("🛠 Fixes for trap.py, version 1")
    fixed = await hal.click(preview, "⬇️ Get fixed file")
    assert fixed.document is not None
    saved = await hal.click(preview, "💾 Save as version 2")
    assert "version 2" in saved.text
    assert_result(await hal.chat.next_screen(timeout=30), "trap.py", 2)
    card = await hal.click(await hal.files(), "trap.py · v2 · ✅")
    download = await hal.click(card, "Download")
    assert download.document is not None
    assert not marker.exists()


# 50,000 lines of 20 bytes: 1,000,000 bytes, an unused import (F401) on each line, and the
# import block unsorted (I001): 50,001 issues.
MEGABYTE_OF_ISSUES = "".join(f"import m_{n:06d} # x\n" for n in range(50_000)).encode()


async def test_a_megabyte_with_fifty_thousand_issues_is_counted_and_its_first_shown(
    bot_app: BotApp, worker: Worker
) -> None:
    """Every message stays within Telegram's limits (the fake server refuses any that does
    not); the check keeps the first 10,000 issues (MAX_ISSUES_PER_CHECK) and says so, and the
    email lists the first 500 and counts the rest."""
    assert len(MEGABYTE_OF_ISSUES) == 1_000_000
    ida = await bot_app.registered("ida@example.com")
    assert "Got many.py." in (await ida.upload("many.py", MEGABYTE_OF_ISSUES)).text
    result = await ida.chat.next_screen(timeout=120)
    shown = assert_result(result, "many.py", 1, issues(50_001))
    assert shown.rest[0] == "Showing the first 10,000 of 50,001 issues."
    assert "more: see the full report." in result.text
    async with bot_app.session_factory() as session:
        check = await session.scalar(select(Check))
    assert check is not None
    assert (check.issue_count, len(check.issues), check.issues_truncated) == (50_001, 10_000, True)

    mail = await bot_app.smtp.wait_for(ida.email, count=2, timeout=120)
    assert "many.py" in str(mail["Subject"])
    text = body_text(mail)
    assert len([line for line in text.splitlines() if "  F401  " in line]) == 499
    assert "1:1  I001  " in text
    assert "…and 49501 more issues: the full report is in the chat." in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content().count("<td>F401</td>") == 499

    report = await ida.click(result, "Full report")
    assert report.text.startswith("Report for many.py, version 1\n")
    assert report.has_button("Next »")
    document = await ida.click(report, "📄 HTML report")
    assert document.document is not None
    last = await ida.click(report, "Next »")
    assert "F401" in last.text
    assert bot_app.telegram.refused == []
    await _answers_with_files(ida)


async def _answers_with_files(person: Person) -> None:
    assert "You have" in (await person.files()).text


RECURSING = {
    # ruff reports the parentheses (UP034), the unclosed ones as a syntax error.
    "parens.py": b"x = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n",
    "unclosed.py": b"x = " + b"(" * 100_000 + b"\n",
    "lists.py": b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n",
    "calls.py": b"x = " + b"f(" * 1000 + b")" * 1000 + b"\n",
}
# ruff itself overflows its stack on this one and dies; it fails alone, the others in its
# batch are checked.
CRASHES_RUFF = b"x = " + b"+".join([b"a"] * 20_000) + b"\n"


async def _checked_in_one_batch(app: BotApp) -> dict[str, Check]:
    """Run one check job over everything pending (one batch), giving up on the first ruff
    failure; each file's check."""
    job = CheckJob(
        session_factory=app.session_factory,
        runner=RuffRunner(),
        worker_id="one-batch",
        retry=CheckRetryPolicy(max_attempts=1),
    )
    assert await job() == len(RECURSING) + 1
    async with app.session_factory() as session:
        rows = await session.execute(
            select(File.name, Check)
            .join(FileVersion, FileVersion.file_id == File.id)
            .join(Check, Check.version_id == FileVersion.id)
        )
        return dict(rows.all())


async def test_inputs_that_make_parsers_recurse_are_checked_and_shown(bot_app: BotApp) -> None:
    jon = await bot_app.registered("jon@example.com")
    for name, content in [*RECURSING.items(), ("crash.py", CRASHES_RUFF)]:
        assert f"Got {name}." in (await jon.upload(name, content)).text

    checks = await _checked_in_one_batch(bot_app)
    assert (checks["parens.py"].result, checks["parens.py"].issue_count) == (CheckResult.FAILED, 1)
    assert checks["unclosed.py"].result is CheckResult.FAILED
    assert checks["lists.py"].result is CheckResult.PASSED
    assert (checks["calls.py"].result, checks["calls.py"].issue_count) == (
        CheckResult.FAILED,
        1000,
    )
    assert checks["crash.py"].result is CheckResult.ERROR
    assert "ruff failed" in (checks["crash.py"].error or "")

    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY):
        results = {}
        for _ in range(len(checks)):
            result = await jon.chat.next_screen(timeout=30)
            found = read_result(result.text)
            assert found is not None, result.text
            results[found.name] = result
        assert set(results) == set(checks)
        assert "UP034 1:6 Avoid extraneous parentheses" in results["parens.py"].text
        assert "syntax-error 2:1 unexpected EOF while parsing" in results["unclosed.py"].text
        assert "The check could not run: ruff failed" in results["crash.py"].text
        reports = {}
        for name in ("parens.py", "unclosed.py", "calls.py"):
            reports[name] = await jon.click(results[name], "Full report")
            assert reports[name].text.startswith(f"Report for {name}, version 1\n")
        document = await jon.click(reports["calls.py"], "📄 HTML report")
        assert document.document is not None
        preview = await jon.click(reports["parens.py"], "🛠 Fix")
        assert preview.text.startswith("🛠 Fixes for parens.py, version 1")
    assert bot_app.telegram.refused == []
    await _answers_with_files(jon)


async def test_a_batch_that_times_out_is_split_until_each_file_fails_alone(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    """A timeout may be one file's doing: each half of the batch runs again until a file that
    keeps ruff busy fails alone (here every file does)."""
    log = tmp_path / "calls.log"
    slow_ruff = tmp_path / "slow-ruff.sh"
    slow_ruff.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ruff 0.0.0"; exit 0; fi\n'
        f'echo "$1" >> "{log}"\nexec sleep 30\n'
    )
    slow_ruff.chmod(0o755)
    await seed_uploads(session_factory, {f"m{n}.py": b"x = 1\n" for n in range(4)})
    job = CheckJob(
        session_factory=session_factory,
        runner=RuffRunner(ruff_path=str(slow_ruff), timeout_seconds=0.5),
        worker_id="slow",
        retry=CheckRetryPolicy(max_attempts=1),
    )
    assert await job() == 4
    assert log.read_text().splitlines() == ["check"] * 7  # 4 files, 2 halves, 4 alone
    async with session_factory() as session:
        checks = list(await session.scalars(select(Check)))
    assert [(check.result, check.error) for check in checks] == [
        (CheckResult.ERROR, "ruff timed out after 0.5 s")
    ] * 4
