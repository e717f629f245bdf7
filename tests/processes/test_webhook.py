"""Webhook mode as an operator runs it: `reviewbot bot` processes with WEBHOOK_URL set, the fake
Bot API server posting updates to them (the test plays the TLS reverse proxy and the load
balancer in front of the replicas)."""

import asyncio
import signal
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.models import TelegramAccount
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.fake_telegram.state import WebhookState
from tests.support.pipeline import wait_until
from tests.support.processes import (
    KILLED,
    machine_environment,
    reviewbot_environment,
    reviewbot_process,
    run_reviewbot,
)
from tests.support.smtp import free_port
from tests.support.stack import SERVICES
from tests.support.webhook import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    seed_people,
    stored_file_ids,
    wait_for_webhooks,
    webhook_environment,
)

_telegram_ids = count(8_300_001)
# What a newcomer's /start shows (as the chat reads it, bold undone): the update was handled,
# not merely answered ("Something went wrong" is an answer too).
WELCOME = (
    "Hi! I review Python files with ruff.\n\n"
    "To begin, send me your email address. I will send a 6-digit code there to confirm it."
)


async def _reviewbot(tmp_path: Path, *args: str, **variables: str) -> tuple[int, str]:
    environment = {
        **machine_environment(),
        "METRICS_PORT": "0",
        "BOT_TOKEN": TEST_TOKEN,
        **variables,
    }
    return await run_reviewbot(tmp_path, *args, environment=environment)


@pytest.mark.parametrize("command", ["bot", "run"])
async def test_webhook_without_secret_is_one_clear_line_and_exit_2(
    tmp_path: Path, command: str
) -> None:
    code, output = await _reviewbot(tmp_path, command, WEBHOOK_URL=WEBHOOK_URL)
    assert code == 2
    assert output.strip().splitlines() == [
        "reviewbot: WEBHOOK_SECRET is not set: webhook mode (WEBHOOK_URL is set) needs a secret "
        "that Telegram sends with every update, e.g. WEBHOOK_SECRET=$(openssl rand -hex 32)"
    ]
    assert not (tmp_path / "var").exists()  # `run` stopped before migrating


async def test_webhook_url_must_be_https(tmp_path: Path) -> None:
    code, output = await _reviewbot(
        tmp_path, "bot", WEBHOOK_URL="http://bot.example.com/hook", WEBHOOK_SECRET="s"
    )
    assert code == 2
    assert output.strip().splitlines() == [
        "reviewbot: WEBHOOK_URL is invalid: "
        "Value error, Telegram posts updates only to https:// addresses"
    ]


async def test_webhook_port_in_use_is_one_clear_line_and_exit_2(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    blocker = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:
        code, output = await _reviewbot(
            tmp_path,
            "bot",
            TELEGRAM_API_URL=fake_telegram.url,
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
    finally:
        blocker.close()
        await blocker.wait_closed()
    assert code == 2
    lines = output.strip().splitlines()
    assert lines[-1].startswith(
        f"reviewbot: cannot listen on 127.0.0.1:{port} for the webhook at /telegram/webhook"
    ), output
    assert "Traceback" not in output
    assert not fake_telegram.calls("setWebhook")


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_webhook_is_set_served_secret_checked_and_kept_across_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    tmp_path: Path,
) -> None:
    environment, address = webhook_environment(reviewbot_environment(settings, fake_telegram))
    chat = fake_telegram.user(next(_telegram_ids))
    async with reviewbot_process("bot", tmp_path, environment) as process:
        await wait_for_webhooks(fake_telegram, 1)
        registered = fake_telegram.calls("setWebhook")[-1].params
        assert registered["url"] == WEBHOOK_URL
        assert registered["secret_token"] == WEBHOOK_SECRET
        assert registered.get("drop_pending_updates") in {None, False, "false"}

        # Without the secret, or with a wrong one: 401, and the update changes nothing.
        await chat.send_text("/start")
        update = fake_telegram.world.updates[-1]
        for secret in (None, "wrong-secret"):
            post = await fake_telegram.post_update(update, address, secret=secret)
            assert post.status == 401
        await chat.no_output(within=1.0)
        assert await _accounts(session_factory) == 0

        # With the secret: handled before the answer.
        [post] = await fake_telegram.deliver_webhook(address)
        assert post.status == 200
        assert await _accounts(session_factory) == 1  # written before the 200
        assert (await chat.next_screen()).text == WELCOME

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0  # the bound
    assert not fake_telegram.calls("deleteWebhook")
    assert fake_telegram.webhook is not None
    assert not fake_telegram.calls("getUpdates")

    # While no replica runs, an update waits at Telegram; the next start handles it.
    await chat.send_text("/start")
    async with reviewbot_process("bot", tmp_path, environment, name="bot-again"):
        await wait_for_webhooks(fake_telegram, 2)
        [post] = await fake_telegram.deliver_webhook(address)
        assert post.status == 200
        assert (await chat.next_screen()).text == WELCOME
    assert fake_telegram.webhook is not None


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_a_replica_killed_mid_run_loses_no_acknowledged_update(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    tmp_path: Path,
) -> None:
    """Two replicas share the load; one is killed (SIGKILL) while updates are being posted.
    Every update it answered 200 was stored; the ones it never answered are posted again, to
    the replica left, and are stored too."""
    people = [next(_telegram_ids) for _ in range(4)]
    await seed_people(session_factory, people)
    base = reviewbot_environment(settings, fake_telegram)
    first, first_address = webhook_environment(base)
    second, second_address = webhook_environment(base)
    fake_telegram.delay = 0.03  # each upload takes a few round trips to "Telegram"
    async with (
        reviewbot_process("bot", tmp_path, first, name="bot-1", exit_code=KILLED) as victim,
        reviewbot_process("bot", tmp_path, second, name="bot-2"),
    ):
        await wait_for_webhooks(fake_telegram, 2)
        sent: list[str] = []
        for index in range(60):
            chat = fake_telegram.user(people[index % len(people)], opened=True)
            message = await chat.send_document(f"m{index}.py", f"x = {index}\n".encode())
            sent.append(message["document"]["file_id"])

        delivery = asyncio.create_task(
            fake_telegram.deliver_webhook([first_address, second_address], concurrency=6)
        )
        await wait_until(
            lambda: len(_file_requests(fake_telegram)) >= 12, "a few uploads under way"
        )
        victim.kill()  # kill -9: no chance to finish what it was doing
        await victim.wait()
        posts = await delivery

        acknowledged = {p.update_id for p in posts if p.acknowledged}
        lost = [p for p in posts if not p.acknowledged]
        by_victim = [p for p in posts if p.via == first_address and p.acknowledged]
        assert by_victim, "the killed replica had acknowledged nothing yet"
        assert lost, "the kill came too late: every update was answered"
        assert {p.via for p in lost} == {first_address}
        stored = set(await stored_file_ids(session_factory))
        for post, file_id in zip(posts, sent, strict=True):
            if post.update_id in acknowledged:
                assert file_id in stored, f"update {post.update_id} was answered 200, not stored"

        # Telegram posts the others again; the load balancer sends them to the replica left.
        again = await fake_telegram.deliver_webhook(second_address, concurrency=6)
        assert len(again) == len(lost)
        assert all(post.acknowledged for post in again)
        assert set(await stored_file_ids(session_factory)) == set(sent)
        assert not fake_telegram.world.updates


def _file_requests(telegram: FakeTelegram) -> list[object]:
    return [r for r in telegram.requests if r.method == "downloadFile"]


async def _accounts(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(TelegramAccount)) or 0)


async def test_a_webhook_url_telegram_refuses_is_one_line_and_exit_2(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.expect_refusal("bad webhook")
    code, output = await _reviewbot(
        tmp_path,
        "bot",
        TELEGRAM_API_URL=fake_telegram.url,
        WEBHOOK_URL="https://reviewbot.test:8081/hook",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(free_port()),
    )
    assert code == 2
    assert output.strip().splitlines()[-1] == (
        "reviewbot: Telegram refused WEBHOOK_URL=https://reviewbot.test:8081/hook: Bad Request: "
        "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    ), output
    assert "Traceback" not in output
    assert fake_telegram.webhook is None


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_sigterm_lets_the_update_on_its_way_finish_before_the_bot_stops(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    tmp_path: Path,
) -> None:
    environment, address = webhook_environment(reviewbot_environment(settings, fake_telegram))
    person = next(_telegram_ids)
    await seed_people(session_factory, [person])
    chat = fake_telegram.user(person, opened=True)
    async with reviewbot_process("bot", tmp_path, environment) as process:
        await wait_for_webhooks(fake_telegram, 1)
        message = await chat.send_document("slow.py", b"x = 1\n")
        fake_telegram.delay = 1.0  # the download takes a while
        delivery = asyncio.create_task(fake_telegram.deliver_webhook(address))
        await wait_until(lambda: bool(fake_telegram.calls("getFile")), "the upload under way")
        process.send_signal(signal.SIGTERM)
        [post] = await delivery
        assert post.status == 200
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0  # the bound
    assert await stored_file_ids(session_factory) == [message["document"]["file_id"]]
    assert fake_telegram.webhook is not None


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_polling_removes_a_webhook_left_set_and_keeps_the_waiting_updates(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.world.webhook = WebhookState(url=WEBHOOK_URL, secret_token=WEBHOOK_SECRET)
    chat = fake_telegram.user(next(_telegram_ids))
    await chat.send_text("/start")  # sent while the webhook was still set
    async with reviewbot_process("bot", tmp_path, reviewbot_environment(settings, fake_telegram)):
        assert (await chat.next_screen(timeout=60)).text == WELCOME
    [removal] = fake_telegram.calls("deleteWebhook")
    assert removal.params.get("drop_pending_updates") in {None, False, "false"}
    assert fake_telegram.webhook is None
