"""Per-person limits on what reaches the handlers: updates, and uploads among them.

Counted in a moving window of a minute with the `limits` library: in Redis when `REDIS_URL` is
set (so every bot process shares the counts), in this process's memory otherwise. An update
over a limit is dropped before it touches the database; the first one dropped in a window gets
one "slow down, try again in N s" answer, the others none (a pressed button still gets its
spinner closed). If the limits cannot be read (Redis away) the update goes through: an outage
must not silence the bot.
"""

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.code_blocks import message_code
from bot.screens import CALLBACK_TEXT_LIMIT
from bot.shared import limit_texts
from core.config import Settings

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
WINDOW_SECONDS = 60
NAMESPACE = "reviewbot"


class Limit(StrEnum):
    UPDATES = "updates"
    UPLOADS = "uploads"


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    allowed: int  # per window
    wait_seconds: int  # until the next update would be let through
    tell: bool  # the first refusal in its window: the person is told once


class RateLimits:
    def __init__(
        self,
        storage: Storage,
        *,
        updates: int,
        uploads: int,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[Limit, RateLimitItem] = {
            Limit.UPDATES: RateLimitItemPerSecond(updates, window_seconds),
            Limit.UPLOADS: RateLimitItemPerSecond(uploads, window_seconds),
        }
        self._told = RateLimitItemPerSecond(1, window_seconds)
        self._failing = False

    async def refusal(self, user_id: int, *, upload: bool) -> Refusal | None:
        """Counts the update; None if it may go on, else why not. Fails open."""
        try:
            found = await self._refusal(str(user_id), upload)
        except (StorageError, RedisError, OSError) as error:
            if not self._failing:
                logger.warning("rate limits unavailable, letting updates through: %s", error)
            self._failing = True
            return None
        if self._failing:
            logger.warning("rate limits available again")
            self._failing = False
        return found

    async def _refusal(self, user: str, upload: bool) -> Refusal | None:
        for limit in (Limit.UPDATES, Limit.UPLOADS) if upload else (Limit.UPDATES,):
            item = self._items[limit]
            if await self._limiter.hit(item, NAMESPACE, limit, user):
                continue
            stats = await self._limiter.get_window_stats(item, NAMESPACE, limit, user)
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            tell = await self._limiter.hit(self._told, NAMESPACE, "told", limit, user)
            return Refusal(limit=limit, allowed=item.amount, wait_seconds=wait, tell=tell)
        return None


def build_rate_limits(settings: Settings, redis: Redis | None) -> RateLimits:
    """On the process's Redis connections when there is Redis, in memory otherwise."""
    storage: Storage
    if redis is not None:
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            wrap_exceptions=True,
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]  # typed too narrowly
        )
    else:
        storage = MemoryStorage(wrap_exceptions=True)
    return RateLimits(
        storage, updates=settings.updates_per_minute, uploads=settings.uploads_per_minute
    )


class ThrottlingMiddleware(BaseMiddleware):
    """Outer middleware on updates: drops what is over a person's limits."""

    def __init__(self, limits: RateLimits) -> None:
        self._limits = limits

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if not isinstance(event, Update) or user is None:
            return await handler(event, data)
        if event.message is None and event.callback_query is None:
            return await handler(event, data)  # only what people send counts
        message = event.message
        # Pasted code is an upload too (bot/features/snippets), whatever it becomes.
        upload = message is not None and (
            message.document is not None or message_code(message) is not None
        )
        refusal = await self._limits.refusal(user.id, upload=upload)
        if refusal is None:
            return await handler(event, data)
        logger.info(
            "update %s from %s dropped: over %s a minute (%s)",
            event.update_id,
            user.id,
            refusal.allowed,
            refusal.limit,
        )
        try:
            await _tell(event, refusal)
        except TelegramAPIError as error:
            logger.warning("could not tell %s to slow down: %s", user.id, error.message)
        return None


async def _tell(update: Update, refusal: Refusal) -> None:
    text = _text(refusal) if refusal.tell else None
    if update.callback_query is not None:
        shown = text[:CALLBACK_TEXT_LIMIT] if text is not None else None
        await update.callback_query.answer(shown, show_alert=shown is not None)
    elif update.message is not None and text is not None:
        await update.message.answer(text, parse_mode=None)


def _text(refusal: Refusal) -> str:
    if refusal.limit is Limit.UPLOADS:
        return limit_texts.too_many_uploads(refusal.wait_seconds, refusal.allowed)
    return limit_texts.too_many_updates(refusal.wait_seconds)
