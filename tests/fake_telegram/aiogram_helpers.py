"""Helpers to run a real aiogram Bot/Dispatcher against a FakeTelegram."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fake_telegram.server import FakeTelegram


def make_bot(fake: FakeTelegram, token: str | None = None, parse_mode: str | None = "HTML") -> Bot:
    """A Bot whose session talks to ``fake`` (close it with ``await bot.session.close()``)."""
    return Bot(
        token or fake.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake.url)),
        default=DefaultBotProperties(parse_mode=parse_mode),
    )


@asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot, **kwargs: Any) -> AsyncIterator[Bot]:
    """Run ``dp.start_polling(bot)`` for the duration of the block, then stop cleanly."""
    started = asyncio.Event()

    async def on_startup() -> None:
        started.set()

    dp.startup.register(on_startup)
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, **kwargs))
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    with suppress(asyncio.CancelledError):
        await waiter
    if task.done():
        await task  # re-raises what broke the startup
        raise RuntimeError("polling stopped right after starting")
    if not started.is_set():
        task.cancel()
        raise RuntimeError("polling did not start within 10 s")
    try:
        yield bot
    finally:
        await dp.stop_polling()
        await task
        await bot.session.close()
