"""The Telegram side in the metrics: failed Bot API requests by kind, and updates by type."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from infra import metrics

# The most specific first: TelegramEntityTooLarge is a TelegramNetworkError.
ERROR_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "retry_after"),
    (TelegramUnauthorizedError, "unauthorized"),
    (TelegramForbiddenError, "forbidden"),
    (TelegramEntityTooLarge, "too_large"),
    (TelegramBadRequest, "bad_request"),
    (TelegramNotFound, "not_found"),
    (TelegramConflictError, "conflict"),
    (TelegramServerError, "server"),
    (TelegramNetworkError, "network"),
    (ClientDecodeError, "decode"),
    (TimeoutError, "timeout"),
    (TelegramAPIError, "other"),
)


def error_kind(error: Exception) -> str | None:
    for error_type, kind in ERROR_KINDS:
        if isinstance(error, error_type):
            return kind
    return None


class TelegramErrorCounter(BaseRequestMiddleware):
    """Counts every failed request, retries included (install it after `TelegramLink`, so
    that it is the inner one)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except Exception as error:
            kind = error_kind(error)
            if kind is not None:
                metrics.TELEGRAM_ERRORS.labels(kind, method.__api_method__).inc()
            raise


class UpdateCounter(BaseMiddleware):
    """The outermost update middleware: counts each update once it was handled."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            if isinstance(event, Update):
                metrics.UPDATES.labels(event.event_type).inc()
