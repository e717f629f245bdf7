"""How the Telegram side of a process talks to Telegram: long polling or the webhook for `run`
and `bot`, and only result sends for `worker`. Each is a task the supervisor runs and stops."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from aiogram import Bot
from aiohttp import web

from bot.app import Catalogues, set_commands, set_menu_button
from bot.connect import TelegramLink
from bot.observe import TelegramErrorCounter
from core.config import Settings
from core.report_links import link_key
from reviewbot.supervisor import cancel
from reviewbot.web import serving
from reviewbot.webhook import Webhook, leave_webhook, webhook_app
from webapp.build import build_webapp
from webapp.deps import WebappDeps

if TYPE_CHECKING:
    from reviewbot.runtime import BotRuntime, Resources

logger = logging.getLogger(__name__)


def connect_bot(settings: Settings, bot: Bot) -> TelegramLink:
    """The bot's requests wait for Telegram (`TelegramLink`); each failed one is counted."""
    link = TelegramLink(settings.telegram_api_url).install(bot)
    bot.session.middleware(TelegramErrorCounter())  # inner: sees every try
    return link


@asynccontextmanager
async def telegram_side(
    runtime: "BotRuntime", link: TelegramLink, resources: "Resources"
) -> AsyncIterator["Polling | Webhook"]:
    """Long polling, or with WEBHOOK_URL the webhook, listening from here on (a port that
    cannot be bound stops the process at once: `CannotListenError`)."""
    settings = resources.settings
    if not settings.webhook_url and not settings.webapp_url:
        yield Polling(runtime, link, resources)
        return
    served = []
    if settings.webhook_url:
        app = webhook_app(settings, runtime.dispatcher, runtime.bot)
        served.append(f"the webhook at {settings.webhook_path}")
    else:
        app = web.Application()
    if settings.webapp_url:
        build_webapp(webapp_deps(runtime, resources)).install(app)
        served.append(f"the Mini App at {settings.webapp_path}/")
    what = " and ".join(served) + " (WEBHOOK_HOST, WEBHOOK_PORT)"
    async with serving(app, settings.webhook_host, settings.webhook_port, what) as address:
        if settings.webhook_url:
            logger.info("webhook served at %s%s", address, settings.webhook_path)
        if settings.webapp_url:
            logger.info(
                "Mini App served at %s%s/ (public address %s)",
                address,
                settings.webapp_path,
                settings.webapp_url,
            )
        if not settings.webhook_url:
            yield Polling(runtime, link, resources)
            return
        announce_mail(settings)
        yield Webhook(runtime.bot, runtime.dispatcher, link, settings, resources.translations)


def webapp_deps(runtime: "BotRuntime", resources: "Resources") -> WebappDeps:
    """The Mini App shares the bot's parts: its token, ruff runner, fix gate and rule texts."""
    workflow = runtime.dispatcher.workflow_data
    settings = resources.settings
    return WebappDeps(
        settings=settings,
        session_factory=resources.session_factory,
        bot_token=runtime.bot.token,
        link_key=link_key(settings.report_link_secret.get_secret_value(), runtime.bot.token),
        translations=resources.translations,
        i18n=Catalogues(resources.translations),
        wakeup=resources.wakeup,
        clock=resources.clock,
        ruff_runner=workflow["ruff_runner"],
        fixer=workflow["fixer"],
        fix_gate=workflow["fix_gate"],
        rule_catalog=workflow["rule_catalog"],
    )


class Polling:
    """The Telegram side of `run` and `bot`: wait for Telegram, set the command menu, say
    how to reach the bot, then poll."""

    def __init__(self, runtime: "BotRuntime", link: TelegramLink, resources: "Resources") -> None:
        self._runtime = runtime
        self._link = link
        self._resources = resources
        self._polling = False

    async def run(self) -> None:
        bot, dispatcher = self._runtime.bot, self._runtime.dispatcher
        me = await self._link.connect(bot)
        await set_commands(bot, self._resources.translations, self._resources.settings.admin_ids)
        await set_menu_button(bot, self._resources.settings.webapp_url)
        logger.info(
            "reviewbot is running as @%s — open https://t.me/%s and send /start",
            me.username,
            me.username,
        )
        announce_mail(self._resources.settings)
        await leave_webhook(bot)
        self._polling = True
        await dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=False,  # the supervisor handles them, from the first moment
            close_bot_session=False,  # open_bot closes it
        )

    async def stop(self, task: "asyncio.Task[None]") -> None:
        if not self._polling:
            await cancel(task)  # still waiting for Telegram
            return
        await self._runtime.dispatcher.stop_polling()
        await asyncio.wait([task])


class ResultChannel:
    """The Telegram side of `worker`: check the token once Telegram answers (the scheduler
    runs meanwhile), then nothing more: deliveries use the bot as they come."""

    def __init__(self, bot: Bot, link: TelegramLink) -> None:
        self._bot = bot
        self._link = link

    async def run(self) -> None:
        me = await self._link.connect(self._bot)
        logger.info("results are sent to Telegram chats as @%s", me.username)
        await asyncio.Event().wait()  # until stopped

    async def stop(self, task: "asyncio.Task[None]") -> None:
        await cancel(task)


def announce_mail(settings: Settings) -> None:
    if not settings.smtp_host:
        logger.info(
            "SMTP_HOST is empty: mail is written to %s instead of being sent",
            settings.mail_dir.resolve(),
        )
