"""Webhook mode (WEBHOOK_URL set): the aiohttp app Telegram posts updates to, and the Telegram
side of `run` and `bot` that registers it. Without WEBHOOK_URL the bot polls, and removes a
webhook left from an earlier deployment (`leave_webhook`)."""

import asyncio
import logging
import secrets

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from babel.support import Translations

from bot.app import set_commands, set_menu_button
from bot.connect import TelegramLink, TelegramRefusedError
from core.config import Settings
from reviewbot.supervisor import cancel

logger = logging.getLogger(__name__)


class SecretCheckingHandler(SimpleRequestHandler):
    """aiogram's handler, comparing the secret header as bytes: a header that is not ASCII
    is a wrong secret (401), not an error (aiogram's str comparison raises TypeError: 500)."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        if not self.secret_token:
            return True
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return secrets.compare_digest(given, self.secret_token.encode())


def webhook_app(settings: Settings, dispatcher: Dispatcher, bot: Bot) -> web.Application:
    """The webhook at WEBHOOK_URL's path. An update is answered 200 only once it was handled
    (not in the background), so an update a replica acknowledged is never lost; a request
    without the secret gets 401 and changes nothing. Shutting down leaves the webhook set."""
    handler = SecretCheckingHandler(
        dispatcher,
        bot,
        handle_in_background=False,
        secret_token=settings.webhook_secret.get_secret_value(),
    )
    app = web.Application()
    # Not `handler.register`: its shutdown hook closes the bot's session, which the worker of
    # `reviewbot run` still uses to send results; `open_bot` closes it last.
    app.router.add_post(settings.webhook_path, handler.handle)
    setup_application(app, dispatcher, bot=bot)
    return app


class Webhook:
    """The Telegram side of `run` and `bot` in webhook mode (the webhook is served already,
    see `reviewbot.telegram_side.telegram_side`): wait for Telegram, set the command menu, register
    the webhook, then serve until stopped. The webhook stays registered when the process
    stops: updates wait at Telegram meanwhile."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        link: TelegramLink,
        settings: Settings,
        translations: dict[str, Translations],
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._link = link
        self._settings = settings
        self._translations = translations

    async def run(self) -> None:
        bot, settings = self._bot, self._settings
        me = await self._link.connect(bot)
        await set_commands(bot, self._translations, settings.admin_ids)
        await set_menu_button(bot, settings.webapp_url)
        try:
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                drop_pending_updates=False,
                allowed_updates=self._dispatcher.resolve_used_update_types(),
            )
        except TelegramBadRequest as error:
            raise TelegramRefusedError(
                f"Telegram refused WEBHOOK_URL={settings.webhook_url}: {error.message}"
            ) from None
        logger.info(
            "reviewbot is running as @%s, updates arrive at %s — open https://t.me/%s and "
            "send /start",
            me.username,
            settings.webhook_url,
            me.username,
        )
        await asyncio.Event().wait()  # until stopped; requests are served meanwhile

    async def stop(self, task: "asyncio.Task[None]") -> None:
        await cancel(task)  # no deleteWebhook: a restart loses no update


async def leave_webhook(bot: Bot) -> None:
    """Telegram refuses getUpdates while a webhook is set: polling removes one left by an
    earlier webhook deployment, keeping the updates that wait."""
    info = await bot.get_webhook_info()
    if info.url:
        await bot.delete_webhook(drop_pending_updates=False)
        logger.warning(
            "the webhook %s was removed: WEBHOOK_URL is empty, so the bot polls", info.url
        )
