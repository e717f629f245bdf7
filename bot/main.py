"""The Telegram process (long polling)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from redis.asyncio import Redis

from bot.app import build_bot, build_dispatcher, build_storage, set_commands
from core.config import Settings
from core.database import build_engine, build_session_factory
from core.i18n import load_translations
from core.mail import build_mailer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotRuntime:
    bot: Bot
    dispatcher: Dispatcher


@asynccontextmanager
async def bot_runtime(settings: Settings, token: str) -> AsyncIterator[BotRuntime]:
    """Everything the Telegram side needs, built in order and closed in reverse."""
    engine = build_engine(settings.database_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    bot = build_bot(settings, token)
    try:
        translations = load_translations()
        dispatcher = build_dispatcher(
            settings=settings,
            session_factory=build_session_factory(engine),
            storage=build_storage(redis),
            mailer=build_mailer(settings),
            translations=translations,
        )
        await set_commands(bot, translations)
        yield BotRuntime(bot=bot, dispatcher=dispatcher)
    finally:
        await bot.session.close()
        if redis is not None:
            await redis.aclose()
        await engine.dispose()


async def main(settings: Settings, token: str) -> None:
    async with bot_runtime(settings, token) as runtime:
        logger.info("polling %s for updates", settings.telegram_api_url)
        await runtime.dispatcher.start_polling(
            runtime.bot, allowed_updates=runtime.dispatcher.resolve_used_update_types()
        )
