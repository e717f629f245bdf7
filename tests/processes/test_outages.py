"""The bot while PostgreSQL or Redis is away: at start it waits for the database, while running
it tells people what happened instead of going silent, and nothing pending is lost.

The services are taken away with a loopback proxy between the bot and them (the real servers
are shared and keep running); the tests read the database directly, past the proxy.
"""

import asyncio
import logging
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from checks.worker import Worker
from core.config import Settings
from core.models import DeliveryChannel, DeliveryStatus, File
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.support.app import BotApp
from tests.support.pipeline import checks_per_version, seed_uploads, wait_for_delivery, wait_until
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.proxy import TcpProxy, proxy_for
from tests.support.smtp import SmtpSink
from tests.support.stack import SERVICES, Stack

SOURCE = b"import os\n"
DATABASE_AWAY = "My database is out of reach for a moment"
START_AGAIN = "please start again with the command in a minute"
WELCOME = "send me your email address"

# Every test here takes PostgreSQL or Redis away, so they run on the services stack only; with
# REQUIRE_SERVICES=1 (CI) a missing service fails them instead of skipping.
services_only = pytest.mark.parametrize("stack", [SERVICES], indirect=True)


@pytest_asyncio.fixture
async def database_proxy(stack: Stack) -> AsyncIterator[TcpProxy]:
    async with proxy_for(stack.database_url) as proxy:
        yield proxy


@pytest_asyncio.fixture
async def redis_proxy(stack: Stack) -> AsyncIterator[TcpProxy]:
    async with proxy_for(stack.redis_url) as proxy:
        yield proxy


@pytest.fixture
def settings(
    settings: Settings, stack: Stack, database_proxy: TcpProxy, redis_proxy: TcpProxy
) -> Settings:
    """The bot and its worker reach PostgreSQL and Redis through the proxies."""
    return settings.model_copy(
        update={
            "database_url": database_proxy.url(stack.database_url),
            "redis_url": redis_proxy.url(stack.redis_url),
        }
    )


def _logged(caplog: pytest.LogCaptureFixture, fragment: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if fragment in r.getMessage()]


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


# --- PostgreSQL unreachable at start ---------------------------------------------------------


async def test_database_that_never_answers_is_one_line_and_exit_3(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reviewbot",
        "bot",
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
            "BOT_TOKEN": TEST_TOKEN,
            "DATABASE_URL": "postgresql+asyncpg://postgres:secret@127.0.0.1:1/reviewbot",
            "SMTP_HOST": "127.0.0.1",  # else the warning about mail written to files comes first
            "DATABASE_STARTUP_TIMEOUT_SECONDS": "2",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = time.monotonic()
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert time.monotonic() - started >= 2  # it did wait
    lines = stderr.decode().splitlines()
    assert process.returncode == 3, lines
    assert stdout == b""
    waiting, last = lines  # one line while it waits, one when it gives up
    assert "the database does not answer" in waiting
    assert "trying again for up to 2 s" in waiting
    assert last.startswith(
        "reviewbot: cannot use the database at postgresql+asyncpg://postgres:***@127.0.0.1:1/"
        "reviewbot after waiting 2 s: "
    ), last
    assert "Connect call failed" in last
    assert "secret" not in stderr.decode()
    assert "Traceback" not in stderr.decode()


async def test_sigterm_while_waiting_for_the_database_stops_at_once(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reviewbot",
        "worker",
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
            "BOT_TOKEN": TEST_TOKEN,
            "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/reviewbot",
            "SMTP_HOST": "127.0.0.1",  # else the warning about mail written to files comes first
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    waiting = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert b"the database does not answer" in waiting
    process.terminate()
    rest = await asyncio.wait_for(process.stdout.read(), timeout=10)
    assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    assert b"Traceback" not in rest


@services_only
async def test_run_waits_for_the_database_and_starts_when_it_answers(
    settings: Settings,
    stack: Stack,
    database_proxy: TcpProxy,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    await seed_uploads(session_factory, {"w.py": SOURCE}, telegram_id=8_300_001)
    chat = fake_telegram.user(8_300_001, opened=True)
    await database_proxy.cut()
    environment = reviewbot_environment(settings, fake_telegram)
    log = tmp_path / "reviewbot-run.log"
    async with reviewbot_process("run", tmp_path, environment) as process:
        await wait_until(
            lambda: "the database does not answer" in log.read_text(), "the waiting line", 60
        )
        await asyncio.sleep(1)
        assert process.returncode is None  # still waiting
        await database_proxy.restore()
        result = await chat.next_screen(timeout=60)  # the worker runs: the review arrives
        assert result.text.startswith("Review of w.py, version 1\n"), result.text
        ann = fake_telegram.user(8_300_002)
        await ann.send_text("/start")  # and the bot answers
        assert WELCOME in (await ann.next_screen(timeout=30)).text
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    output = log.read_text()
    assert len([line for line in output.splitlines() if "does not answer" in line]) == 1
    assert "the database answers now" in output
    assert "Traceback" not in output


# --- PostgreSQL unreachable while running ----------------------------------------------------


@services_only
async def test_database_outage_is_told_and_everything_pending_is_done_when_it_returns(
    bot_app: BotApp,
    worker: Worker,
    database_proxy: TcpProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ann = await bot_app.registered("ann@example.com")
    assert "Got before.py" in (await ann.upload("before.py", SOURCE)).text
    assert (await ann.chat.next_screen(timeout=30)).text.startswith("Review of before.py")
    for channel in DeliveryChannel:  # a claim cut off at its commit would wait for its lease
        await wait_for_delivery(bot_app.session_factory, channel, DeliveryStatus.SENT)

    await database_proxy.cut()
    for answer in (await ann.say("/files"), await ann.upload("during.py", SOURCE)):
        assert DATABASE_AWAY in answer.text, answer.text
        assert "send it again in a minute" in answer.text
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(File)) == 1  # not stored
    # Meanwhile another bot process, which still reaches the database, stored an upload.
    ben = bot_app.telegram.user(8_300_003, opened=True)
    [*_, other] = await seed_uploads(
        bot_app.session_factory, {"other.py": SOURCE}, telegram_id=8_300_003
    )
    await wait_until(
        lambda: bool(_logged(caplog, "the checks job lost its connection")), "a try", 30
    )
    await wait_until(lambda: bool(_logged(caplog, "the deliveries job lost its")), "a try", 30)
    assert other not in await checks_per_version(bot_app.session_factory)

    await database_proxy.restore()
    assert "Got during.py" in (await ann.upload("during.py", SOURCE)).text
    assert (await ann.chat.next_screen(timeout=30)).text.startswith("Review of during.py")
    assert (await ben.next_screen(timeout=30)).text.startswith("Review of other.py")
    await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT, count=3
    )
    await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT, count=3
    )
    checked = await checks_per_version(bot_app.session_factory)
    assert sorted(checked.values()) == [1, 1, 1]  # each version checked exactly once
    assert len(_logged(caplog, "the checks job lost its connection")) == 1  # not once a run
    assert _logged(caplog, "the checks job runs again")
    assert _errors(caplog) == []  # no traceback, no job that died


# --- Redis unreachable while running ---------------------------------------------------------


@services_only
async def test_redis_outage_starts_dialogues_over_and_the_bot_keeps_answering(
    bot_app: BotApp,
    worker: Worker,
    redis_proxy: TcpProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ann = await bot_app.registered("ann@example.com")
    bob = bot_app.person("bob@example.com")
    assert WELCOME in (await bob.say("/start")).text

    await redis_proxy.cut()
    # Bob was registering: the bot no longer knows it, and says to start again.
    assert START_AGAIN in (await bob.say("bob@example.com")).text
    assert START_AGAIN in (await bob.say("/start")).text
    # Ann's commands and uploads work; her review comes with the scheduled run.
    assert "Got a.py" in (await ann.upload("a.py", SOURCE)).text
    assert (await ann.chat.next_screen(timeout=30)).text.startswith("Review of a.py")
    assert "You have 1 file." in (await ann.files()).text
    assert _logged(caplog, "wake-up signal not published")

    await redis_proxy.restore()
    await bob.register()  # starting again works once Redis is back
    assert len(_logged(caplog, "FSM storage out of reach")) == 1
    assert _logged(caplog, "FSM storage answers again")
    assert _errors(caplog) == []
