"""Outgoing mail: an SMTP sender, or `.eml` files under a folder when no SMTP host is set."""

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from email.header import Header
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiosmtplib

from core.config import Settings, SmtpSecurity
from core.models import utcnow
from core.ports import ENCODED_WORD_START, Mailer, MailSendError
from infra import metrics
from infra.mail.smtp_replies import Refusal, refusal, unreachable

logger = logging.getLogger(__name__)


def compose(
    *, sender: str, recipient: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    _set_subject(message, subject)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _set_subject(message: EmailMessage, subject: str) -> None:
    """The subject, read back exactly as given. Text that looks like an RFC 2047 encoded word
    (a file name such as `=?utf-8?q?x?=.py`) would be decoded by mail programs, and the email
    package writes it out as it is: such a subject goes out encoded as a whole."""
    if ENCODED_WORD_START in subject:
        message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
    else:
        message["Subject"] = subject


class SmtpMailer:
    """SMTP as configured (SMTP_SECURITY, a login when set). `send` opens a connection for its
    one message; `connections()` gives a pool of up to `pool_size` connections, each opened
    (TLS handshake, login) once and reused for many messages."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: SmtpSecurity,
        login: tuple[str, str] | None,
        timeout: float,
        pool_size: int = 3,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._security = security
        self._login = login
        self._timeout = timeout
        self._pool_size = pool_size
        # Made only when it is used: loading the system's certificates takes a while.
        self._tls_context = tls_context
        if tls_context is None and security is not SmtpSecurity.NONE:
            self._tls_context = ssl.create_default_context()

    async def send(self, message: EmailMessage) -> None:
        pool = SmtpPool(self._connect, size=1)
        try:
            await pool.send(message)
        finally:
            await pool.close()

    @asynccontextmanager
    async def connections(self) -> AsyncIterator[Mailer]:
        pool = SmtpPool(self._connect, size=self._pool_size)
        try:
            yield pool
        finally:
            await pool.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        username, password = self._login if self._login else (None, None)
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=username,
            password=password,
            use_tls=self._security is SmtpSecurity.TLS,
            start_tls=self._security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        await client.connect()
        return client


class SmtpPool:
    """Up to `size` SMTP connections, opened when needed and reused; a message waits for a free
    one. A connection that failed is dropped; one that the server closed while it was idle is
    replaced once, at once (the message was not handed over on it)."""

    def __init__(self, connect: Callable[[], Awaitable[aiosmtplib.SMTP]], *, size: int) -> None:
        self._connect = connect
        self._free = asyncio.Semaphore(max(1, size))
        self._idle: list[aiosmtplib.SMTP] = []

    async def send(self, message: EmailMessage) -> None:
        async with self._free:
            client = self._idle.pop() if self._idle else None
            if client is not None and client.is_connected:
                try:
                    await self._send_on(client, message, reused=True)
                except _StaleConnectionError:
                    pass  # dropped: a fresh connection takes the message
                else:
                    return
            await self._send_on(await self._open(), message, reused=False)

    def connections(self) -> AbstractAsyncContextManager[Mailer]:
        return nullcontext(self)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            with suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
            client.close()

    async def _open(self) -> aiosmtplib.SMTP:
        try:
            return await self._connect()
        except aiosmtplib.SMTPException as error:
            raise _send_error(error) from error
        except OSError as error:
            raise _unreachable(error) from error

    async def _send_on(
        self, client: aiosmtplib.SMTP, message: EmailMessage, *, reused: bool
    ) -> None:
        try:
            await client.send_message(message)
        except (
            aiosmtplib.SMTPResponseException,
            aiosmtplib.SMTPRecipientsRefused,
            aiosmtplib.SMTPNotSupported,  # e.g. SMTPUTF8 for this address: nothing was sent
        ) as error:
            self._idle.append(client)  # the envelope was reset: the connection is still good
            raise _send_error(error) from error
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as error:
            client.close()
            if reused:
                raise _StaleConnectionError from error
            raise _unreachable(error) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            client.close()
            raise _unreachable(error) from error
        self._idle.append(client)
        # Not the subject: a confirmation email's carries the code.
        logger.info("mail %s sent to %s", message["Message-ID"], message["To"])


class _StaleConnectionError(Exception):
    """The server closed the connection: worth one more try on a new one."""


def _send_error(error: aiosmtplib.SMTPException) -> MailSendError:
    return _counted(refusal(error))


def _unreachable(error: Exception) -> MailSendError:
    return _counted(unreachable(error))


def _counted(found: Refusal) -> MailSendError:
    metrics.SMTP_ERRORS.labels(found.label).inc()
    return MailSendError(found.reason, kind=found.kind, unreachable=found.label == "unreachable")


class FileMailer:
    """Development default: every message becomes an `.eml` file, and the log says where."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def connections(self) -> AbstractAsyncContextManager[Mailer]:
        return nullcontext(self)

    async def send(self, message: EmailMessage) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        message_id = str(message["Message-ID"]).strip("<>").partition("@")[0]
        path = self._folder / f"{stamp}-{message_id}.eml"
        path.write_bytes(bytes(message))
        logger.info("mail to %s written to %s (SMTP_HOST is empty)", message["To"], path)


def build_mailer(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return FileMailer(settings.mail_dir)
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        login=settings.smtp_login,
        timeout=settings.smtp_timeout_seconds,
        pool_size=settings.smtp_pool_size,
    )
