"""Recovery within seconds: a `reviewbot` process killed with SIGKILL and started again
finishes the dead one's work within 30 s of the restart, since claims are short leases renewed
by a heartbeat while held (checks/leases.py). Each version is still checked once, each result
sent once (at most the one message per chat that was on its way is repeated), nothing is lost;
a version whose checks keep taking their process down is failed for good, and the person told
once."""

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select

from core.config import Settings
from core.models import Check, CheckResult, CheckState, FileVersion
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.support.pipeline import (
    checks_per_version,
    count_rows,
    seed_people,
    sent_deliveries,
    wait_until,
)
from tests.support.processes import KILLED, reviewbot_environment, reviewbot_process
from tests.support.results import chat_reviews, result_name
from tests.support.smtp import SmtpSink

SOURCE = b"import os\n"
# The requirement: the dead process's work is done within this long of the restart.
RECOVERY_SECONDS = 30.0


def _last_review_at(telegram: FakeTelegram) -> float:
    return max(
        request.at
        for request in telegram.calls("sendMessage")
        if request.ok and result_name(str(request.params.get("text", ""))) is not None
    )


def _mailed(smtp: SmtpSink) -> Counter[str]:
    return Counter(str(m["Subject"]) for m in smtp.messages if "reviewbot: p" in str(m["Subject"]))


async def _claimed_versions(session_factory: SessionFactory) -> int:
    return await count_rows(
        session_factory, FileVersion, FileVersion.check_state == CheckState.CLAIMED
    )


def _ruff(folder: Path, name: str, on_check: str) -> str:
    """A ruff that runs `on_check` (shell) before a check; the real ruff otherwise."""
    wrapper = folder / name
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = check ]; then {on_check}; fi\nexec "{find_ruff_bin()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


async def _killed(process: asyncio.subprocess.Process) -> None:
    process.kill()
    assert await asyncio.wait_for(process.wait(), timeout=10) == KILLED


@pytest.mark.timeout(240)
async def test_run_killed_after_5_of_50_results_sends_the_rest_within_30_s_of_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    # A chat: 1 a second.
    people = await seed_people(session_factory, 8_600_001, people=10, each=5, source=SOURCE)
    for telegram_id in people:
        fake_telegram.user(telegram_id, opened=True)
    environment = reviewbot_environment(settings, fake_telegram)  # the default 15 s leases
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    async with reviewbot_process("run", first, environment, exit_code=KILLED) as bot:
        await wait_until(lambda: sum(chat_reviews(fake_telegram).values()) >= 5, "5 results", 120)
        await _killed(bot)
    before = sum(chat_reviews(fake_telegram).values())
    assert before < 50, "every result was sent before the kill: nothing to show"
    await asyncio.sleep(1)

    restarted_at = time.monotonic()
    async with reviewbot_process("run", second, environment):
        await wait_until(
            lambda: len(chat_reviews(fake_telegram)) == 50 and len(_mailed(smtp_server)) == 50,
            "every chat result and mail",
            RECOVERY_SECONDS + 60,  # past the bound too, to say how long it took
        )
        mails_at = time.monotonic()
        recovery = max(_last_review_at(fake_telegram), mails_at) - restarted_at
        await wait_until_sent(session_factory, 100)
    mails = _mailed(smtp_server)
    print(
        f"\nrun killed after {before} of 50 chat results: the last result came {recovery:.1f} s"
        f" after the restart; {sum(mails.values()) - 50} mails on their way were sent again"
    )
    assert recovery < RECOVERY_SECONDS
    assert set((await checks_per_version(session_factory)).values()) == {1}
    reviews = chat_reviews(fake_telegram)
    for telegram_id in people:
        repeats = sum(n - 1 for (chat, _name), n in reviews.items() if chat == telegram_id)
        assert repeats <= 1, reviews
    assert max(mails.values()) <= 2  # a mail the dead process had sent but not marked yet
    for folder, name in ((first, "run"), (second, "run")):
        assert "Traceback" not in (folder / f"reviewbot-{name}.log").read_text()


async def wait_until_sent(session_factory: SessionFactory, total: int) -> None:
    """Every delivery marked sent (the marks follow the sends within a fraction of a second)."""
    deadline = time.monotonic() + 30
    while await sent_deliveries(session_factory) < total:
        assert time.monotonic() < deadline, "not every delivery was marked sent"
        await asyncio.sleep(0.1)


@pytest.mark.timeout(240)
async def test_worker_killed_holding_claimed_versions_is_relieved_within_30_s_of_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    people = await seed_people(session_factory, 8_600_101, people=6, each=5, source=SOURCE)
    for telegram_id in people:
        fake_telegram.user(telegram_id, opened=True)
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "TELEGRAM_CHAT_INTERVAL_SECONDS": "0",
    }
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    held = {**environment, "RUFF_PATH": _ruff(tmp_path, "slow-ruff.sh", "sleep 45")}
    async with reviewbot_process("worker", first, held, exit_code=KILLED) as worker:
        deadline = time.monotonic() + 60
        while await _claimed_versions(session_factory) < 30:
            assert time.monotonic() < deadline, "the versions were not claimed"
            await asyncio.sleep(0.05)
        await asyncio.sleep(6)  # past a heartbeat: the claims were renewed
        await _killed(worker)
    assert await _claimed_versions(session_factory) == 30
    assert await checks_per_version(session_factory) == Counter()

    restarted_at = time.monotonic()
    async with reviewbot_process("worker", second, environment):
        await wait_until(
            lambda: len(chat_reviews(fake_telegram)) == 30 and len(_mailed(smtp_server)) == 30,
            "every version checked and its results sent",
            RECOVERY_SECONDS + 60,
        )
        recovery = time.monotonic() - restarted_at
        await wait_until_sent(session_factory, 60)
    print(
        f"\nworker killed holding 30 claimed versions: all checked and sent {recovery:.1f} s after"
    )
    assert recovery < RECOVERY_SECONDS
    assert await checks_per_version(session_factory) == Counter(
        dict.fromkeys(await _version_ids(session_factory), 1)
    )
    assert set(chat_reviews(fake_telegram).values()) == {1}
    assert set(_mailed(smtp_server).values()) == {1}


async def _died(folder: Path, environment: dict[str, str], telegram: FakeTelegram) -> bool:
    """Start a worker; whether it was killed before the person was told (when not, it runs a
    few seconds more, long enough to repeat the result if it were to)."""
    # Killed by its ruff, or stopped by SIGTERM when it outlived the check.
    async with reviewbot_process("worker", folder, environment, exit_code={KILLED, 0}) as worker:
        ended = asyncio.create_task(worker.wait())
        await wait_until(
            lambda: ended.done() or len(chat_reviews(telegram)) > 0,
            "the worker dies or the person is told",
            60,
        )
        if ended.done():
            assert ended.result() == KILLED
            return True
        await asyncio.sleep(3)
        ended.cancel()
        return False


async def _version_ids(session_factory: SessionFactory) -> list[int]:
    async with session_factory() as session:
        return list(await session.scalars(select(FileVersion.id)))


@pytest.mark.timeout(300)
async def test_a_version_whose_check_takes_its_worker_down_three_times_fails_and_is_told_once(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    """As when a file makes the worker run out of memory: the kernel kills it mid-check."""
    smtp_server.clear()
    [person] = await seed_people(session_factory, 8_600_201, people=1, each=1, source=SOURCE)
    fake_telegram.user(person, opened=True)
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "CLAIM_LEASE_SECONDS": "3",  # short, so that the test waits little for each death
        "RUFF_PATH": _ruff(tmp_path, "deadly-ruff.sh", "kill -KILL $PPID; sleep 5"),
    }
    deaths = 0
    for life in range(5):
        folder = tmp_path / f"life{life}"
        folder.mkdir()
        if not await _died(folder, environment, fake_telegram):
            break
        deaths += 1
    await wait_until(lambda: len(_mailed(smtp_server)) > 0, "the mail", 30)
    await wait_until_sent(session_factory, 2)
    assert deaths == 3  # CheckRetryPolicy.max_attempts
    async with session_factory() as session:
        version = await session.scalar(select(FileVersion))
        assert version is not None
        assert (version.check_state, version.check_attempts) == (CheckState.FAILED, 3)
        rows = (await session.execute(select(Check.result, Check.error))).all()
    assert rows == [
        (CheckResult.ERROR, "the check was cut short 3 times (the process checking it stopped)")
    ]
    [message] = [
        r.params["text"]
        for r in fake_telegram.calls("sendMessage")
        if r.ok and str(r.params.get("text", "")).startswith("Review of <b>p8600201_0.py</b>")
    ]
    assert "The check could not run: the check was cut short 3 times" in str(message)
    assert list(_mailed(smtp_server).items()) == [
        ("reviewbot: p8600201_0.py v1 could not be checked", 1)
    ]
