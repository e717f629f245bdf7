"""Stopping a `reviewbot worker` in the middle of its work, and starting it again: SIGTERM
finishes or gives back what is running and exits within 10 s; after SIGTERM or SIGKILL a
restarted process finishes everything, checks each version once and sends each result once
(after SIGKILL, at most the one message per chat that was on its way is sent twice)."""

import asyncio
import logging
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import update

from core.config import Settings
from core.models import CheckState, Delivery, DeliveryStatus, FileVersion, utcnow
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import open_worker
from tests.conftest import FAST_RETRY
from tests.fake_telegram import FakeTelegram
from tests.support.app import BotApp
from tests.support.pipeline import (
    checks_per_version,
    count_rows,
    seed_people,
    seed_uploads,
    sent_deliveries,
    wait_until,
)
from tests.support.processes import KILLED, reviewbot_environment, reviewbot_process
from tests.support.results import chat_reviews
from tests.support.smtp import SmtpSink

SOURCE = b"import os\n"
FIRST_TELEGRAM_ID = 8_200_001


async def _all_sent(session_factory: SessionFactory, total: int, timeout: float = 180) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while await sent_deliveries(session_factory) < total:
        assert time.monotonic() < deadline, f"not all {total} deliveries sent in {timeout} s"
        await asyncio.sleep(0.2)


def _mailed_reviews(smtp: SmtpSink) -> Counter[str]:
    return Counter(
        str(m["Subject"]) for m in smtp.messages if str(m["Subject"]).startswith("reviewbot: p")
    )


async def _claims_left(session_factory: SessionFactory) -> tuple[int, int]:
    """Versions still claimed, and pending deliveries still claimed for a while."""
    versions = await count_rows(
        session_factory, FileVersion, FileVersion.check_state == CheckState.CLAIMED
    )
    deliveries = await count_rows(
        session_factory,
        Delivery,
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.claimed_until > utcnow(),
    )
    return versions, deliveries


async def test_sigterm_mid_batch_exits_within_10_s_and_a_restart_finishes_everything_once(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    # 240 versions: 2 batches.
    people = await seed_people(
        session_factory, FIRST_TELEGRAM_ID, people=8, each=30, source=SOURCE
    )
    for telegram_id in people:
        fake_telegram.user(telegram_id, opened=True)
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "TELEGRAM_CHAT_INTERVAL_SECONDS": "0",
    }
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    async with reviewbot_process("worker", first, environment) as worker:
        await wait_until(lambda: len(chat_reviews(fake_telegram)) >= 3, "results being sent", 120)
        held = await _claims_left(session_factory)
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), timeout=10) == 0
    assert held != (0, 0), "nothing was claimed at SIGTERM: nothing to show"
    assert await _claims_left(session_factory) == (0, 0)  # finished or given back
    assert "stopping: no new work is claimed" in (first / "reviewbot-worker.log").read_text()
    sent_before_restart = await sent_deliveries(session_factory)
    assert sent_before_restart < 2 * 240, "the batch was over before SIGTERM: nothing to show"

    async with reviewbot_process("worker", second, environment):
        await _all_sent(session_factory, 2 * 240)
    assert set((await checks_per_version(session_factory)).values()) == {1}
    assert len(await checks_per_version(session_factory)) == 240
    reviews = chat_reviews(fake_telegram)
    assert len(reviews) == 240
    assert set(reviews.values()) == {1}  # no repeats
    mails = _mailed_reviews(smtp_server)
    assert len(mails) == 240
    assert set(mails.values()) == {1}
    for folder in (first, second):
        assert "Traceback" not in (folder / "reviewbot-worker.log").read_text()


async def test_sigkill_mid_batch_and_a_restart_after_the_lease_repeats_at_most_one_per_chat(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    people = await seed_people(session_factory, FIRST_TELEGRAM_ID, people=4, each=5, source=SOURCE)
    for telegram_id in people:
        fake_telegram.user(telegram_id, opened=True)
    environment = reviewbot_environment(settings, fake_telegram)  # a chat gets one a second
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    async with reviewbot_process("worker", first, environment, exit_code=KILLED) as worker:
        await wait_until(lambda: len(chat_reviews(fake_telegram)) >= 4, "results being sent", 120)
        worker.kill()
        assert await asyncio.wait_for(worker.wait(), timeout=10) == KILLED
    assert await sent_deliveries(session_factory) < 2 * 20
    # The leases of the dead worker run out (instead of waiting minutes for them here).
    async with session_factory() as session:
        await session.execute(
            update(FileVersion)
            .where(FileVersion.check_state == CheckState.CLAIMED)
            .values(claim_expires_at=utcnow())
        )
        await session.execute(
            update(Delivery)
            .where(Delivery.claimed_until.is_not(None))
            .values(claimed_until=utcnow())
        )
        await session.commit()

    async with reviewbot_process("worker", second, environment):
        await _all_sent(session_factory, 2 * 20)
    checked = await checks_per_version(session_factory)
    assert len(checked) == 20
    assert set(checked.values()) == {1}
    reviews = chat_reviews(fake_telegram)
    assert len(reviews) == 20  # none lost
    for telegram_id in people:
        repeats = sum(n - 1 for (chat, _name), n in reviews.items() if chat == telegram_id)
        assert repeats <= 1, reviews
    mails = _mailed_reviews(smtp_server)
    assert len(mails) == 20  # none lost


def _slow_ruff(folder: Path) -> str:
    """A ruff whose checks take a minute: a batch that cannot finish within the stop's grace."""
    wrapper = folder / "slow-ruff.sh"
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = check ]; then sleep 60; fi\nexec "{find_ruff_bin()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


async def test_a_batch_too_long_for_the_stop_is_given_back_and_checked_once_after(
    bot_app: BotApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What SIGTERM does to a worker whose batch is still in ruff after the grace time: the
    run is cut short, its claims given back at once (no lease to wait for)."""
    caplog.set_level(logging.INFO)
    session_factory = bot_app.session_factory
    versions = await seed_uploads(
        session_factory, {"a.py": SOURCE, "b.py": SOURCE}, telegram_id=8_300_004
    )
    chat = bot_app.telegram.user(8_300_004, opened=True)
    slow = RuffRunner(ruff_path=_slow_ruff(tmp_path))
    async with open_worker(bot_app.resources, bot_app.bot, runner=slow, identity="slow"):
        deadline = time.monotonic() + 30
        while (await _claims_left(session_factory))[0] < len(versions):
            assert time.monotonic() < deadline, "the versions were not claimed"
            await asyncio.sleep(0.05)
        stopping_at = time.monotonic()
    assert time.monotonic() - stopping_at < 10
    assert await _claims_left(session_factory) == (0, 0)
    assert any("gave back 2 claimed versions" in r.getMessage() for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await checks_per_version(session_factory) == Counter()

    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY):
        reviews = {(await chat.next_screen(timeout=30)).text.split(",")[0] for _ in versions}
    assert reviews == {"Review of a.py", "Review of b.py"}
    assert set((await checks_per_version(session_factory)).values()) == {1}
