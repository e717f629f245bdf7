"""Scale-out as an operator runs it: two `reviewbot bot` replicas in webhook mode behind a load
balancer (the test, posting updates to them in turn) and three `reviewbot worker` processes,
all separate processes on one PostgreSQL and Redis. 300 uploads from 30 people go through the
webhook as real document updates; every version is checked once, every result reaches the
chat and the mailbox once, nothing is left pending, and the workers' /metrics count exactly
that."""

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.models import Check, CheckState, Delivery, DeliveryChannel, DeliveryStatus, FileVersion
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.results import chat_reviews
from tests.support.smtp import SmtpSink
from tests.support.stack import SERVICES
from tests.support.webhook import (
    by_label,
    scrape,
    seed_people,
    total,
    wait_for_health,
    wait_for_webhooks,
    webhook_environment,
    with_metrics,
)

PEOPLE = 30
UPLOADS_EACH = 10
UPLOADS = PEOPLE * UPLOADS_EACH
WORKERS = 3
BOTS = 2
# Posts in flight at once (Telegram's default max_connections is 40).
CONCURRENCY = 8
# How long the whole pipeline may take on a loaded 2-core machine.
PATIENCE_SECONDS = 150

_telegram_ids = count(8_500_001)


def _source(person: int, number: int) -> bytes:
    """Small files, some clean and some with issues, none the same."""
    if number % 3 == 0:
        return f'"""File {number} of {person}."""\n\nVALUE = {number}\n'.encode()
    source = f"import os\nimport sys\n\n\ndef f_{person}_{number}(x):\n    return x == None\n"
    return source.encode()


@pytest.mark.timeout(PATIENCE_SECONDS + 150)  # starting five processes comes on top
@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_two_bots_and_three_workers_review_300_uploads_exactly_once(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    people = [next(_telegram_ids) for _ in range(PEOPLE)]
    await seed_people(session_factory, people)  # registration is not what this test measures
    base = {
        **reviewbot_environment(settings, fake_telegram),
        "CHECK_INTERVAL_SECONDS": "2",  # uploads wake the workers through Redis anyway
        "DELIVERY_INTERVAL_SECONDS": "1",
        "TELEGRAM_CHAT_INTERVAL_SECONDS": "0.05",  # ten results per chat, not ten seconds
    }
    bots = [webhook_environment(base) for _ in range(BOTS)]
    bot_metrics = [with_metrics(environment) for environment, _address in bots]
    workers = [with_metrics(base) for _ in range(WORKERS)]
    addresses = [address for _environment, address in bots]

    async with AsyncExitStack() as processes:
        for number, (environment, _port) in enumerate(bot_metrics, start=1):
            await processes.enter_async_context(
                reviewbot_process("bot", tmp_path, environment, name=f"bot-{number}")
            )
        for number, (environment, _port) in enumerate(workers, start=1):
            await processes.enter_async_context(
                reviewbot_process("worker", tmp_path, environment, name=f"worker-{number}")
            )
        await wait_for_webhooks(fake_telegram, BOTS)
        for _environment, port in bot_metrics + workers:
            await wait_for_health(port, 200)

        uploads: list[tuple[int, str]] = []
        for number in range(UPLOADS_EACH):
            for person in people:
                name = f"p{person}_{number}.py"
                chat = fake_telegram.user(person, opened=True)
                await chat.send_document(name, _source(person, number))
                uploads.append((person, name))
        posts = await fake_telegram.deliver_webhook(addresses, concurrency=CONCURRENCY)
        assert len(posts) == UPLOADS
        assert [post.status for post in posts] == [200] * UPLOADS
        assert Counter(post.via for post in posts) == dict.fromkeys(addresses, UPLOADS // BOTS)

        await _wait_until_all_sent(session_factory, fake_telegram)

        assert await _checks_per_version(session_factory) == [1] * UPLOADS
        assert await _left_pending(session_factory) == (0, 0)
        assert chat_reviews(fake_telegram) == dict.fromkeys(uploads, 1)
        mailed = Counter(
            (str(message["To"]), str(message["Subject"]).split()[1])
            for message in smtp_server.messages
        )
        assert mailed == {(f"person{person}@example.com", name): 1 for person, name in uploads}
        assert fake_telegram.refused == []

        worker_samples = [await scrape(port) for _environment, port in workers]
        bot_samples = [await scrape(port) for _environment, port in bot_metrics]
    assert total(worker_samples, "reviewbot_checks_total") == UPLOADS
    for channel in DeliveryChannel:
        assert total(worker_samples, "reviewbot_deliveries_total", channel=channel) == UPLOADS
        sent = total(worker_samples, "reviewbot_deliveries_total", channel=channel, status="sent")
        assert sent == UPLOADS
        latencies = total(
            worker_samples, "reviewbot_delivery_latency_seconds_count", channel=channel
        )
        assert latencies == UPLOADS
    clean = sum(1 for number in range(UPLOADS_EACH) if number % 3 == 0) * PEOPLE
    checks_by_result = by_label(worker_samples, "reviewbot_checks_total", "result")
    assert checks_by_result == {"passed": clean, "failed": UPLOADS - clean}
    assert total(worker_samples, "reviewbot_ruff_batch_size_sum") == UPLOADS
    ruff_runs = total(worker_samples, "reviewbot_ruff_batch_size_count")
    assert total(worker_samples, "reviewbot_check_duration_seconds_count") == ruff_runs > 0
    assert total(bot_samples, "reviewbot_updates_total", type="message") == UPLOADS
    assert total(bot_samples + worker_samples, "reviewbot_telegram_errors_total") == 0


async def _wait_until_all_sent(session_factory: SessionFactory, telegram: FakeTelegram) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_SECONDS
    while True:
        async with session_factory() as session:
            sent = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status == DeliveryStatus.SENT)
            )
        if sent == 2 * UPLOADS:
            return
        if loop.time() > deadline:
            raise AssertionError(
                f"{sent} of {2 * UPLOADS} results sent within {PATIENCE_SECONDS} s"
            )
        await asyncio.sleep(0.5)


async def _checks_per_version(session_factory: SessionFactory) -> list[int]:
    async with session_factory() as session:
        rows = await session.execute(
            select(FileVersion.id, func.count(Check.id))
            .outerjoin(Check, Check.version_id == FileVersion.id)
            .group_by(FileVersion.id)
        )
        return [checks for _version, checks in rows.all()]


async def _left_pending(session_factory: SessionFactory) -> tuple[int, int]:
    """Versions not checked, deliveries not sent."""
    async with session_factory() as session:
        versions = await session.scalar(
            select(func.count())
            .select_from(FileVersion)
            .where(FileVersion.check_state != CheckState.CHECKED)
        )
        deliveries = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status != DeliveryStatus.SENT)
        )
    return versions or 0, deliveries or 0
