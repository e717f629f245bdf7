"""`make docker-test`: the image, built from a local Debian base, runs every role.

A Debian bookworm base is made with debootstrap from this machine's Debian mirror and imported
(reused once it exists), the image is built on it, and `migrate`, `bot` and `worker` run as
containers on the host's network against this machine's PostgreSQL (a fresh database) and
Redis, the fake Bot API server and an SMTP sink. One person registers and uploads a file; the
review arrives in the chat and by email. Not part of `make test` (it needs root and a Docker
engine): see docs/operations.md, "Container image".
"""

import asyncio
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config import Settings, SmtpSecurity
from core.models import DeliveryChannel, DeliveryStatus
from infra.database import build_engine, build_session_factory
from tests.docker.engine import docker_engine
from tests.fake_telegram import FakeTelegram, TelegramUser
from tests.support.databases import REDIS_TEST_URL, fresh_postgres_database
from tests.support.pipeline import wait_for_delivery
from tests.support.processes import reviewbot_environment
from tests.support.smtp import SmtpSink, code_in, free_port
from tests.support.stack import flush_redis

PROJECT = Path(__file__).resolve().parents[2]
BASE_IMAGE = "reviewbot-base:bookworm"
IMAGE = "reviewbot:docker-test"
SOURCE = b"import os\n"
BUILD_SECONDS = 900

pytestmark = pytest.mark.timeout(1800)


def _docker(
    environment: dict[str, str], *arguments: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def _run_logged(command: list[str], environment: dict[str, str], log: Path) -> None:
    """Run a long command with its output in `log`; fail with the end of it."""
    with log.open("w") as output:
        done = subprocess.run(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=BUILD_SECONDS,
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"{' '.join(command[:3])} failed ({done.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="module")
def docker() -> Iterator[dict[str, str]]:
    with docker_engine() as environment:
        yield environment


@pytest.fixture(scope="module")
def image(docker: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The image, built on the local Debian base (made first when it does not exist)."""
    logs = tmp_path_factory.mktemp("build")
    base_script = str(PROJECT / "docker" / "debian-base.sh")
    _run_logged([base_script, BASE_IMAGE], docker, logs / "base.log")
    _run_logged(
        [
            "docker",
            "build",
            "--network",
            "host",
            "--build-arg",
            f"BASE_IMAGE={BASE_IMAGE}",
            "--tag",
            IMAGE,
            str(PROJECT),
        ],
        docker,
        logs / "build.log",
    )
    return IMAGE


class Containers:
    """The containers a test starts, all removed at the end; their logs shown on failure."""

    def __init__(self, docker: dict[str, str], image: str, env_file: Path) -> None:
        self.docker = docker
        self.image = image
        self.env_file = env_file
        self.names: list[str] = []
        self.suffix = secrets.token_hex(3)

    def _run_arguments(self, role: str) -> list[str]:
        name = f"reviewbot-test-{role}-{self.suffix}"
        self.names.append(name)
        # On the host's network each container needs a /healthz and /metrics port of its own.
        port = f"METRICS_PORT={free_port()}"
        return [
            *("run", "--name", name, "--network", "host", "--env-file", str(self.env_file)),
            *("--env", port),
        ]

    async def run_to_end(self, role: str) -> int:
        arguments = [*self._run_arguments(role), self.image, role]
        created = await asyncio.to_thread(_docker, self.docker, *arguments, timeout=300)
        return created.returncode

    async def start(self, role: str) -> str:
        arguments = [*self._run_arguments(role), "--detach", self.image, role]
        started = await asyncio.to_thread(_docker, self.docker, *arguments)
        assert started.returncode == 0, started.stderr
        return self.names[-1]

    async def stop(self, name: str) -> int:
        """SIGTERM (the image's STOPSIGNAL), then the exit code."""
        stopped = await asyncio.to_thread(_docker, self.docker, "stop", "--time", "30", name)
        assert stopped.returncode == 0, stopped.stderr
        waited = await asyncio.to_thread(_docker, self.docker, "wait", name)
        return int(waited.stdout.strip())

    async def healthcheck(self, name: str) -> subprocess.CompletedProcess[str]:
        """The image's HEALTHCHECK command, run in the container now."""
        return await asyncio.to_thread(
            _docker, self.docker, "exec", name, "reviewbot", "healthcheck"
        )

    def print_logs(self) -> None:
        for name in self.names:
            logs = _docker(self.docker, "logs", "--tail", "60", name)
            print(f"--- docker logs {name} ---\n{logs.stdout[-6000:]}{logs.stderr[-6000:]}")

    def remove_all(self) -> None:
        if self.names:
            _docker(self.docker, "rm", "--force", "--volumes", *self.names)


@asynccontextmanager
async def containers(
    docker: dict[str, str], image: str, env_file: Path
) -> AsyncIterator[Containers]:
    started = Containers(docker, image, env_file)
    try:
        yield started
    except BaseException:
        started.print_logs()
        raise
    finally:
        await asyncio.to_thread(started.remove_all)


def _env_file(folder: Path, settings: Settings, telegram: FakeTelegram) -> Path:
    """The variables of the containers, as an operator's .env would hold them."""
    variables = reviewbot_environment(settings, telegram)
    for machine_only in ("PATH", "HOME", "LANG"):
        variables.pop(machine_only, None)
    variables["LOG_FORMAT"] = "json"
    path = folder / "containers.env"
    path.write_text("".join(f"{key}={value}\n" for key, value in variables.items()))
    return path


async def _register(chat: TelegramUser, smtp: SmtpSink, email: str) -> None:
    await chat.send_text("/start")
    await chat.next_screen(timeout=90)  # the bot container may still be starting
    await chat.send_text(email)
    assert "code" in (await chat.next_screen(timeout=30)).text
    code = code_in(await smtp.wait_for(email, timeout=60))
    await chat.send_text(code)
    assert "is confirmed" in (await chat.next_screen(timeout=30)).text


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck(
    docker: dict[str, str], image: str
) -> None:
    inspected = _docker(
        docker,
        "image",
        "inspect",
        "--format",
        "{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Healthcheck.Test}}"
        "|{{.Config.StopSignal}}",
        image,
    )
    assert inspected.returncode == 0, inspected.stderr
    user, entrypoint, healthcheck, stop_signal = inspected.stdout.strip().split("|")
    assert user == "10001:10001"
    assert entrypoint == '["reviewbot"]'
    assert healthcheck == '["CMD","reviewbot","healthcheck"]'
    assert stop_signal == "SIGTERM"
    tools = _docker(
        docker, "run", "--rm", "--entrypoint", "sh", image, "-c", "id -u; command -v uv gcc || :"
    )
    assert tools.stdout.split() == ["10001"], "runs as 10001, without uv or a compiler"


def test_the_check_role_reviews_a_file(docker: dict[str, str], image: str, tmp_path: Path) -> None:
    (tmp_path / "example.py").write_bytes(SOURCE)
    tmp_path.chmod(0o755)
    (tmp_path / "example.py").chmod(0o644)
    checked = _docker(
        docker,
        "run",
        "--rm",
        "--network",
        "none",
        "--volume",
        f"{tmp_path}:/review:ro",
        image,
        "check",
        "/review/example.py",
    )
    assert checked.returncode == 1, checked.stderr  # issues found
    assert "F401" in checked.stdout


async def test_migrate_bot_and_worker_containers_deliver_a_review(
    docker: dict[str, str],
    image: str,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    """migrate, then bot and worker as containers; a registration and an upload go through to
    the review in the chat and by email; both stop cleanly on SIGTERM."""
    async with fresh_postgres_database() as database_url:
        await flush_redis(REDIS_TEST_URL)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            redis_url=REDIS_TEST_URL,
            smtp_host="127.0.0.1",
            smtp_port=smtp_server.port,
            smtp_security=SmtpSecurity.NONE,
            check_interval_seconds=2,
            delivery_interval_seconds=1,
        )
        env_file = _env_file(tmp_path, settings, fake_telegram)
        engine = build_engine(database_url)
        try:
            async with containers(docker, image, env_file) as running:
                assert await running.run_to_end("migrate") == 0
                async with engine.connect() as connection:
                    assert await connection.scalar(text("SELECT version_num FROM alembic_version"))
                bot = await running.start("bot")
                worker = await running.start("worker")

                chat = fake_telegram.user(9_100_001)
                email = f"docker{chat.id}@example.com"
                await _register(chat, smtp_server, email)
                await chat.send_document("example.py", SOURCE)
                assert "Got example.py." in (await chat.next_screen(timeout=30)).text

                review = await chat.next_screen(timeout=90)
                assert review.text.startswith("Review of example.py, version 1\n"), review.text
                assert "F401" in review.text
                mail = await smtp_server.wait_for(email, count=2, timeout=90)  # after the code
                assert mail["Subject"] == "reviewbot: example.py v1 has 1 issue"
                session_factory = build_session_factory(engine)
                for channel in (DeliveryChannel.TELEGRAM, DeliveryChannel.EMAIL):
                    await wait_for_delivery(
                        session_factory, channel, DeliveryStatus.SENT, timeout=30
                    )

                for name in (bot, worker):  # what the image's HEALTHCHECK runs
                    health = await running.healthcheck(name)
                    assert (health.returncode, health.stdout.strip()) == (0, "ok"), health

                assert await running.stop(worker) == 0
                assert await running.stop(bot) == 0
        finally:
            await engine.dispose()
