"""Engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite), and how to tell
that the database is out of reach (at start, and while running)."""

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.errors import first_line

logger = logging.getLogger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]

# How long a check that the database answers may take before it counts as out of reach.
PING_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 10.0
# Waits between connection attempts at start: 1 s, 2 s, 4 s… at most this long.
STARTUP_MAX_DELAY_SECONDS = 10.0


class DatabaseUnavailableError(Exception):
    """The database did not answer: nothing of the use case was written."""


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for memory and other backends."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def build_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An engine for the URL; for SQLite, creates the folder and sets safe pragmas. On
    PostgreSQL, a pooled connection is tested before use (one that died with a restart or a
    network cut is replaced, instead of failing the next update), and connecting gives up
    after CONNECT_TIMEOUT_SECONDS."""
    url = make_url(database_url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "postgresql":
        options = {
            "pool_pre_ping": True,
            "connect_args": {"timeout": CONNECT_TIMEOUT_SECONDS},
            **options,
        }
    engine = create_async_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def build_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_outage(error: BaseException) -> bool:
    """Whether the error is one a lost database connection raises (refused, reset, timed out,
    closed under a query), as opposed to a mistake in a query."""
    if isinstance(error, (OSError, TimeoutError)):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(
            error, (InterfaceError, OperationalError)
        )
    return False


async def ping(session: AsyncSession) -> None:
    """Returns once the database answered a trivial query; raises what the driver raised."""
    await session.execute(text("SELECT 1"))


async def database_answers(session_factory: SessionFactory) -> bool:
    """Whether the database runs `SELECT 1` within PING_TIMEOUT_SECONDS."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), session_factory() as session:
            await ping(session)
    except Exception as error:
        if is_outage(error):
            return False
        raise
    return True


async def wait_for_database(database_url: str, timeout_seconds: float) -> None:
    """Return once the database answers; retry with backoff (1 s, 2 s, 4 s… capped) for up to
    `timeout_seconds`, then raise the last connection error. One log line while waiting, one
    when it answers. Errors that waiting cannot cure (a wrong password, a missing database)
    are raised at once."""
    engine = build_engine(database_url)
    deadline = time.monotonic() + timeout_seconds
    failures = 0
    try:
        while True:
            try:
                async with asyncio.timeout(PING_TIMEOUT_SECONDS), engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            except Exception as error:
                if not worth_waiting_for(error):
                    raise
                failures += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                if failures == 1:
                    logger.warning(
                        "the database does not answer (%s); trying again for up to %.0f s",
                        first_line(error),
                        timeout_seconds,
                    )
                await asyncio.sleep(min(left, STARTUP_MAX_DELAY_SECONDS, 2.0 ** (failures - 1)))
                continue
            if failures:
                logger.info("the database answers now")
            return
    finally:
        await engine.dispose()


def worth_waiting_for(error: BaseException) -> bool:
    """Out of reach, or up but not accepting connections yet ("the database system is starting
    up"); a refused login or an unknown database stays refused."""
    if isinstance(error, (OSError, TimeoutError)):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return "the database system is starting up" in str(error)
