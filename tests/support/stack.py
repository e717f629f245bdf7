"""The two stacks every database test runs on: embedded (SQLite, memory) and services
(PostgreSQL, Redis)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.support.databases import (
    REDIS_TEST_URL,
    fresh_postgres_database,
    migrate,
    skip_or_fail,
    sqlite_url,
)

EMBEDDED = "embedded"
SERVICES = "services"


@dataclass(frozen=True)
class Stack:
    name: str
    database_url: str
    redis_url: str


async def _require_redis(url: str) -> None:
    client = Redis.from_url(url)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        skip_or_fail(f"Redis at {url} is not reachable: {error}")
    finally:
        await client.aclose()


@asynccontextmanager
async def open_stack(name: str, folder: Path) -> AsyncIterator[Stack]:
    if name == EMBEDDED:
        url = sqlite_url(folder)
        await migrate(url)
        yield Stack(name=name, database_url=url, redis_url="")
        return
    await _require_redis(REDIS_TEST_URL)
    async with fresh_postgres_database() as url:
        await migrate(url)
        yield Stack(name=name, database_url=url, redis_url=REDIS_TEST_URL)


async def flush_redis(url: str) -> None:
    if not url:
        return
    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
