"""The updates being handled right now, so that a stopping bot lets them finish before it
closes its session and the database (long polling hands an update over, and moves Telegram's
offset past it, before its handler has run: cut off, it would be lost)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

logger = logging.getLogger(__name__)


class UpdatesInFlight(BaseMiddleware):
    """The outermost update middleware: counts the updates whose handling has not ended."""

    def __init__(self) -> None:
        self._count = 0
        self._none = asyncio.Event()
        self._none.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._count += 1
        self._none.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if self._count == 0:
                self._none.set()

    async def finish(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait up to `timeout` seconds for every update being handled to end; False (and one
        warning) when some were still running."""
        try:
            await asyncio.wait_for(self._none.wait(), timeout)
        except TimeoutError:
            logger.warning(
                "%d updates were still being handled %.0f s after the bot stopped: cut off",
                self._count,
                timeout,
            )
            return False
        return True
