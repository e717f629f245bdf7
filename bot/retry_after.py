"""Waiting out Telegram's 429 on every request the bot makes, in one place.

`RetryAfterMiddleware` is a request middleware on the bot's session: when Telegram answers a
request with 429 "Too Many Requests: retry after N", it waits the N seconds and makes the same
request once more, so a reply or an edit that was only delayed is never reported as a failure.

- A wait longer than `max_wait` (setting `TELEGRAM_RETRY_AFTER_MAX_SECONDS`) is not waited out
  inside a handler: the 429 goes on to the caller.
- A callback query's answer must reach Telegram while the query lives (about 15 s after the
  press): it is waited for only up to `CALLBACK_ANSWER_MAX_WAIT`. Past that, or when the second
  try is refused too, the answer is dropped (the spinner ends by itself) and the handler goes
  on as if it had been given, instead of failing over an answer that only closes a spinner.
- Result deliveries schedule their own retries (the outbox's `next_attempt_at`, and the pacer
  holds every chat meanwhile): `TelegramResultSender` sends inside `caller_retries()`, and the
  429 reaches it at once.
- `getUpdates` is left alone: aiogram's polling loop and `TelegramLink` have their own backoff.
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

logger = logging.getLogger(__name__)

# Telegram keeps a query answerable about 15 s after the press; the handler has used some.
CALLBACK_ANSWER_MAX_WAIT = 5.0

_caller_retries: ContextVar[bool] = ContextVar("caller_retries", default=False)


@contextmanager
def caller_retries() -> Iterator[None]:
    """Requests made inside get Telegram's 429 at once: the caller schedules its own retry."""
    token = _caller_retries.set(True)
    try:
        yield
    finally:
        _caller_retries.reset(token)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates) or _caller_retries.get():
            return await make_request(bot, method)
        is_answer = isinstance(method, AnswerCallbackQuery)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as error:
            bound = CALLBACK_ANSWER_MAX_WAIT if is_answer else self.max_wait
            if error.retry_after > bound:
                if is_answer:
                    return _dropped_answer(error)
                raise
            logger.info(
                "Telegram asked to wait %s s before %s: waiting, then trying once more",
                error.retry_after,
                type(method).__name__,
            )
            await asyncio.sleep(error.retry_after)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as error:
            if is_answer:
                return _dropped_answer(error)
            raise


def _dropped_answer(error: TelegramRetryAfter) -> Response[TelegramType]:
    logger.warning(
        "callback query answered by nobody: Telegram asked to wait %s s, longer than the "
        "query lives; the person's spinner ends by itself",
        error.retry_after,
    )
    return cast(Response[TelegramType], Response[bool](ok=True, result=True))
