"""Configuration from the environment (PRODUCT.md §2)."""

import pytest
from pydantic import ValidationError

from core.config import ConfigError, LogFormat, Settings, SmtpSecurity


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SMTP_HOST", "BOT_TOKEN", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = _settings()
    assert settings.database_url == "sqlite+aiosqlite:///var/reviewbot.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert (settings.redis_url, settings.smtp_host) == ("", "")
    assert (settings.smtp_port, settings.smtp_security) == (587, SmtpSecurity.STARTTLS)
    assert (settings.check_interval_seconds, settings.delivery_interval_seconds) == (30, 5)
    assert settings.max_upload_bytes == 1_048_576
    assert settings.log_format is LogFormat.CONSOLE


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12, 34 56")
    monkeypatch.setenv("SMTP_SECURITY", "tls")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("SMTP_USERNAME", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2")
    settings = _settings()
    assert settings.admin_ids == [12, 34, 56]
    assert settings.smtp_security is SmtpSecurity.TLS
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.smtp_login == ("mailer", "hunter2")
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("database_url", "mysql://root@localhost/db"),
        ("database_url", "::::"),
        ("smtp_security", "ssl3"),
        ("telegram_api_url", "api.telegram.org"),
        ("max_upload_bytes", "0"),
    ],
)
def test_bad_values_are_refused(variable: str, value: str) -> None:
    with pytest.raises(ValidationError):
        _settings(**{variable: value})


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("abc", "is malformed"),
        ("12:short", "is malformed"),
    ],
)
def test_bot_token_is_checked_where_needed(token: str | None, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        _settings(bot_token=token).require_bot_token()


def test_a_real_looking_token_passes() -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    assert _settings(bot_token=token).require_bot_token() == token


def test_the_mini_app_is_off_by_default_and_served_under_its_urls_path() -> None:
    assert _settings().webapp_url == ""
    settings = _settings(webapp_url="https://bot.example.com/review/app/")
    assert settings.webapp_url == "https://bot.example.com/review/app"
    assert settings.webapp_path == "/review/app"
    assert _settings(webapp_url="https://bot.example.com").webapp_path == ""
    assert (settings.webapp_auth_max_age_seconds, settings.report_link_days) == (86_400, 30)


def test_the_mini_app_url_must_be_https() -> None:
    with pytest.raises(ValidationError, match="Telegram opens Mini Apps only at https://"):
        _settings(webapp_url="http://bot.example.com/app")
