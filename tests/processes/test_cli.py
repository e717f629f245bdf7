"""The `reviewbot` console script as an operator meets it."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from infra.database import build_engine, build_session_factory
from tests.fake_telegram.server import FakeTelegram
from tests.support.pipeline import seed_uploads
from tests.support.processes import reviewbot_process, run_reviewbot
from tests.support.smtp import SmtpSink


def _environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """A clean environment: no reviewbot variables from the machine, and no `.env` nearby."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    # No /healthz port: tests start many processes at once (a test that needs it sets one).
    return {**keep, "PYTHONUNBUFFERED": "1", "METRICS_PORT": "0", **variables}


async def _reviewbot(tmp_path: Path, *args: str, **variables: str) -> tuple[int, str]:
    return await run_reviewbot(tmp_path, *args, environment=_environment(tmp_path, **variables))


async def test_run_without_token_says_how_to_set_it(tmp_path: Path) -> None:
    code, output = await _reviewbot(tmp_path, "run")
    assert code == 2
    assert output.strip().splitlines() == [
        "reviewbot: BOT_TOKEN is not set: get a token from @BotFather and put "
        "BOT_TOKEN=123456:ABC... in the environment or in .env"
    ]


async def test_malformed_token_is_one_clear_line(tmp_path: Path) -> None:
    code, output = await _reviewbot(tmp_path, "bot", BOT_TOKEN="not a token")
    assert code == 2
    assert len(output.strip().splitlines()) == 1
    assert "BOT_TOKEN is malformed" in output


async def test_bad_database_url_is_one_clear_line(tmp_path: Path) -> None:
    code, output = await _reviewbot(tmp_path, "migrate", DATABASE_URL="mysql://x@y/z")
    assert code == 2
    assert len(output.strip().splitlines()) == 1
    assert output.startswith("reviewbot: DATABASE_URL is invalid")


async def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres:secret@127.0.0.1:1/reviewbot"
    code, output = await _reviewbot(
        tmp_path, "migrate", DATABASE_URL=url, DATABASE_STARTUP_TIMEOUT_SECONDS="0"
    )
    assert code == 3
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("reviewbot: cannot use the database at postgresql+asyncpg://")
    assert "secret" not in output


async def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    code, output = await _reviewbot(tmp_path, "migrate")
    assert code == 0, output
    assert (tmp_path / "var" / "reviewbot.db").stat().st_size > 0


@pytest_asyncio.fixture
async def running_bot(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`reviewbot run` as a real process on the embedded defaults, talking to the fake server."""
    environment = _environment(
        tmp_path, BOT_TOKEN=fake_telegram.token, TELEGRAM_API_URL=fake_telegram.url
    )
    async with reviewbot_process("run", tmp_path, environment) as process:
        yield process


async def test_run_process_registers_a_person_on_embedded_defaults(
    running_bot: asyncio.subprocess.Process, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    ann = fake_telegram.user(42, language_code="ru-RU")
    await ann.send_text("/start")
    welcome = await ann.next_screen(timeout=30)
    assert welcome.text.startswith("Здравствуйте!")  # Russian for a ru-RU client
    await ann.send_text("ann@example.com")
    await ann.next_screen()
    mails = list((tmp_path / "var" / "mail").glob("*.eml"))
    assert len(mails) == 1  # no SMTP_HOST: the code was written as a file
    assert "ann@example.com" in mails[0].read_text()
    commands = fake_telegram.calls("setMyCommands")
    assert {c.params.get("language_code") for c in commands} == {None, "ru"}


async def test_check_command_prints_the_review_and_exits_one_on_issues(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import os\n")
    (tmp_path / "good.py").write_text('"""Fine."""\n')
    code, output = await _reviewbot(tmp_path, "check", "bad.py")
    assert code == 1
    assert "bad.py:1:8: F401 `os` imported but unused [*]" in output
    code, output = await _reviewbot(tmp_path, "check", "good.py")
    assert (code, output.strip()) == (0, "No issues found.")


async def test_worker_process_checks_and_delivers(
    tmp_path: Path, fake_telegram: FakeTelegram, smtp_server: SmtpSink
) -> None:
    """`reviewbot worker` alone: a version stored by someone else gets its review sent."""
    code, output = await _reviewbot(tmp_path, "migrate")
    assert code == 0, output
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reviewbot.db'}"
    engine = build_engine(url)
    try:
        await seed_uploads(
            build_session_factory(engine), {"w.py": b"import os\n"}, telegram_id=555
        )
    finally:
        await engine.dispose()
    chat = fake_telegram.user(555, opened=True)  # the uploader started the bot earlier
    environment = _environment(
        tmp_path,
        BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_SECURITY="none",
    )
    async with reviewbot_process("worker", tmp_path, environment):  # stopped by SIGTERM: 0
        result = await chat.next_screen(timeout=30)
        assert "Review of w.py, version 1" in result.text
        mail = await smtp_server.wait_for("user555@example.com", timeout=30)
        assert mail["Subject"] == "reviewbot: w.py v1 has 1 issue"
