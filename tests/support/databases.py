"""Fresh test databases: a PostgreSQL database per test session, and a SQLite file."""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.models import Base
from infra.migrate import upgrade_to_head

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _worker_redis_url(url: str, spare: int) -> str:
    """`url` itself in a plain run; under pytest-xdist each worker takes two Redis databases of
    its own, counting down from `url`'s (gw0: 15 and 14, gw1: 13 and 12, ...), since tests
    flush them: the first for the stacks, the second (`spare`=1) for the benchmark smoke runs."""
    base, _, number = url.rpartition("/")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    database = int(number or 0) - 2 * index - spare
    if database < 0:
        raise RuntimeError(f"too many xdist workers for the Redis databases below {url}")
    return f"{base}/{database}"


REDIS_TEST_URL = _worker_redis_url(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), spare=0
)
# The benchmarks' own Redis database (bench/_latency_stack.py reads BENCH_REDIS_URL, 14 by
# default); tests/conftest.py sets it per worker.
BENCH_TEST_REDIS_URL = _worker_redis_url(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), spare=1
)


def services_required() -> bool:
    """CI sets REQUIRE_SERVICES=1: then a missing PostgreSQL or Redis fails instead of skipping."""
    return os.environ.get("REQUIRE_SERVICES", "") not in {"", "0", "false", "no"}


def skip_or_fail(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this is a failure)", pytrace=False)
    pytest.skip(f"SKIPPED SERVICE: {reason}")


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create a database with a random name, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"reviewbot_test_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        skip_or_fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}")
        raise  # unreachable
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def migrate(database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, database_url)


def sqlite_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'reviewbot.db'}"


async def empty_all_tables(engine: AsyncEngine) -> None:
    """Between tests: every table emptied, the schema kept."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))
