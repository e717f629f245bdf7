"""Wiring of the Telegram side: bot, dispatcher, middlewares, routers, commands."""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from gettext import GNUTranslations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from aiogram.utils.i18n import I18n
from babel.support import Translations
from redis.asyncio import Redis

from bot.features.admin import texts as admin_texts
from bot.features.auth.codes import CodeSending
from bot.features.help import texts as help_texts
from bot.handler_data import WorkflowData
from bot.in_flight import UpdatesInFlight
from bot.middlewares import (
    AccountMiddleware,
    DbSessionMiddleware,
    LanguageMiddleware,
    LogContextMiddleware,
)
from bot.observe import UpdateCounter
from bot.outage import ResilientStorage
from bot.private_chats import PrivateChatsOnlyMiddleware
from bot.retry_after import RetryAfterMiddleware
from bot.routers import build_routers
from bot.session import BotApiSession
from bot.throttling import ThrottlingMiddleware, build_rate_limits
from core.clock import Clock
from core.config import Settings
from core.i18n import DEFAULT_LOCALE, LOCALES_DIR
from core.ports import Mailer, RuleCatalog, Wakeup
from core.services.fixes import Fixer, FixGate
from core.services.gate import GateChecker
from infra.database import SessionFactory
from infra.mail.emails import EmailTemplates
from infra.ruff.runner import RuffRunner

logger = logging.getLogger(__name__)

# The chat menu button's label. One default button serves every private chat, and Telegram has
# no per-language variant of it (unlike the command menu), so it is in the bot's default
# language.
MENU_BUTTON_TEXT = "Open"


class Catalogues(I18n):
    """aiogram's I18n fed from catalogues loaded once by `core.i18n.load_translations`."""

    def __init__(self, translations: dict[str, Translations]) -> None:
        self._translations = translations
        super().__init__(path=LOCALES_DIR, default_locale=DEFAULT_LOCALE)

    def find_locales(self) -> dict[str, GNUTranslations]:
        return dict(self._translations.items())

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # `gettext` looks the instance up on I18n's own context variable, not the subclass's.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)


def build_bot(settings: Settings, token: str) -> Bot:
    session = BotApiSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(RetryAfterMiddleware(settings.telegram_retry_after_max_seconds))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


class SharedRedisStorage(RedisStorage):
    """FSM storage on a Redis client the process shares (wake-ups use it too): closing the
    dispatcher's storage when polling stops must not close the client under the worker of
    `reviewbot run`. The client's owner (`open_resources`) closes it."""

    async def close(self) -> None:
        return None


def build_storage(redis: Redis | None, ttl: timedelta | None = None) -> BaseStorage:
    """In memory, or on Redis wrapped so that the bot keeps answering while Redis is away. On
    Redis, a conversation's state and data expire `ttl` after they were last written (a
    dialogue left half-way does not stay forever)."""
    if redis is None:
        return MemoryStorage()
    return ResilientStorage(SharedRedisStorage(redis, state_ttl=ttl, data_ttl=ttl))


def build_dispatcher(
    *,
    settings: Settings,
    session_factory: SessionFactory,
    storage: BaseStorage,
    redis: Redis | None,
    mailer: Mailer,
    email_templates: EmailTemplates,
    translations: dict[str, Translations],
    wakeup: Wakeup,
    clock: Clock,
    ruff_runner: RuffRunner,
    fixer: Fixer,
    gate_checker: GateChecker,
    rule_catalog: RuleCatalog,
    in_flight: UpdatesInFlight,
) -> Dispatcher:
    """The dispatcher with its middlewares and routers; the implementations it hands to the
    handlers (mailer, wake-up, ruff runner, fixer, gate checker, rule catalogue) are picked by
    the caller,
    `reviewbot.runtime`."""
    workflow: WorkflowData = {
        "ruff_runner": ruff_runner,  # validates people's own configurations
        "fixer": fixer,  # autofix previews
        "fix_gate": FixGate(settings.fix_runs_per_process),  # one per person, a few at once
        "gate_checker": gate_checker,  # a team's gate, when a file is sent for review
        "settings": settings,
        "mailer": mailer,
        "email_templates": email_templates,
        "codes": CodeSending(mailer, email_templates, clock, settings),
        "wakeup": wakeup,
        "clock": clock,
        "rule_catalog": rule_catalog,  # ruff's rule texts
    }
    dispatcher = Dispatcher(storage=storage, **workflow)
    dispatcher.update.outer_middleware(in_flight)  # outermost: a stop waits for these
    dispatcher.update.outer_middleware(UpdateCounter())  # sees every update
    dispatcher.update.outer_middleware(LogContextMiddleware())
    dispatcher.errors.outer_middleware(LogContextMiddleware())
    language = LanguageMiddleware(Catalogues(translations))
    dispatcher.update.outer_middleware(language)
    dispatcher.errors.outer_middleware(language)  # error handlers run outside the update's
    # Over a person's limits an update stops here, before it opens a database session.
    dispatcher.update.outer_middleware(ThrottlingMiddleware(build_rate_limits(settings, redis)))
    # A group chat gets one line and nothing else: before any session or account is touched.
    dispatcher.update.outer_middleware(PrivateChatsOnlyMiddleware())
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(AccountMiddleware())
    dispatcher.include_routers(*build_routers())
    return dispatcher


async def set_commands(
    bot: Bot, translations: dict[str, Translations], admin_ids: Sequence[int] = ()
) -> None:
    """The command menu, in every language we speak; each admin's chat also gets /stats."""
    i18n = Catalogues(translations)
    menus: dict[str | None, tuple[list[BotCommand], list[BotCommand]]] = {}
    for locale in i18n.available_locales:
        with i18n.context(), i18n.use_locale(locale):
            ordinary = help_texts.command_descriptions()
            admin = {**ordinary, **admin_texts.admin_command_descriptions()}
        language_code = None if locale == DEFAULT_LOCALE else locale
        menus[language_code] = (_bot_commands(ordinary), _bot_commands(admin))
    for language_code, (ordinary_menu, _admin_menu) in menus.items():
        await bot.set_my_commands(
            ordinary_menu, scope=BotCommandScopeDefault(), language_code=language_code
        )
    for admin_id in admin_ids:
        try:
            for language_code, (_ordinary_menu, admin_menu) in menus.items():
                await bot.set_my_commands(
                    admin_menu,
                    scope=BotCommandScopeChat(chat_id=admin_id),
                    language_code=language_code,
                )
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            # Telegram knows only chats that were opened: "chat not found" until then.
            logger.warning(
                "no /stats in the menu of admin %s (%s): they have to open the bot first; "
                "the menu is set at the next start, and /stats works typed meanwhile",
                admin_id,
                error.message,
            )


def _bot_commands(descriptions: dict[str, str]) -> list[BotCommand]:
    return [BotCommand(command=name, description=text) for name, text in descriptions.items()]


async def set_menu_button(bot: Bot, webapp_url: str) -> None:
    """The chat menu button of every private chat (the default, not one chat's): the Mini App
    with WEBAPP_URL set. Without it, a Mini App button an earlier deployment left is put back
    to Telegram's default (the command menu); otherwise nothing is changed."""
    if webapp_url:
        button = MenuButtonWebApp(text=MENU_BUTTON_TEXT, web_app=WebAppInfo(url=webapp_url + "/"))
        await bot.set_chat_menu_button(menu_button=button)
        return
    current = await bot.get_chat_menu_button()
    if isinstance(current, MenuButtonWebApp):
        await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
        logger.info(
            "the chat menu button opened the Mini App at %s; WEBAPP_URL is not set, so it "
            "is the command menu again",
            current.web_app.url,
        )
