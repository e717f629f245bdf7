"""Logging set-up: readable lines on a console, or one JSON object per line; context fields on
every line (infra/log_context.py); secrets redacted from every line, whatever logged it.

LOG_LEVEL=INFO (the default) keeps the chatter of libraries out: APScheduler's two lines per
job run, aiogram's line per update. LOG_LEVEL=DEBUG shows everything, every library included.
"""

import logging
import re
import sys
from collections.abc import Iterable
from typing import ClassVar

from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.config import LogFormat, Settings
from infra.log_context import ContextFilter, context_suffix

CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
REDACTED = "***"
# Loggers whose INFO lines are chatter, and the level they get unless LOG_LEVEL=DEBUG.
QUIET_LOGGERS = {
    # "Update id=… is handled": our own lines carry the update id where it matters.
    "aiogram.event": logging.WARNING,
    # A wake-up during a running job is handled by the job itself (checks/worker.py), so
    # APScheduler's "skipped: maximum number of running instances" is not worth a warning.
    "apscheduler.scheduler": logging.ERROR,
    # "Running job…" / "executed successfully" twice per interval would bury everything else;
    # a job that raises is still logged (at ERROR).
    "apscheduler.executors.default": logging.WARNING,
    # SQLAlchemy's own default (statements at INFO, rows at DEBUG): on only with DEBUG.
    "sqlalchemy": logging.WARNING,
}


class RedactingFilter(logging.Filter):
    """Defence in depth: bot tokens, the configured secrets and confirmation codes in known
    places never reach a log line, even from a library or a traceback."""

    PATTERNS: ClassVar[tuple[tuple[re.Pattern[str], str], ...]] = (
        # A Telegram bot token (also inside a URL): the bot's id stays, the secret goes.
        (re.compile(r"(\d+):[A-Za-z0-9_-]{35}"), rf"\1:{REDACTED}"),
        # A confirmation code after the word, as in the email's subject, in any language.
        (re.compile(r"(?i)(\b(?:code|код)\b[^\d\n]{0,30})\d{6}(?!\d)"), rf"\1{REDACTED}"),
        # The text of a message that is only a code (an update or a request, as data).
        (re.compile(r"""(\btext\W{1,4})\d{6}(?!\d)"""), rf"\1{REDACTED}"),
    )

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Every secret, however short: a short one is no less a secret.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in self.PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken call: logging reports it on its own
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            redacted = self.redact(record.exc_text)
            if redacted != record.exc_text:  # formatters use the text, not the exception
                record.exc_text, record.exc_info = redacted, None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class ConsoleFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return super().formatMessage(record) + context_suffix(record)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret the settings hold: the bot token, the SMTP password, the webhook secret,
    and the passwords in the database and Redis URLs."""
    found = [
        settings.smtp_password.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
    ]
    if settings.bot_token is not None:  # its secret part: the bot's id is no secret
        found.append(settings.bot_token.get_secret_value().strip().rpartition(":")[2])
    for url in (settings.database_url, settings.redis_url):
        try:
            password = make_url(url).password if url else None
        except ArgumentError:
            password = None
        if password:
            found.append(str(password))
    return [secret for secret in found if secret]


def configure_logging(
    log_format: LogFormat, level: int | str = logging.INFO, secrets: Iterable[str] = ()
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format is LogFormat.JSON:
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False)
        )
    else:
        handler.setFormatter(ConsoleFormatter(CONSOLE_FORMAT))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debug else quiet_level)


def configure_from_settings(settings: Settings) -> None:
    configure_logging(settings.log_format, settings.log_level.value, secrets_of(settings))
