"""Log output in both formats an operator can choose: context fields on every line, library
chatter off at the default level, secrets redacted whatever logged them."""

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from checks.worker import Worker
from core.config import LogFormat, LogLevel, Settings
from infra import log_context
from infra.logs import QUIET_LOGGERS, configure_logging, secrets_of
from tests.support.app import BotApp
from tests.support.results import assert_result

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, quiet_level in quiet.items():
        logging.getLogger(name).setLevel(quiet_level)


def test_json_format_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.JSON)
    logging.getLogger("reviewbot.test").warning("delivery %s failed", 7)
    [line] = capsys.readouterr().err.strip().splitlines()
    record = json.loads(line)
    assert record["message"] == "delivery 7 failed"
    assert (record["levelname"], record["name"]) == ("WARNING", "reviewbot.test")


def test_console_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.CONSOLE)
    logging.getLogger("reviewbot.test").info("checked %s versions", 3)
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO    reviewbot.test: checked 3 versions")


def test_console_lines_end_with_what_they_are_about(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.CONSOLE)
    with log_context.bound(update_id=41, user_id=7000001):
        logging.getLogger("reviewbot.test").info("answered")
    line = capsys.readouterr().err.strip()
    assert line.endswith("reviewbot.test: answered [update_id=41 user_id=7000001]")


async def _scheduler_runs(runs: int) -> None:
    """A real APScheduler running a job every 50 ms until it ran `runs` times."""
    done = asyncio.Event()
    count = 0

    async def job() -> None:
        nonlocal count
        count += 1
        if count >= runs:
            done.set()

    scheduler = AsyncIOScheduler()
    scheduler.add_job(job, "interval", seconds=0.05)
    scheduler.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)


async def test_apscheduler_runs_are_quiet_unless_log_level_is_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(LogFormat.CONSOLE, LogLevel.INFO.value)
    await _scheduler_runs(3)
    assert capsys.readouterr().err == ""

    configure_logging(LogFormat.CONSOLE, LogLevel.DEBUG.value)
    await _scheduler_runs(3)
    shown = capsys.readouterr().err
    assert "Running job" in shown
    assert "executed successfully" in shown


def test_log_level_is_read_in_any_case() -> None:
    assert Settings(_env_file=None, log_level="debug").log_level is LogLevel.DEBUG
    assert Settings(_env_file=None).log_level is LogLevel.INFO


def test_secrets_are_redacted_from_messages_arguments_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        smtp_password="mail-Pa55word",
        database_url="postgresql+asyncpg://bot:db-Pa55word@db/reviewbot",
    )
    configure_logging(LogFormat.JSON, LogLevel.DEBUG.value, secrets_of(settings))
    logger = logging.getLogger("reviewbot.test")
    logger.warning("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
    logger.warning("other bot 42:%s", "B" * 35)
    logger.warning("login %s with %s to %s", "bot", "mail-Pa55word", "db-Pa55word")
    logger.info("mail sent: %s", "Your reviewbot code: 918273")
    logger.info("mail sent: Ваш код для reviewbot: 564738")
    logger.debug("update %s", "Message(text='112233')")
    try:
        _fetch()
    except ValueError:
        logger.exception("request failed")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    shown = json.dumps(lines, ensure_ascii=False)
    for secret in (TOKEN, "B" * 35, "mail-Pa55word", "db-Pa55word", "918273", "564738", "112233"):
        assert secret not in shown
    assert [line["message"] for line in lines[:6]] == [
        "GET https://api.telegram.org/bot123456789:***/getMe failed",
        "other bot 42:***",
        "login bot with *** to ***",
        "mail sent: Your reviewbot code: ***",
        "mail sent: Ваш код для reviewbot: ***",
        "update Message(text='***')",
    ]
    assert "ValueError: while fetching 123456789:***" in lines[-1]["exc_info"]


def _fetch() -> None:
    raise ValueError(f"while fetching {TOKEN}")


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_json_lines_carry_the_update_and_user_and_the_check(
    bot_app: BotApp, worker: Worker, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LogFormat.JSON)
    kim = await bot_app.registered("kim@example.com")
    await kim.upload("kim.py", b"import os\n")
    result = await kim.chat.next_screen(timeout=30)
    assert_result(result, "kim.py", 1)
    await bot_app.smtp.wait_for("kim@example.com", count=2)
    await asyncio.sleep(0.2)  # the mail's log line follows the server's answer
    lines = _json_lines(capsys.readouterr().err)

    [checked] = [line for line in lines if line["message"].startswith("checked 1 versions")]
    [check_id] = checked["check_ids"]
    assert len(checked["version_ids"]) == 1
    [code_mail, report_mail] = [line for line in lines if line["name"] == "infra.mail.mailers"]
    assert code_mail["user_id"] == kim.chat.id
    assert isinstance(code_mail["update_id"], int)
    assert "check_id" not in code_mail
    assert report_mail["check_id"] == check_id
    assert isinstance(report_mail["file_id"], int)
    assert isinstance(report_mail["delivery_id"], int)
    assert "update_id" not in report_mail
