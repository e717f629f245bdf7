"""Settings read from the environment (and `.env`), loaded once per process and passed down."""

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BOT_TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


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

    check_interval_seconds: int = Field(default=30, ge=1)
    delivery_interval_seconds: int = Field(default=5, ge=1)
    max_upload_bytes: int = Field(default=1_048_576, ge=1)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    log_format: LogFormat = LogFormat.CONSOLE

    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_port: int = Field(default=8080, ge=1, le=65535)

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
