"""What is kept only for a while goes after PRUNE_AFTER_HOURS: used and expired email codes,
the file mailer's .eml files, and a conversation's state in Redis."""

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from checks.pruning import PruningJob
from core.clock import ManualClock
from core.models import ConfirmationPurpose, EmailConfirmation
from infra.database import SessionFactory
from reviewbot.runtime import open_worker
from tests.support.app import BotApp
from tests.support.stack import SERVICES, Stack

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)


def _confirmation(email: str, *, sent: datetime, confirmed: datetime | None) -> EmailConfirmation:
    return EmailConfirmation(
        telegram_id=8_200_001,
        email=email,
        purpose=ConfirmationPurpose.REGISTER,
        code_hash=b"h" * 32,
        code_salt=b"s" * 16,
        sent_at=sent,
        expires_at=sent + timedelta(minutes=10),
        confirmed_at=confirmed,
    )


async def _seed_confirmations(session_factory: SessionFactory, now: datetime) -> None:
    async with session_factory() as session:
        session.add_all(
            [
                _confirmation(
                    "old-used@example.com", sent=now - 2 * DAY, confirmed=now - DAY - HOUR
                ),
                _confirmation("old-expired@example.com", sent=now - DAY - HOUR, confirmed=None),
                _confirmation("new-used@example.com", sent=now - 2 * HOUR, confirmed=now - HOUR),
                _confirmation("new-expired@example.com", sent=now - 2 * HOUR, confirmed=None),
                _confirmation("waiting@example.com", sent=now, confirmed=None),
            ]
        )
        await session.commit()


async def _emails_left(session_factory: SessionFactory) -> set[str]:
    async with session_factory() as session:
        return set(await session.scalars(select(EmailConfirmation.email)))


def _mail_file(folder: Path, name: str, age: timedelta, now: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"Subject: code\r\n\r\n123456\r\n")
    stamp = (now - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


async def test_old_confirmations_and_mail_files_go_and_fresh_ones_stay(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    clock = ManualClock()
    now = clock.now()
    await _seed_confirmations(session_factory, now)
    mail = tmp_path / "mail"
    old = _mail_file(mail, "20260101T000000000000-old.eml", DAY + HOUR, now)
    fresh = _mail_file(mail, "20260102T000000000000-fresh.eml", DAY - HOUR, now)
    other = _mail_file(mail, "notes.txt", 3 * DAY, now)  # not the mailer's: left alone

    job = PruningJob(session_factory=session_factory, keep=DAY, mail_dir=mail, clock=clock)
    pruned = await job.run()

    assert (pruned.confirmations, pruned.mail_files) == (2, 1)
    assert await _emails_left(session_factory) == {
        "new-used@example.com",
        "new-expired@example.com",
        "waiting@example.com",
    }
    assert (old.exists(), fresh.exists(), other.exists()) == (False, True, True)
    again = await job.run()  # safe to run twice: nothing more goes
    assert (again.confirmations, again.mail_files) == (0, 0)
    assert len(await _emails_left(session_factory)) == 3


async def test_the_worker_prunes_when_it_starts(bot_app: BotApp) -> None:
    await _seed_confirmations(bot_app.session_factory, bot_app.resources.clock.now())
    async with open_worker(bot_app.resources, bot_app.bot, identity="pruning-test"):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(await _emails_left(bot_app.session_factory)) != 3:
            assert loop.time() < deadline, "the worker did not prune the old confirmations"
            await asyncio.sleep(0.1)
    assert "old-used@example.com" not in await _emails_left(bot_app.session_factory)


# The embedded stack keeps conversations in memory, gone with the process: Redis only.
@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_a_conversation_state_in_redis_expires_after_a_day(
    bot_app: BotApp, stack: Stack
) -> None:
    eve = bot_app.person("eve@example.com")
    answer = await eve.say("/start")
    assert "email" in answer.text.lower()
    client = Redis.from_url(stack.redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"fsm:*{eve.chat.id}*")]
        assert keys, "the registration dialogue keeps its state in Redis"
        for key in keys:
            ttl = await client.ttl(key)
            assert DAY.total_seconds() - 60 < ttl <= DAY.total_seconds(), (key, ttl)
    finally:
        await client.aclose()
