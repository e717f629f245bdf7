"""Helpers for webhook and metrics tests: `reviewbot` processes in webhook mode behind the test
(playing the TLS reverse proxy and load balancer), seeded people, and /metrics read back."""

import asyncio
from collections import defaultdict

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from core.models import FileVersion, TelegramAccount, User, utcnow
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.support.pipeline import wait_until
from tests.support.smtp import free_port

# The public address Telegram would post to; the test posts to the process's port instead.
WEBHOOK_URL = "https://reviewbot.test/telegram/webhook"
WEBHOOK_SECRET = "test-secret_0123456789-abcdef"


def webhook_environment(environment: dict[str, str]) -> tuple[dict[str, str], str]:
    """The variables of one replica in webhook mode on a free port; the address to post to."""
    port = free_port()
    variables = {
        **environment,
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    return variables, f"http://127.0.0.1:{port}"


def with_metrics(environment: dict[str, str]) -> tuple[dict[str, str], int]:
    """The variables with a free METRICS_PORT of their own; the port."""
    port = free_port()
    return {**environment, "METRICS_PORT": str(port)}, port


async def wait_for_webhooks(telegram: FakeTelegram, replicas: int) -> None:
    """Every replica registered the webhook (each listens before it calls setWebhook)."""
    await wait_until(
        lambda: len([r for r in telegram.calls("setWebhook") if r.ok]) >= replicas,
        f"{replicas} setWebhook calls",
    )


async def get(url: str) -> tuple[int, str]:
    """The status and body of a GET, or (0, the reason) when nothing answers."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client,
            client.get(url) as answer,
        ):
            return answer.status, await answer.text()
    except (aiohttp.ClientError, TimeoutError) as error:
        return 0, str(error) or type(error).__name__


async def wait_for_health(port: int, status: int, timeout: float = 60.0) -> str:  # noqa: ASYNC109
    """Wait until /healthz answers `status`; its body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: tuple[int, str] = (0, "")
    while loop.time() < deadline:
        last = await get(f"http://127.0.0.1:{port}/healthz")
        if last[0] == status:
            return last[1]
        await asyncio.sleep(0.2)
    raise AssertionError(f"/healthz did not answer {status} within {timeout:g} s; last {last}")


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(port: int) -> Samples:
    """The samples of /metrics: (name, sorted labels) -> value."""
    status, body = await get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200, body
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def total(samples: list[Samples], name: str, **labels: str) -> float:
    """The sum over processes of the samples called `name` whose labels include `labels`."""
    found = 0.0
    for scraped in samples:
        for (sample_name, sample_labels), value in scraped.items():
            if sample_name == name and set(labels.items()) <= set(sample_labels):
                found += value
    return found


def by_label(samples: list[Samples], name: str, label: str) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for scraped in samples:
        for (sample_name, sample_labels), value in scraped.items():
            if sample_name == name:
                sums[dict(sample_labels).get(label, "")] += value
    return dict(sums)


async def seed_people(session_factory: SessionFactory, telegram_ids: list[int]) -> None:
    """Registered people (confirmed address, linked account), as /start would leave them."""
    async with session_factory() as session:
        for telegram_id in telegram_ids:
            user = User(email=f"person{telegram_id}@example.com", email_confirmed_at=utcnow())
            session.add(user)
            await session.flush()
            session.add(
                TelegramAccount(telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id)
            )
        await session.commit()


async def stored_file_ids(session_factory: SessionFactory) -> list[str]:
    """The Telegram file ids of every stored version (one per stored upload)."""
    async with session_factory() as session:
        found = await session.scalars(select(FileVersion.telegram_file_id))
        return [file_id for file_id in found if file_id is not None]
