"""The HTTP side of a process: serving an aiohttp app on a port, and /healthz and /metrics on
METRICS_HOST:METRICS_PORT (every process). The webhook (`reviewbot.webhook`) is served on a
site of its own, so that the metrics never face the internet with it."""

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from core.errors import first_line
from core.services.health import pending_work
from infra import metrics
from infra.database import ping

if TYPE_CHECKING:
    from reviewbot.runtime import Resources

logger = logging.getLogger(__name__)

# How long /healthz waits for the database and Redis to answer.
HEALTH_TIMEOUT_SECONDS = 1.0


class CannotListenError(Exception):
    """A port this process must serve cannot be bound: one line for the operator."""


async def _health_problems(resources: "Resources") -> list[str]:
    async def database() -> str | None:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                async with resources.session_factory() as session:
                    await ping(session)
        except TimeoutError:
            return f"database: no answer within {HEALTH_TIMEOUT_SECONDS:g} s"
        except (OSError, SQLAlchemyError) as error:
            return f"database: {first_line(error)}"
        return None

    async def redis() -> str | None:
        if resources.redis is None:
            return None
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                await resources.redis.ping()
        except TimeoutError:
            return f"redis: no answer within {HEALTH_TIMEOUT_SECONDS:g} s"
        except (OSError, RedisError) as error:
            return f"redis: {first_line(error)}"
        return None

    found = await asyncio.gather(database(), redis())
    return [problem for problem in found if problem is not None]


def health_app(resources: "Resources") -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        problems = await _health_problems(resources)
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def metrics_page(_request: web.Request) -> web.Response:
        await _read_pending(resources)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def _read_pending(resources: "Resources") -> None:
    """The pending gauges from the database; kept as they were when it does not answer."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            async with resources.session_factory() as session:
                pending = await pending_work(session)
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        logger.warning("pending work not read for /metrics: %s", first_line(error))
        return
    metrics.PENDING_VERSIONS.set(pending.versions)
    for channel, count in pending.deliveries.items():
        metrics.PENDING_DELIVERIES.labels(channel).set(count)


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int, what: str) -> AsyncIterator[str]:
    """`app` listening on host:port until the block ends (in-flight requests are finished
    first); yields its address. `CannotListenError` when the port cannot be bound."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:  # asyncio's message repeats the address: the reason alone
            reason = os.strerror(error.errno) if error.errno else str(error)
            message = f"cannot listen on {host}:{port} for {what}: {reason}"
            raise CannotListenError(message) from None
        bound_host, bound_port = runner.addresses[0][:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serving_health(resources: "Resources") -> AsyncIterator[None]:
    """/healthz and /metrics while the block runs (nothing with METRICS_PORT=0)."""
    settings = resources.settings
    if settings.metrics_port == 0:
        yield
        return
    what = "/healthz and /metrics (METRICS_HOST, METRICS_PORT; 0 turns them off)"
    async with serving(
        health_app(resources), settings.metrics_host, settings.metrics_port, what
    ) as address:
        logger.info("health at %s/healthz, metrics at %s/metrics", address, address)
        yield
