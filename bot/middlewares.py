"""Outer middlewares: a database session per update, the caller's account, their language."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, ErrorEvent, TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware

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
                data["session"] = session
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
            data["account"] = await touch_account(
                data["session"],
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
