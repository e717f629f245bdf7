"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests to read."""

import asyncio
import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals: list[str] = []
        # aiosmtpd makes one session per client connection: the sessions that carried a
        # message, kept (not their ids, which a collected one would hand on).
        self.sessions: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if not any(known is session for known in self.sessions):
                self.sessions.append(session)
            if self.refusals:
                return self.refusals.pop(0)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Starts on a free port; `wait_for` returns the next message to an address."""

    def __init__(self) -> None:
        self.port = free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._read = 0

    def start(self) -> None:
        self._controller.start()

    def down(self) -> None:
        """Stop listening: connections are refused until `up`."""
        self._controller.stop()

    def up(self) -> None:
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return list(self._collector.messages)

    @property
    def connections(self) -> int:
        """How many client connections carried a message (kept or refused) since `clear`."""
        with self._collector.lock:
            return len(self._collector.sessions)

    def clear(self) -> None:
        with self._collector.lock:
            self._collector.messages.clear()
            self._collector.refusals.clear()
            self._collector.sessions.clear()

    def refuse_next(self, reply: str) -> None:
        """The next message gets this SMTP reply (e.g. "451 ...") instead of being kept."""
        with self._collector.lock:
            self._collector.refusals.append(reply)

    async def wait_for(
        self,
        recipient: str,
        *,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> EmailMessage:
        """The `count`-th message to `recipient` (waiting for it to arrive)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [m for m in self.messages if recipient in str(m["To"])]
            if len(found) >= count:
                return found[count - 1]
            if loop.time() > deadline:
                raise AssertionError(f"no mail #{count} to {recipient}; got {len(found)}")
            await asyncio.sleep(0.02)


def body_part(message: EmailMessage, kind: str) -> str:
    """The message's `kind` ("plain" or "html") body, decoded."""
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def body_text(message: EmailMessage) -> str:
    return body_part(message, "plain")


def body_html(message: EmailMessage) -> str:
    return body_part(message, "html")


def code_in(message: EmailMessage) -> str:
    match = re.search(r"\b(\d{6})\b", body_text(message))
    assert match is not None, body_text(message)
    return match.group(1)
