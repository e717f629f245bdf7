"""The webhook secret (issue 18): a header that is not ASCII is refused like a wrong one, a
short secret is refused at start, and a short secret is still redacted from the log."""

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestServer

from core.config import LogFormat, LogLevel, Settings
from infra.logs import configure_logging, secrets_of
from reviewbot.webhook import webhook_app
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.support.webhook import WEBHOOK_SECRET, WEBHOOK_URL


async def _post_raw(port: int, path: str, secret_header: bytes) -> int:
    """POST an update with the given raw secret header bytes; the status code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"update_id": 1}'
    writer.write(
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: " + secret_header + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    "header", ["секрет".encode(), b"\xff\xfe-not-utf8", (WEBHOOK_SECRET + "é").encode()]
)
async def test_a_secret_header_that_is_not_ascii_gets_401(header: bytes) -> None:
    settings = Settings(_env_file=None, webhook_url=WEBHOOK_URL, webhook_secret=WEBHOOK_SECRET)
    bot = Bot(TEST_TOKEN)
    server = TestServer(webhook_app(settings, Dispatcher(), bot), host="127.0.0.1")
    await server.start_server()
    try:
        assert server.port is not None
        assert await _post_raw(server.port, settings.webhook_path, header) == 401
    finally:
        await server.close()
        await bot.session.close()


@pytest.mark.processes
async def test_a_short_webhook_secret_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reviewbot",
        "bot",
        cwd=tmp_path,
        env={
            **keep,
            "METRICS_PORT": "0",
            "BOT_TOKEN": TEST_TOKEN,
            "WEBHOOK_URL": WEBHOOK_URL,
            "WEBHOOK_SECRET": "short-secret",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert output.decode().strip().splitlines() == [
        "reviewbot: WEBHOOK_SECRET is too short: use at least 16 characters, "
        "e.g. WEBHOOK_SECRET=$(openssl rand -hex 32)"
    ]


def test_short_secrets_are_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, smtp_password="pw1", webhook_secret="Zq")
    configure_logging(LogFormat.JSON, LogLevel.INFO.value, secrets_of(settings))
    logging.getLogger("reviewbot.test").warning("login with pw1, header Zq")
    [line] = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert line["message"] == "login with ***, header ***"
