"""No confirmation code, bot token or SMTP password ever reaches a log line: a `reviewbot run`
with every logger at DEBUG goes through registration (a wrong code, then the right one) and an
upload delivered to chat and email, over an SMTP server that requires a login; then all it
logged is searched for each secret."""

import asyncio
import base64
import re
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from tests.fake_telegram import FakeTelegram
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.smtp import SmtpSink, _Collector, code_in, free_port
from tests.support.stack import SERVICES

SMTP_USERNAME = "reviewbot-mailer"
SMTP_PASSWORD = "s3cret-Mail-Pa55word"
EMAIL = "hygiene@example.com"


class LoginSmtpSink(SmtpSink):
    """The SMTP sink, offering AUTH (without TLS: loopback only, so that the password really
    goes over the wire) and keeping every login it got."""

    def __init__(self) -> None:  # not the sink's: its controller would be one without AUTH
        self.port = free_port()
        self._collector = _Collector()
        self._read = 0
        self.logins: list[tuple[bytes, bytes]] = []
        self._controller = Controller(
            self._collector,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
        )

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        ok = (data.login, data.password) == (SMTP_USERNAME.encode(), SMTP_PASSWORD.encode())
        return AuthResult(success=ok)


@pytest.fixture
def login_smtp() -> Any:
    sink = LoginSmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.down()


async def _wait_for_line(log: Path, fragment: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while fragment not in _text(log):
        if loop.time() > deadline:
            raise AssertionError(f"no {fragment!r} in the log")
        await asyncio.sleep(0.1)


def _text(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def _hits(text: str, secret: str) -> list[str]:
    """Lines where `secret` stands on its own (a code inside a longer number is not one)."""
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")
    return [line for line in text.splitlines() if pattern.search(line)]


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_debug_logs_of_registration_and_delivery_hold_no_secret(
    settings: Settings,
    engine: AsyncEngine,
    fake_telegram: FakeTelegram,
    login_smtp: LoginSmtpSink,
    tmp_path: Path,
) -> None:
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "SMTP_PORT": str(login_smtp.port),
        "SMTP_USERNAME": SMTP_USERNAME,
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "LOG_LEVEL": "DEBUG",
        "PYTHONASYNCIODEBUG": "1",
    }
    chat = fake_telegram.user(7_400_001)
    log = tmp_path / "reviewbot-run.log"
    async with reviewbot_process("run", tmp_path, environment):
        await _wait_for_line(log, "reviewbot is running as @")
        await chat.send_text("/start")
        await chat.next_screen(timeout=30)
        await chat.send_text(EMAIL)
        assert "code" in (await chat.next_screen(timeout=30)).text
        code = code_in(await login_smtp.wait_for(EMAIL, timeout=30))
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        await chat.send_text(wrong)
        assert "wrong" in (await chat.next_screen(timeout=30)).text.lower()
        await chat.send_text(code)
        assert "is confirmed" in (await chat.next_screen(timeout=30)).text
        await chat.send_document("hygiene.py", b"import os\n")
        assert "Got" in (await chat.next_screen(timeout=30)).text
        result = await chat.next_screen(timeout=60)
        assert result.text.startswith("Review of hygiene.py, version 1")
        report = await login_smtp.wait_for(EMAIL, count=2, timeout=30)
        assert "hygiene.py" in str(report["Subject"])
        await _wait_for_line(log, "sent to hygiene@example.com")  # the report's mail line
    output = _text(log)

    # It really logged at DEBUG, libraries included, and really logged in to SMTP.
    assert len(re.findall(r" DEBUG ", output)) > 100, output[-3000:]
    for library in ("sqlalchemy", "apscheduler", "asyncio"):
        assert re.search(rf"(DEBUG|INFO) +{library}[.:]", output), library
    assert (SMTP_USERNAME.encode(), SMTP_PASSWORD.encode()) in login_smtp.logins

    token = fake_telegram.token
    secrets = {
        "the confirmation code": code,
        "the wrong code": wrong,
        "the bot token": token,
        "the token's secret part": token.split(":", 1)[1],
        "the SMTP password": SMTP_PASSWORD,
        "the SMTP password in base64": base64.b64encode(SMTP_PASSWORD.encode()).decode(),
        "the SMTP login in base64": base64.b64encode(
            f"\0{SMTP_USERNAME}\0{SMTP_PASSWORD}".encode()
        ).decode(),
    }
    found = {name: _hits(output, secret) for name, secret in secrets.items()}
    assert {name: lines for name, lines in found.items() if lines} == {}
