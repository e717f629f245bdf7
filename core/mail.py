"""Outgoing mail: an SMTP sender, or `.eml` files under a folder when no SMTP host is set."""

import logging
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib

from core.config import Settings, SmtpSecurity
from core.models import utcnow

logger = logging.getLogger(__name__)


class MailSendError(Exception):
    """Sending failed. `temporary` tells whether trying again later may succeed."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over; return only once it was accepted, else raise MailSendError."""


def compose(
    *, sender: str, recipient: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: SmtpSecurity,
        login: tuple[str, str] | None,
        timeout: float,
    ) -> None:
        self._host = host
        self._port = port
        self._security = security
        self._login = login
        self._timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        username, password = self._login if self._login else (None, None)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=username,
                password=password,
                use_tls=self._security is SmtpSecurity.TLS,
                start_tls=self._security is SmtpSecurity.STARTTLS,
                tls_context=ssl.create_default_context(),
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPResponseException as error:
            temporary = 400 <= error.code < 500
            raise MailSendError(
                f"SMTP {error.code}: {error.message}", temporary=temporary
            ) from error
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise MailSendError(f"recipient refused: {error}", temporary=False) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailSendError(f"SMTP unreachable: {error}", temporary=True) from error
        logger.info("mail sent to %s: %s", message["To"], message["Subject"])


class FileMailer:
    """Development default: every message becomes an `.eml` file, and the log says where."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

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
    )
