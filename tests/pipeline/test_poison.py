"""Poison uploads are contained: a file with a million issues gets its exact count, the first
issues and a small email, without holding up anyone else; a file that keeps ruff busy past its
timeout, or kills it, fails alone while the rest of its batch is checked."""

import asyncio
import re
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select

from checks.check_job import CheckJob
from checks.claims import CheckRetryPolicy
from checks.worker import Worker
from core.models import Check, CheckResult, File, FileVersion, RulePreset
from core.review import FoundIssues
from core.ruff_config import ReviewConfig
from infra.database import SessionFactory
from infra.ruff.runner import RuffError, RuffRunner
from tests.support.app import BotApp
from tests.support.pipeline import checks, ruff_oracle_count, seed_uploads
from tests.support.results import assert_result, issues
from tests.support.smtp import body_text

# 1,048,576 bytes (MAX_UPLOAD_BYTES): every line is an undefined name (F821) used as a
# statement (B018), two issues a line.
POISON = b"x\n" * 524_288
MESSY = b"import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return undefined\n"
FIVE_MB = 5 * 1024 * 1024


async def test_a_poison_file_gets_its_count_and_a_small_email_and_holds_up_no_one(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ida = await bot_app.registered("ida@example.com")
    bob = await bot_app.registered("bob@example.com")
    assert len(POISON) == 1_048_576
    assert "Got poison.py." in (await ida.upload("poison.py", POISON)).text
    await asyncio.sleep(1)

    loop = asyncio.get_running_loop()
    uploaded = loop.time()
    assert "Got messy.py." in (await bob.upload("messy.py", MESSY)).text
    ordinary = await bob.chat.next_screen(timeout=30)
    took = loop.time() - uploaded
    assert_result(ordinary, "messy.py", 1, issues(3))
    assert took < 5, f"the ordinary result came {took:.1f} s after its upload"

    expected = await asyncio.to_thread(ruff_oracle_count, POISON, tmp_path)
    assert expected == 1_048_576
    result = await ida.chat.next_screen(timeout=120)
    shown = assert_result(result, "poison.py", 1, issues(expected))
    assert shown.rest[0] == f"Showing the first 10,000 of {expected:,} issues."
    assert f"…and {expected - 10:,} more: see the full report." in result.text
    [check] = [c for c in await checks(bot_app.session_factory) if c.issue_count == expected]
    assert (check.result, len(check.issues), check.issues_truncated) == (
        CheckResult.FAILED,
        10_000,
        True,
    )

    mail = await bot_app.smtp.wait_for(ida.email, count=2, timeout=60)
    assert len(mail.as_bytes()) < FIVE_MB
    text = body_text(mail)
    assert len([line for line in text.splitlines() if re.match(r"\d+:\d+  ", line)]) == 500
    assert f"…and {expected - 500} more issues: the full report is in the chat." in text
    assert f"the report shows the first 10000 of {expected}." in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content().count("<td>F821</td>") == 250

    report = await ida.click(result, "Full report")
    assert f"Showing the first 10,000 of {expected:,} issues." in report.text
    document = await ida.click(report, "📄 HTML report")
    assert document.document is not None
    assert f"the report shows the first 10000 of {expected}." in document.document.decode()
    assert bot_app.telegram.refused == []


async def test_many_issues_are_counted_and_the_first_kept_in_file_order(tmp_path: Path) -> None:
    source = "".join(f"import m_{n:03d}\n" for n in range(30)).encode()  # 30 × F401
    found = await RuffRunner(max_issues=12).check_batch(
        {1: source, 2: MESSY}, ReviewConfig(preset=RulePreset.DEFAULT)
    )

    assert isinstance(found[1], FoundIssues)
    assert (found[1].total, len(found[1]), found[1].truncated) == (30, 12, True)
    assert [issue.line for issue in found[1]] == list(range(1, 13))
    assert (found[2].total, len(found[2]), found[2].truncated) == (3, 3, False)


async def test_a_ruff_run_past_its_memory_limit_fails_like_a_crash() -> None:
    """Four poison files would take ruff 2.6 GB: it is stopped at RUFF_MEMORY_LIMIT (2 GiB) and
    the job splits the batch as for any crash; one poison file fits."""
    runner = RuffRunner()
    config = ReviewConfig(preset=RulePreset.DEFAULT)
    with pytest.raises(RuffError) as raised:
        await runner.check_batch(dict.fromkeys(range(4), POISON), config)
    assert raised.value.exited
    found = await runner.check_batch({1: POISON}, config)
    assert (found[1].total, len(found[1])) == (1_048_576, 10_000)


def _ruff_slow_or_killed_by_marker(folder: Path) -> str:
    """ruff, except that a file holding SLOW_FOR_RUFF keeps it busy for a minute and one
    holding KILLS_RUFF gets it killed by a signal."""
    wrapper = folder / "marked-ruff.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do\n'
        '  case "$arg" in *.py)\n'
        '    if grep -qs SLOW_FOR_RUFF "$arg"; then exec sleep 60; fi\n'
        '    if grep -qs KILLS_RUFF "$arg"; then kill -KILL $$; fi\n'
        "  esac\n"
        "done\n"
        f'exec "{find_ruff_bin()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


async def test_a_file_that_times_out_or_kills_ruff_fails_alone(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    files = {f"ok{n}.py": b"import os\n" if n % 2 else b"x = 1\n" for n in range(6)}
    files["slow.py"] = b"# SLOW_FOR_RUFF\n"
    files["killer.py"] = b"# KILLS_RUFF\n"
    await seed_uploads(session_factory, files)
    job = CheckJob(
        session_factory=session_factory,
        runner=RuffRunner(ruff_path=_ruff_slow_or_killed_by_marker(tmp_path), timeout_seconds=2),
        worker_id="marked",
        retry=CheckRetryPolicy(max_attempts=1),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await job() == len(files)
    took = loop.time() - started

    async with session_factory() as session:
        rows = await session.execute(
            select(File.name, Check)
            .join(FileVersion, FileVersion.file_id == File.id)
            .join(Check, Check.version_id == FileVersion.id)
        )
        found = dict(rows.all())
    assert set(found) == set(files)
    assert (found["slow.py"].result, found["slow.py"].error) == (
        CheckResult.ERROR,
        "ruff timed out after 2 s",
    )
    assert found["killer.py"].result is CheckResult.ERROR
    assert "ruff failed with exit code -9" in (found["killer.py"].error or "")
    for n in range(6):
        check = found[f"ok{n}.py"]
        assert check.result is (CheckResult.FAILED if n % 2 else CheckResult.PASSED), n
    # 8 files: the slow one's half times out at 8, 4, 2 and 1 files.
    assert took < 4 * 2 + 10, f"the batch took {took:.1f} s"
