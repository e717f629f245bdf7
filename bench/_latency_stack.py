"""What the latency and bot benchmarks stand on: PostgreSQL and Redis checked first, a fresh
migrated database, a flushed Redis database of their own, people seeded as the bot stores them,
and figures (percentiles, py-spy) to print."""

import asyncio
import os
import secrets
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra.database import SessionFactory
from tests.support.databases import POSTGRES_ADMIN_URL, migrate
from tests.support.pipeline import seed_uploads

# Redis database 14 belongs to these two benchmarks (and their smoke test): flushed freely.
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


class ServicesUnavailableError(Exception):
    """PostgreSQL or Redis cannot be reached: the benchmark cannot run (the smoke test skips)."""


async def flushed_redis(url: str = BENCH_REDIS_URL) -> str:
    """The Redis URL, its database emptied; ServicesUnavailableError when it is out of reach."""
    client = Redis.from_url(url)
    try:
        await client.flushdb()
    except (RedisError, OSError) as error:
        raise ServicesUnavailableError(f"Redis at {url} is not reachable: {error}") from error
    finally:
        await client.aclose()
    return url


@asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    """A migrated PostgreSQL database with a random name (SQLAlchemy URL), dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        raise ServicesUnavailableError(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}"
        ) from error
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        url = f"{base}/{name}"
        await migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed_people(
    session_factory: SessionFactory, telegram_ids: Sequence[int], files: dict[str, bytes]
) -> None:
    """Registered people (user, confirmed address, linked account), each with these files."""
    for telegram_id in telegram_ids:
        await seed_uploads(session_factory, files, telegram_id=telegram_id)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.95 for p95) of at least one value."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats going astray
    return ordered[int(rank) - 1]


class PySpy:
    """`py-spy record` attached to a process until stopped; collapsed stacks to `output`."""

    def __init__(self, pid: int, output: Path) -> None:
        self._pid = pid
        self._output = output
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        found = Path(sys.executable).with_name("py-spy")
        program = str(found) if found.exists() else shutil.which("py-spy")
        if program is None:
            raise RuntimeError("py-spy is not installed (uv pip install py-spy, for local use)")
        self._process = await asyncio.create_subprocess_exec(
            program,
            "record",
            "--pid",
            str(self._pid),
            "--format",
            "raw",
            "--rate",
            "200",
            "--output",
            str(self._output),
        )

    async def stop(self) -> None:
        if self._process is None or self._process.returncode is not None:
            return
        self._process.send_signal(signal.SIGINT)
        await asyncio.wait_for(self._process.wait(), timeout=30)
