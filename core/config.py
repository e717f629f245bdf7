"""Settings read from the environment (and `.env`), loaded once per process and passed down."""

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.limits import DEFAULT_PIPELINE_LIMITS

BOT_TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_SECRET_MIN_LENGTH = 16


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class Settings(BaseSettings):
    """Every variable of PRODUCT.md §2. `BOT_TOKEN` is checked where it is needed (run/bot)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///var/reviewbot.db"
    redis_url: str = ""
    # run, bot and worker wait this long for an unreachable database at start, then give up.
    database_startup_timeout_seconds: float = Field(default=60.0, ge=0)

    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_from: str = "reviewbot@localhost"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # Connections the delivery job keeps open and reuses while it sends a run of results.
    smtp_pool_size: int = Field(default=3, ge=1, le=20)
    mail_dir: Path = Path("var/mail")

    # Chat results are paced within Telegram's limits (per process: with several workers, give
    # each its share of the overall rate).
    telegram_messages_per_second: int = Field(default=30, ge=1)
    telegram_chat_interval_seconds: float = Field(default=1.0, ge=0)

    # A reply or edit that Telegram answers with 429 waits this long at most, then is sent once
    # more; a longer wait is not waited out (results schedule their own retry).
    telegram_retry_after_max_seconds: float = Field(default=60.0, ge=0)

    # Abuse limits per person (shared through Redis when REDIS_URL is set).
    updates_per_minute: int = Field(default=60, ge=1)
    uploads_per_minute: int = Field(default=30, ge=1)
    codes_per_email_per_hour: int = Field(default=5, ge=1)
    codes_per_account_per_hour: int = Field(default=5, ge=1)

    check_interval_seconds: int = Field(default=30, ge=1)
    delivery_interval_seconds: int = Field(default=5, ge=1)
    # How long a worker's claim on a version or delivery lasts; renewed every third of it while
    # held, so a dead worker's work is taken over within about this long (checks/leases.py).
    claim_lease_seconds: float = Field(default=DEFAULT_PIPELINE_LIMITS.lease.total_seconds(), ge=1)
    # The pipeline's batch sizes (core/limits.py, docs/presets-and-limits.md): versions and
    # bytes of content one check claim takes at most, deliveries one delivery claim takes.
    check_versions_per_claim: int = Field(default=DEFAULT_PIPELINE_LIMITS.versions_per_claim, ge=1)
    check_bytes_per_claim: int = Field(default=DEFAULT_PIPELINE_LIMITS.bytes_per_claim, ge=1)
    deliveries_per_claim: int = Field(default=DEFAULT_PIPELINE_LIMITS.deliveries_per_claim, ge=1)
    # The ruff executable; empty: the one installed with reviewbot.
    ruff_path: str = ""
    # ruff's autofix runs at once per bot process (docs/fix-limits.md); further presses wait.
    fix_runs_per_process: int = Field(default=4, ge=1)
    max_upload_bytes: int = Field(default=1_048_576, ge=1)
    # Storage per person (docs/storage-limits.md): active files, and bytes of every stored
    # version of the active files (old versions too); past either, uploads are refused.
    max_files_per_user: int = Field(default=500, ge=1)
    max_stored_bytes_per_user: int = Field(default=52_428_800, ge=1)
    # Used and expired email codes, the file mailer's .eml files (no SMTP_HOST) and a
    # conversation's state in Redis are kept this long, then dropped.
    prune_after_hours: int = Field(default=24, ge=1)
    # Issues stored of one check (the first in file order); past it the rest are only counted.
    max_issues_per_check: int = Field(default=10_000, ge=1)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    log_format: LogFormat = LogFormat.CONSOLE
    # DEBUG shows every library's chatter too (APScheduler's per run, aiogram's per update).
    log_level: LogLevel = LogLevel.INFO

    # Webhook mode when WEBHOOK_URL is set (the public HTTPS address Telegram posts to); the
    # bot serves its path on WEBHOOK_HOST:WEBHOOK_PORT, behind the reverse proxy.
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_host: str = "0.0.0.0"  # noqa: S104 - inside a container, behind the proxy
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    # The Mini App (docs/webapp.md) when WEBAPP_URL is set: its public https:// address; the
    # app is served under that URL's path on WEBHOOK_HOST:WEBHOOK_PORT (in polling mode too).
    webapp_url: str = ""
    webapp_auth_max_age_seconds: int = Field(default=86_400, ge=1)
    # Telegram's script that every Mini App page loads (tests serve a stand-in).
    webapp_telegram_js_url: str = "https://telegram.org/js/telegram-web-app.js"
    # Signed "open in browser" links to a report, in result emails: valid this many days,
    # signed with REPORT_LINK_SECRET (empty: a key derived from BOT_TOKEN).
    report_link_days: int = Field(default=30, ge=1)
    report_link_secret: SecretStr = SecretStr("")

    # /healthz and /metrics of every process; 0 or empty (the default, as PRODUCT.md says)
    # turns them off. The container image sets 9100.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {error}") from None
        if url.drivername not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError(
                "use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db, "
                f"not {url.drivername!r}"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,]+", value.strip()) if part]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_without_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_metrics_port_is_off(cls, value: object) -> object:
        return 0 if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_is_https(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("Telegram posts updates only to https:// addresses")
        return value

    @field_validator("webapp_url")
    @classmethod
    def _webapp_url_is_https(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("Telegram opens Mini Apps only at https:// addresses")
        return value.rstrip("/")

    @field_validator("webapp_telegram_js_url")
    @classmethod
    def _telegram_js_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def webapp_path(self) -> str:
        """Where the Mini App is served: the path of WEBAPP_URL, without a trailing slash
        ("" for an address without a path)."""
        return urlsplit(self.webapp_url).path.rstrip("/")

    @property
    def webhook_path(self) -> str:
        """Where the bot serves the webhook: the path of WEBHOOK_URL."""
        return urlsplit(self.webhook_url).path or "/"

    def check_webhook(self) -> None:
        """In webhook mode, `ConfigError` unless WEBHOOK_SECRET is a token Telegram accepts, of
        at least WEBHOOK_SECRET_MIN_LENGTH characters (a short one can be guessed)."""
        if not self.webhook_url:
            return
        secret = self.webhook_secret.get_secret_value()
        if not secret:
            raise ConfigError(
                "WEBHOOK_SECRET is not set: webhook mode (WEBHOOK_URL is set) needs a secret that "
                "Telegram sends with every update, e.g. WEBHOOK_SECRET=$(openssl rand -hex 32)"
            )
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ConfigError(
                "WEBHOOK_SECRET is invalid: use 1 to 256 characters A-Z, a-z, 0-9, _ and -"
            )
        if len(secret) < WEBHOOK_SECRET_MIN_LENGTH:
            raise ConfigError(
                f"WEBHOOK_SECRET is too short: use at least {WEBHOOK_SECRET_MIN_LENGTH} "
                "characters, e.g. WEBHOOK_SECRET=$(openssl rand -hex 32)"
            )

    @property
    def smtp_login(self) -> tuple[str, str] | None:
        password = self.smtp_password.get_secret_value()
        if self.smtp_username and password:
            return self.smtp_username, password
        return None

    def require_bot_token(self) -> str:
        """The token, or `ConfigError` with one line telling how to set it."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigError(
                "BOT_TOKEN is not set: get a token from @BotFather and put "
                "BOT_TOKEN=123456:ABC... in the environment or in .env"
            )
        token = self.bot_token.get_secret_value().strip()
        if not BOT_TOKEN_PATTERN.match(token):
            raise ConfigError(
                "BOT_TOKEN is malformed: expected digits, a colon and the secret part, "
                "as @BotFather gives it (123456:ABC-DEF...)"
            )
        return token


class ConfigError(Exception):
    """A configuration problem explained in one line for the operator."""
