"""Outer middlewares: a database session per update, the caller's account, their language;
and the inner one of the routers whose screens need a registered person.

What they put into handler data is typed in `bot.handler_data.UpdateData`."""

from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import BaseMiddleware, Router
from aiogram.enums import ChatType
from aiogram.types import Chat, ErrorEvent, TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware

from bot.handler_data import UpdateData
from core.i18n import pick_locale
from core.services.accounts import touch_account
from infra import log_context
from infra.database import (
    DatabaseUnavailableError,
    SessionFactory,
    database_answers,
    is_outage,
)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LogContextMiddleware(BaseMiddleware):
    """The update's id and the Telegram user's on every log line of its handling (registered
    on errors too: aiogram runs error handlers outside the update's middlewares)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update = event.update if isinstance(event, ErrorEvent) else event
        user: User | None = data.get("event_from_user")
        with log_context.bound(
            update_id=update.update_id if isinstance(update, Update) else None,
            user_id=user.id if user is not None else None,
        ):
            return await handler(event, data)


class DbSessionMiddleware(BaseMiddleware):
    """Opens one session per update as `session`; services commit their own use case.

    An update that fails because the database is out of reach (checked: it does not answer
    now) raises `DatabaseUnavailableError`, which the error handler explains."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            async with self._session_factory() as session:
                cast(UpdateData, data)["session"] = session
                return await handler(event, data)
        except Exception as error:
            if is_outage(error) and not await database_answers(self._session_factory):
                raise DatabaseUnavailableError from error
            raise


class AccountMiddleware(BaseMiddleware):
    """Puts the caller's `AccountView` into handler data as `account`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is not None:
            update_data = cast(UpdateData, data)
            update_data["account"] = await touch_account(
                update_data["session"],
                telegram_id=user.id,
                # Results go to this chat: only ever a private one (the user's id is its id).
                chat_id=chat.id if chat is not None and chat.type == ChatType.PRIVATE else user.id,
                language_code=user.language_code,
            )
        return await handler(event, data)


class LanguageMiddleware(I18nMiddleware):
    """`ru*` gives Russian, anything else English (PRODUCT.md §3)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        return pick_locale(user.language_code if user is not None else None)


class RegisteredOnly(BaseMiddleware):
    """Inner middleware of a router whose every handler is for a registered person: puts their
    `user_id` into handler data. Anyone else gets `NotRegisteredError`, which the error handler
    answers ("You need an account first…"), for a message as for a button.

    Inner, so it runs only once a handler's filters matched: an update no handler of the
    router takes goes on to the next router, exactly as before, and what an unregistered person
    sees is what they saw when each handler asked `account.require_user_id()` first."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_data = cast(UpdateData, data)
        update_data["user_id"] = update_data["account"].require_user_id()
        return await handler(event, data)


def registered_only(router: Router) -> Router:
    """The router's messages and button presses reach its handlers only from a registered
    person, with `user_id` (see `RegisteredOnly`)."""
    router.message.middleware(RegisteredOnly())
    router.callback_query.middleware(RegisteredOnly())
    return router
