"""Start-up against Telegram as an operator meets it: Telegram out of reach, a refused token, a
token revoked while running. Real `reviewbot` processes on the embedded defaults."""

import asyncio
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import pairwise
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app import set_commands
from bot.connect import Backoff, TelegramLink
from core.i18n import load_translations
from core.models import Delivery, DeliveryChannel, DeliveryStatus
from infra.database import SessionFactory, build_engine, build_session_factory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import TEST_TOKEN, checked_telegram, problems
from tests.support.pipeline import checks, deliveries, seed_uploads, wait_until
from tests.support.processes import reviewbot_process, run_reviewbot

REFUSED = "reviewbot: Telegram refused BOT_TOKEN: check it with @BotFather"
BOT_NAME = "review_test_bot"  # the fake's getMe
WELCOME = "send me your email address"


def _environment(**variables: str) -> dict[str, str]:
    """A clean environment: no reviewbot variables from the machine, and no `.env` nearby."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    # No /healthz port: tests start many processes at once (see tests/support/pipeline.py).
    return {
        **keep,
        "PYTHONUNBUFFERED": "1",
        "BOT_TOKEN": TEST_TOKEN,
        "METRICS_PORT": "0",
        **variables,
    }


def _free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Reviewbot:
    """A `python -m reviewbot <command>` process; its stderr and stdout go to a file."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def output(self) -> str:
        return self.log.read_text()

    def lines_with(self, text: str) -> list[str]:
        return [line for line in self.output.splitlines() if text in line]

    async def wait_for_line(self, text: str, timeout: float = 60) -> None:  # noqa: ASYNC109
        await wait_until(lambda: bool(self.lines_with(text)), f"a line with {text!r}", timeout)

    async def exit_code(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        return await asyncio.wait_for(self.process.wait(), timeout)


@asynccontextmanager
async def reviewbot(
    folder: Path, command: str, *, exit_code: int = 0, **variables: str
) -> AsyncIterator[Reviewbot]:
    """The process, stopped with SIGTERM on leaving if it still runs, then checked: `exit_code`
    and no traceback in its output (tests.support.processes); its output is printed when the
    block fails."""
    environment = _environment(**variables)
    async with reviewbot_process(command, folder, environment, exit_code=exit_code) as process:
        yield Reviewbot(process, folder / f"reviewbot-{command}.log")


@asynccontextmanager
async def embedded_database(folder: Path) -> AsyncIterator[SessionFactory]:
    """The SQLite database a process in `folder` uses by default, migrated."""
    await run_reviewbot(folder, "migrate", environment=_environment(), exit_code=0)
    engine = build_engine(f"sqlite+aiosqlite:///{folder / 'var' / 'reviewbot.db'}")
    try:
        yield build_session_factory(engine)
    finally:
        await engine.dispose()


async def _wait_for_check(session_factory: SessionFactory) -> None:
    deadline = time.monotonic() + 60
    while not await checks(session_factory):
        assert time.monotonic() < deadline, "the pending version was not checked in 60 s"
        await asyncio.sleep(0.1)


# --- Telegram out of reach -------------------------------------------------------------------


def test_retries_wait_one_two_four_seconds_then_at_most_a_minute() -> None:
    assert [Backoff().delay(failure) for failure in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]  # fmt: skip


async def test_run_waits_for_telegram_while_the_worker_checks_and_mails(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    telegram = FakeTelegram(token=TEST_TOKEN)  # not listening yet
    telegram.user(555, opened=True)  # the uploader: their result may arrive before the end
    async with embedded_database(tmp_path) as session_factory:
        await seed_uploads(session_factory, {"w.py": b"import os\n"}, telegram_id=555)
        async with reviewbot(tmp_path, "run", TELEGRAM_API_URL=url) as run:
            await run.wait_for_line("cannot reach Telegram")
            await _wait_for_check(session_factory)  # checked although Telegram is away
            await wait_until(lambda: any((tmp_path / "var" / "mail").glob("*.eml")), "mail", 60)
            chat = await _chat_delivery_after_a_try(session_factory)
            assert (chat.status, chat.attempts) == (DeliveryStatus.PENDING, 0)
            assert chat.last_error is not None
            assert chat.last_error.startswith("Telegram cannot be reached")

            assert run.process.returncode is None  # still trying
            [outage] = run.lines_with("cannot reach Telegram")  # one line, not one per try
            assert f"cannot reach Telegram at TELEGRAM_API_URL={url}: " in outage
            assert "Connect call failed" in outage  # the reason in a few words

            await telegram.start(port=port)
            try:
                ann = telegram.user(42)
                await ann.send_text("/start")
                welcome = await ann.next_screen(timeout=90)  # the next try is < 1 min away
                assert WELCOME in welcome.text
                assert len(run.lines_with(f"Telegram at {url} answers again")) == 1
                assert (
                    f"reviewbot is running as @{BOT_NAME} \u2014 open https://t.me/{BOT_NAME} "
                    "and send /start"
                ) in run.output
                mail_dir = (tmp_path / "var" / "mail").resolve()
                assert f"SMTP_HOST is empty: mail is written to {mail_dir}" in run.output
            finally:
                await telegram.stop()
        assert await run.exit_code() == 0
        assert "Traceback" not in run.output
        assert TEST_TOKEN not in run.output
    assert problems(telegram) == []


async def _chat_delivery_after_a_try(session_factory: SessionFactory) -> Delivery:
    deadline = time.monotonic() + 60
    while True:
        chat = (await deliveries(session_factory))[DeliveryChannel.TELEGRAM]
        if chat and chat[0].last_error is not None:
            return chat[0]
        assert time.monotonic() < deadline, "the chat delivery was not tried in 60 s"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("command", ["bot", "run"])
async def test_sigterm_while_waiting_for_telegram_stops_at_once(
    tmp_path: Path, command: str
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    async with reviewbot(tmp_path, command, TELEGRAM_API_URL=url) as bot:
        await bot.wait_for_line("cannot reach Telegram")
        bot.process.terminate()
        assert await bot.exit_code(timeout=10) == 0
        assert "Traceback" not in bot.output


async def test_telegram_answering_5xx_is_waited_for_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with checked_telegram() as telegram:
        telegram.fail_next("getMe", 502, "Bad Gateway", times=3)
        backoff = Backoff(first=0.2)
        link = TelegramLink(telegram.url, backoff)
        bot = Bot(
            TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
        )
        link.install(bot)
        try:
            with caplog.at_level(logging.INFO, logger="bot.connect"):
                me = await link.connect(bot)
        finally:
            await bot.session.close()
    assert me.username == BOT_NAME
    tries = [request.at for request in telegram.calls("getMe")]
    assert len(tries) == 4
    waits = [later - earlier for earlier, later in pairwise(tries)]
    assert all(wait >= backoff.delay(n) - 0.01 for n, wait in enumerate(waits, start=1)), waits
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.connect"]
    assert len(messages) == 2, messages  # one line for the outage, one when it is over
    assert "cannot reach Telegram" in messages[0]
    assert "the server answered 'Bad Gateway'" in messages[0]
    assert messages[1].startswith(f"Telegram at {telegram.url} answers again")


async def test_setmycommands_failing_after_getme_is_waited_for_too() -> None:
    """Telegram answers getMe, then stumbles on the command menu: the menu is set once it is
    back, instead of the start failing."""
    async with checked_telegram() as telegram:
        telegram.fail_next("setMyCommands", 503, "Service Unavailable", times=2)
        link = TelegramLink(telegram.url, Backoff(first=0.2))
        bot = Bot(
            TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
        )
        link.install(bot)
        try:
            await link.connect(bot)
            await set_commands(bot, load_translations())
            menu = await bot.get_my_commands()
        finally:
            await bot.session.close()
    assert [command.command for command in menu][:3] == ["start", "files", "report"]
    tries = [request.at for request in telegram.calls("setMyCommands")]
    assert len(tries) == 2 + len(load_translations())  # two refused, then one per language
    assert tries[1] - tries[0] >= 0.2 - 0.01


# --- A token Telegram refuses ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["bot", "run", "worker"])
async def test_refused_token_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    async with checked_telegram() as telegram, embedded_database(tmp_path):
        telegram.revoke_token()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reviewbot",
            command,
            cwd=tmp_path,
            env=_environment(TELEGRAM_API_URL=telegram.url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        exited = time.monotonic()
    lines = stderr.decode().splitlines()
    assert process.returncode == 2, lines
    assert stdout == b""
    if command == "bot":
        assert lines == [REFUSED]
    else:  # what ran before Telegram answered: the migration (run), the worker's start
        *before, last = lines
        assert last == REFUSED
        assert all(" INFO " in line for line in before), lines
    [refusal] = [request for request in telegram.calls("getMe") if request.error_code == 401]
    assert exited - refusal.at < 5


async def test_token_revoked_while_running_stops_and_keeps_the_delivery(tmp_path: Path) -> None:
    async with (
        checked_telegram() as telegram,
        embedded_database(tmp_path) as session_factory,
        reviewbot(
            tmp_path,
            "worker",
            exit_code=2,
            TELEGRAM_API_URL=telegram.url,
            CHECK_INTERVAL_SECONDS="1",
            DELIVERY_INTERVAL_SECONDS="1",
        ) as worker,
    ):
        telegram.user(555, opened=True)
        await worker.wait_for_line(f"results are sent to Telegram chats as @{BOT_NAME}")
        telegram.revoke_token()
        await seed_uploads(session_factory, {"w.py": b"import os\n"}, telegram_id=555)
        assert await worker.exit_code() == 2
        tried = telegram.calls("sendMessage")
        assert tried, "the result was not tried"
        assert all(send.error_code == 401 for send in tried)
        sent = await deliveries(session_factory)
        [chat] = sent[DeliveryChannel.TELEGRAM]
        assert (chat.status, chat.attempts, chat.last_error, chat.claimed_until) == (
            DeliveryStatus.PENDING,
            0,
            None,
            None,
        )  # untouched: a process with a valid token sends it at once
        assert all(
            email.status is not DeliveryStatus.FAILED for email in sent[DeliveryChannel.EMAIL]
        )
        errors = worker.lines_with("ERROR")
        assert len(errors) == 1, worker.output
        assert "Telegram refused BOT_TOKEN while running" in errors[0]
        assert "Traceback" not in worker.output


async def test_token_revoked_while_polling_stops_with_exit_2(tmp_path: Path) -> None:
    async with (
        checked_telegram() as telegram,
        reviewbot(tmp_path, "run", exit_code=2, TELEGRAM_API_URL=telegram.url) as run,
    ):
        ann = telegram.user(42)
        await ann.send_text("/start")
        assert WELCOME in (await ann.next_screen(timeout=60)).text
        telegram.revoke_token()
        assert await run.exit_code() == 2  # the running long poll ends, the next one is refused
        assert telegram.calls("getUpdates")[-1].error_code == 401
        errors = run.lines_with("ERROR")
        assert len(errors) == 1, run.output
        assert "Telegram refused BOT_TOKEN while running" in errors[0]
        assert "Failed to fetch updates" not in run.output  # aiogram's loop did not retry
        assert "Traceback" not in run.output
