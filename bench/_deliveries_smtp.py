"""The delivery benchmark's mail server: aiosmtpd with STARTTLS and a login, on a self-signed
certificate made for the run, so that opening a connection costs a TLS handshake and a login as
it does with a real provider. Also the baseline: a plain aiosmtplib loop over one connection."""

import logging
import ssl
import subprocess
import threading
import time
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.smtp import free_port

USERNAME = "bench"
PASSWORD = "bench-password"  # noqa: S105 - a throwaway login of a local test server


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl req); its certificate and key files."""
    certificate, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - openssl from PATH
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def client_context(certificate: Path) -> ssl.SSLContext:
    """What the mailer is given: the default context, trusting the benchmark's certificate."""
    return ssl.create_default_context(cafile=str(certificate))


class _Counter:
    """Accepts every message and notes when (time.monotonic(), the loop's clock)."""

    def __init__(self) -> None:
        self.accepted: list[float] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.accepted.append(time.monotonic())
        return "250 Message accepted for delivery"


def _authenticate(
    _server: Any, _session: Any, _envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    valid = (
        mechanism in {"LOGIN", "PLAIN"}
        and isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=valid)


class TlsSmtpServer:
    """aiosmtpd in its own thread: STARTTLS required before AUTH, AUTH required before MAIL."""

    def __init__(self, certificate: Path, key: Path) -> None:
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(certificate, key)
        self.port = free_port()
        self._counter = _Counter()
        self._controller = Controller(
            self._counter,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=server_context,
            require_starttls=True,
            authenticator=_authenticate,
            auth_required=True,
            auth_require_tls=True,
        )

    def __enter__(self) -> "TlsSmtpServer":
        # aiosmtpd 1.4 logs a warning on every login about an attribute it sets itself.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    def accepted_since(self, moment: float) -> list[float]:
        """Acceptance times of the messages accepted after `moment`, in order."""
        with self._counter.lock:
            return [at for at in self._counter.accepted if at >= moment]


async def plain_loop(
    server: TlsSmtpServer, context: ssl.SSLContext, messages: Sequence[EmailMessage]
) -> float:
    """The baseline: one connection (STARTTLS, login), every message in turn; seconds taken."""
    started = time.monotonic()
    client = aiosmtplib.SMTP(
        hostname="127.0.0.1",
        port=server.port,
        start_tls=True,
        tls_context=context,
        username=USERNAME,
        password=PASSWORD,
    )
    async with client:
        for message in messages:
            await client.send_message(message)
    return time.monotonic() - started
