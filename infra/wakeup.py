"""The upload wake-up: tells the check job that new work is waiting.

Across processes it is a Redis pub/sub channel (one per Redis database); in one process without
Redis, an asyncio event. A lost signal costs only latency: the scheduled run is the safety net.
"""

import asyncio
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.ports import Wakeup

logger = logging.getLogger(__name__)

CHANNEL = "reviewbot:checks:wakeup"


class InProcessWakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self) -> None:
        self._event.set()

    async def signals(self) -> AsyncIterator[None]:
        while True:
            await self._event.wait()
            self._event.clear()
            yield None


class RedisWakeup:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        # Pub/sub channels are shared by the whole server, keys belong to one database: the
        # database number keeps deployments (and test runs) that share a server apart.
        database = redis.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"{CHANNEL}:{database}"

    async def notify(self) -> None:
        try:
            await self._redis.publish(self.channel, b"1")
        except (RedisError, OSError) as error:
            logger.warning("wake-up signal not published: %s", error)

    async def signals(self) -> AsyncIterator[None]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)
        try:
            async for _message in pubsub.listen():
                yield None
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def build_wakeup(redis: Redis | None) -> Wakeup:
    return RedisWakeup(redis) if redis is not None else InProcessWakeup()
