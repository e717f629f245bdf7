"""An upload wakes the worker: its review arrives within seconds, not at the next scheduled run.

Both jobs run only once a minute here, so a review that arrives within WAKEUP_SECONDS can only
have come from the wake-ups: the upload's (Redis pub/sub between processes, an asyncio event
in one process) wakes the check job, and the finished check wakes the delivery job.

The worker runs both jobs once when it starts; so each test uploads a first file before the
worker starts, waits for that file's review (the start-up run), and only then uploads the file
whose review must come from the wake-up.
"""

import asyncio
import time
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from reviewbot.runtime import open_worker
from tests.conftest import FAST_RETRY
from tests.fake_telegram import FakeTelegram, TelegramUser
from tests.support.app import BotApp
from tests.support.pipeline import sent_to
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.smtp import SmtpSink, code_in
from tests.support.stack import SERVICES

INTERVAL_SECONDS = 60
WAKEUP_SECONDS = 5.0
SOURCE = b"import os\n"

_telegram_ids = count(8_100_001)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Both jobs on a one-minute schedule: only a wake-up brings a review within seconds."""
    return settings.model_copy(
        update={
            "check_interval_seconds": INTERVAL_SECONDS,
            "delivery_interval_seconds": INTERVAL_SECONDS,
        }
    )


async def _register(chat: TelegramUser, smtp: SmtpSink, email: str) -> None:
    """/start, the address, the mailed code: the person has an account and an open chat."""
    await chat.send_text("/start")
    await chat.next_screen(timeout=60)  # the bot process may still be starting
    await chat.send_text(email)
    assert "code" in (await chat.next_screen()).text
    code = code_in(await smtp.wait_for(email, timeout=30))
    await chat.send_text(code)
    assert "is confirmed" in (await chat.next_screen()).text


async def _upload(chat: TelegramUser, name: str) -> None:
    await chat.send_document(name, SOURCE)
    assert f"Got {name}." in (await chat.next_screen()).text


async def _review_of(chat: TelegramUser, name: str, *, timeout: float) -> None:  # noqa: ASYNC109
    result = await chat.next_screen(timeout=timeout)
    assert result.text.startswith(f"Review of {name}, version 1\n"), result.text


async def _upload_is_reviewed_within_seconds(
    chat: TelegramUser, telegram: FakeTelegram, name: str
) -> None:
    uploaded_at = time.monotonic()
    await _upload(chat, name)
    # Waiting long enough to tell a late review from none; the timing is asserted below.
    await _review_of(chat, name, timeout=INTERVAL_SECONDS / 2)
    [review] = sent_to(telegram, chat.id, f"Review of <b>{name}</b>")
    took = review.at - uploaded_at
    assert took < WAKEUP_SECONDS, f"the review came {took:.1f} s after the upload"


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_bot_and_worker_processes_are_woken_through_redis(
    settings: Settings,
    engine: AsyncEngine,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    """`reviewbot bot` and `reviewbot worker`, each its own process, on PostgreSQL and Redis."""
    assert settings.redis_url
    environment = reviewbot_environment(settings, fake_telegram)
    chat = fake_telegram.user(next(_telegram_ids))
    async with reviewbot_process("bot", tmp_path, environment):
        await _register(chat, smtp_server, f"wake{chat.id}@example.com")
        await _upload(chat, "first.py")
        async with reviewbot_process("worker", tmp_path, environment):
            await _review_of(chat, "first.py", timeout=60)  # the worker's start-up run
            await _upload_is_reviewed_within_seconds(chat, fake_telegram, "second.py")


async def test_bot_and_worker_in_one_process_wake_each_other(bot_app: BotApp) -> None:
    """As `reviewbot run`: the bot and the worker share one process (and, on the embedded
    stack, no Redis: the wake-up is an asyncio event)."""
    pia = await bot_app.registered("pia@example.com")
    await _upload(pia.chat, "first.py")
    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY):
        await _review_of(pia.chat, "first.py", timeout=30)  # the worker's start-up run
        await _upload_is_reviewed_within_seconds(pia.chat, bot_app.telegram, "second.py")


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_run_with_redis_wakes_itself_and_stops_on_sigterm(
    settings: Settings,
    engine: AsyncEngine,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    """`reviewbot run` on Redis: the bot's FSM storage and the worker's wake-ups share one
    Redis client, so stopping the polling must not close it under the worker; SIGTERM ends the
    whole process at once, cleanly."""
    assert settings.redis_url
    environment = reviewbot_environment(settings, fake_telegram)
    chat = fake_telegram.user(next(_telegram_ids))
    async with reviewbot_process("run", tmp_path, environment) as process:
        await _register(chat, smtp_server, f"run{chat.id}@example.com")
        await _upload(chat, "first.py")
        await _review_of(chat, "first.py", timeout=30)
        await _upload_is_reviewed_within_seconds(chat, fake_telegram, "second.py")
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    output = (tmp_path / "reviewbot-run.log").read_text()
    assert "Traceback" not in output
    assert "wake-up channel lost" not in output
