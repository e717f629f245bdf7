"""docker-compose.yml as an operator relies on it: the services, their healthchecks and start
order, workers that scale, the mail catcher only in development, and every variable it reads
documented in .env.example, which itself holds no secret. No Docker needed: the file is read as
YAML."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT / ".env.example"

APP_SERVICES = {"migrate", "bot", "worker"}
LONG_RUNNING = {"bot", "worker"}
# ${VAR}, ${VAR:-default}, ${VAR:?message}; `$$` is a literal dollar (for the container's shell).
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")
# Shaped like a bot token (as BOT_TOKEN_PATTERN in core.config, anywhere in a text).
TOKEN_SHAPE = re.compile(r"\b\d{3,20}:[A-Za-z0-9_-]{20,}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def _documented_variables() -> set[str]:
    """Names set or shown commented out (`# NAME=...`) in .env.example."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


def _healthcheck_command(service: dict[str, Any]) -> list[str]:
    healthcheck = service.get("healthcheck")
    assert healthcheck, "no healthcheck"
    assert not healthcheck.get("disable"), "healthcheck disabled"
    test = healthcheck["test"]
    assert isinstance(test, list)
    assert test[0] in {"CMD", "CMD-SHELL"}
    return [str(part) for part in test[1:]]


def test_the_services_of_the_stack(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"postgres", "redis", "migrate", "bot", "worker", "mailpit"}
    for name in APP_SERVICES:
        service = services[name]
        assert service["command"] == [name], name
        assert "build" in service, f"{name} is built from this folder"
        assert service["image"].startswith("${REVIEWBOT_IMAGE"), "one image for every role"


def test_postgres_keeps_its_data_and_reports_health(services: dict[str, dict[str, Any]]) -> None:
    postgres = services["postgres"]
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(_healthcheck_command(postgres))


def test_redis_reports_health(services: dict[str, dict[str, Any]]) -> None:
    assert _healthcheck_command(services["redis"]) == ["redis-cli ping | grep -q PONG"]
    # With requirepass, a bare `redis-cli ping` answers NOAUTH and still exits 0.
    assert services["redis"]["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?")


def _option(command: list[str], name: str) -> str:
    assert name in command, f"redis-server without {name}"
    return command[command.index(name) + 1]


def test_redis_needs_a_password_and_never_evicts(services: dict[str, dict[str, Any]]) -> None:
    """Redis holds conversations (FSM) and rate limits: no one on the network may read or
    write them, and a full memory must not drop them silently."""
    command = [str(part) for part in services["redis"]["command"]]
    assert command[0] == "redis-server"
    assert re.fullmatch(r"\$\{REDIS_PASSWORD:\?[^}]+\}", _option(command, "--requirepass"))
    assert _option(command, "--maxmemory-policy") == "noeviction"
    assert re.fullmatch(r"\$\{REDIS_MAXMEMORY:-\d+mb\}", _option(command, "--maxmemory"))
    for name in APP_SERVICES:
        url = services[name]["environment"]["REDIS_URL"]
        assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD:\?[^}]+\}@redis:6379/0", url), name


def test_migrate_runs_once_when_postgres_is_healthy(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["healthcheck"] == {"disable": True}


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_bot_and_worker_start_after_the_migration(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert services[name]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_bot_and_worker_report_health_and_log_json(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    assert _healthcheck_command(service) == ["reviewbot", "healthcheck"]
    environment = service["environment"]
    assert environment["LOG_FORMAT"] == "json"
    assert environment["METRICS_HOST"] == "0.0.0.0"  # scraped on the compose network
    assert environment["REDIS_URL"].endswith("@redis:6379/0")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert service["restart"] == "unless-stopped"
    assert service.get("stop_signal", "SIGTERM") == "SIGTERM"


def test_workers_scale(services: dict[str, dict[str, Any]]) -> None:
    """`docker compose up --scale worker=N`: no fixed name, no fixed host port."""
    for name, service in services.items():
        assert "container_name" not in service, name
    assert "ports" not in services["worker"]


def test_the_mail_catcher_is_for_development_only(services: dict[str, dict[str, Any]]) -> None:
    mailpit = services["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit:")
    assert mailpit["profiles"] == ["dev"]
    assert [name for name, service in services.items() if "profiles" in service] == ["mailpit"]
    for port in mailpit["ports"]:
        assert str(port).startswith("127.0.0.1:"), "the inbox is not open to the network"
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert not any(key.startswith("SMTP_") for key in environment), (
            f"{name}: production mail goes to the SMTP_* settings of .env"
        )


def test_published_ports_listen_on_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_every_variable_is_documented_in_env_example() -> None:
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text()))
    assert {"BOT_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"} <= used
    assert used - _documented_variables() == set()


def _secret_values(environment: dict[str, Any]) -> dict[str, str]:
    """The values of an environment that are or contain a secret (the password in a URL)."""
    found = {key: str(value) for key, value in environment.items() if SECRET_NAME.search(key)}
    if "DATABASE_URL" in environment:
        url = re.match(r"^[a-z+]+://(\$\{[^}]*\}|[^:@]*):(.*)@", environment["DATABASE_URL"])
        assert url, "DATABASE_URL with a user and a password"
        found["DATABASE_URL password"] = url[2]
    return found


def test_no_secret_is_written_in_the_compose_file(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: environment as a mapping"
        for key, value in _secret_values(environment).items():
            assert re.match(r"^\$\{[A-Z_]+:\?", value), f"{name}: {key} must come from .env"
    assert not TOKEN_SHAPE.search(COMPOSE_FILE.read_text())


def test_secrets_are_required_from_env() -> None:
    text = COMPOSE_FILE.read_text()
    for name in ("BOT_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        assert re.search(rf"\$\{{{name}:\?[^}}]+\}}", text), f"{name} has a message when unset"
        assert not re.search(rf"\$\{{{name}:?-", text), f"{name} has no default"


def test_env_example_holds_no_secret() -> None:
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and SECRET_NAME.search(match[1]):
            assert match[2].strip() == "", f".env.example:{number}: {match[1]} has a value"
    assert not TOKEN_SHAPE.search(ENV_EXAMPLE.read_text())
