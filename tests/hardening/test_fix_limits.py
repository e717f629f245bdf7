"""Autofix within bounds: ruff's fix runs hold no database connection, so a crowd pressing Fix
leaves the bot answering everyone else; one run per person at a time (a second press says it
is still working), and a few per process (docs/fix-limits.md)."""

import asyncio
import time
from pathlib import Path

import pytest

from checks.worker import Worker
from core.config import Settings
from infra.ruff.runner import RuffRunner
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.people import seeded
from tests.support.results import assert_result

# More presses than the engine's pool has connections (5, and 10 more on demand), and than
# the four fix slots the test gives the process.
FIXERS = 16
RUN_SECONDS = 0.5  # per ruff run of a fix; a fix runs ruff four times
CALC = b"import os\ndef add( a,b ):\n    return a+b\n"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """ruff made slow for fixes only: every run in a fix's folder sleeps first (checks of
    uploads run at full speed)."""
    ruff = tmp_path / "slow-ruff"
    ruff.write_text(
        "#!/bin/sh\n"
        f'case "$(/bin/pwd)" in */reviewbot-fix-*) /bin/sleep {RUN_SECONDS};; esac\n'
        f'exec "{RuffRunner().ruff_path}" "$@"\n'
    )
    ruff.chmod(0o755)
    return settings.model_copy(update={"ruff_path": str(ruff), "fix_runs_per_process": 4})


async def _report(person: Person) -> BotOutput:
    """The person's report of calc.py, with its Fix button."""
    assert " calc.py" in (await person.upload("calc.py", CALC)).text
    result = await person.chat.next_screen(timeout=60)
    assert_result(result, "calc.py")
    report = await person.click(result, "Full report")
    assert "🛠 Fix" in report.button_texts(), report.describe()
    return report


async def test_a_crowd_pressing_fix_leaves_the_bot_answering_and_one_run_per_person(
    bot_app: BotApp, worker: Worker
) -> None:
    people = [await seeded(bot_app, f"fixer{n}@example.com") for n in range(FIXERS)]
    reports = await asyncio.gather(*(_report(person) for person in people))
    other = await seeded(bot_app, "other@example.com")

    presses = []
    for person, report in zip(people, reports, strict=True):
        await person.chat.click(report, "🛠 Fix")
        presses.append(person.chat.last_update_id)
    await asyncio.sleep(RUN_SECONDS / 2)  # every press is in: ruff runs, or waits its turn

    started = time.monotonic()
    files = await other.files()
    waited = time.monotonic() - started
    assert "You have no files yet." in files.text, files.text  # their own list
    assert waited < 2.0, f"/files took {waited:.1f} s while {FIXERS} fixes ran"

    impatient, report = people[-1], reports[-1]
    await impatient.chat.click(report, "🛠 Fix")
    second_press = impatient.chat.last_update_id
    alert = await impatient.chat.next_output()
    assert (alert.kind, alert.text, alert.show_alert) == (
        "callback_answer",
        "Still working on the last fix, one moment.",
        True,
    ), alert.describe()

    # Four at a time, about 2 s each: a press that finds no free slot within 5 s is told
    # to try again (long before Telegram's 15 s for answering it run out).
    answers = await asyncio.gather(*(p.chat.next_screen(timeout=60) for p in people))
    previews = [a for a in answers if a.kind == "edit"]
    busy = [a for a in answers if a.kind == "callback_answer"]
    assert len(previews) + len(busy) == FIXERS, [a.describe() for a in answers]
    assert len(previews) >= 4, [a.describe() for a in answers]
    for preview in previews:
        assert preview.text.startswith("🛠 Fixes for calc.py, version 1"), preview.describe()
    for refusal in busy:
        assert (refusal.text, refusal.show_alert) == (
            "Busy with other people's fixes right now: try again in a moment.",
            True,
        )
    for update_id in (presses[-1], second_press):  # both of the impatient's presses, handled
        assert update_id is not None
        await bot_app.handled.wait(update_id)
    assert impatient.chat.consume_all() == []  # the second press ran nothing
    assert bot_app.telegram.refused == []
    # Later, a press that was turned away (or any) works.
    turned_away = [n for n, answer in enumerate(answers) if answer in busy] or [0]
    again = await people[turned_away[0]].click(reports[turned_away[0]], "🛠 Fix")
    assert again.text.startswith("🛠 Fixes for calc.py, version 1"), again.describe()
