"""Risky defaults warned about at start (issue 18): a production-looking set-up (webhook mode or
PostgreSQL) without SMTP_HOST writes confirmation codes to files, which one WARNING line says.
Real processes; the database they are given does not answer, so they stop right after."""

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest

from core.config import Settings
from reviewbot.cli import warn_about_unsent_mail
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.support.smtp import free_port
from tests.support.webhook import WEBHOOK_SECRET, WEBHOOK_URL

WARNING = "WARNING"
SAYS = "SMTP_HOST is not set: confirmation codes and results are written to files in MAIL_DIR"


async def _start(tmp_path: Path, command: str, exit_code: int = 3, **variables: str) -> list[str]:
    """The lines a process prints before it gives up on the database (nothing listens), or
    on something else the variables make fail."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    unreachable = f"127.0.0.1:{free_port()}"
    environment = {
        **keep,
        "PYTHONUNBUFFERED": "1",
        "BOT_TOKEN": TEST_TOKEN,
        "METRICS_PORT": "0",
        "DATABASE_STARTUP_TIMEOUT_SECONDS": "0",
        "DATABASE_URL": f"postgresql+asyncpg://bot:pw@{unreachable}/reviewbot",
        **variables,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reviewbot",
        command,
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == exit_code, output.decode()
    return output.decode().splitlines()


def _warnings(lines: list[str]) -> list[str]:
    return [line for line in lines if SAYS in line]


@pytest.mark.parametrize("command", ["run", "worker"])
async def test_postgresql_without_smtp_host_warns_once_at_start(
    tmp_path: Path, command: str
) -> None:
    [line] = _warnings(await _start(tmp_path, command))
    assert WARNING in line
    assert "var/mail" in line


async def test_webhook_mode_on_sqlite_without_smtp_host_warns_too(tmp_path: Path) -> None:
    blocker = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:  # the webhook's port is taken: the bot stops with exit 2 after the warning
        lines = await _start(
            tmp_path,
            "bot",
            exit_code=2,
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
            DATABASE_URL="sqlite+aiosqlite:///var/reviewbot.db",
        )
    finally:
        blocker.close()
        await blocker.wait_closed()
    [line] = _warnings(lines)
    assert WARNING in line


async def test_no_warning_with_smtp_host(tmp_path: Path) -> None:
    lines = await _start(tmp_path, "worker", SMTP_HOST="mail.example.com")
    assert _warnings(lines) == []
    assert not [line for line in lines if WARNING in line]


def test_no_warning_when_polling_on_sqlite(caplog: pytest.LogCaptureFixture) -> None:
    """The development default (SQLite, polling, no SMTP_HOST) stays quiet."""
    with caplog.at_level(logging.INFO, logger="reviewbot"):
        warn_about_unsent_mail(Settings(_env_file=None))
        warn_about_unsent_mail(Settings(_env_file=None, database_url="postgresql+asyncpg://x/y"))
    assert [record.levelname for record in caplog.records] == ["WARNING"]  # the second only
