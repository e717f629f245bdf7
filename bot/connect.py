"""Reaching Telegram: waiting for it with backoff at start and while polling, and noticing a
token it refuses.

`TelegramLink` is a request middleware on the bot's session. The requests a process needs to
start and to poll (getMe, setMyCommands, the webhook's, getUpdates) are repeated while Telegram
cannot be reached (network errors, timeouts, 5xx, an answer that is not the Bot API's), 1 s,
2 s, 4 s… apart up to a minute, with one warning per outage and one line when Telegram answers
again. A 401 on any request sets `refused`: the process then stops (see `reviewbot.runtime`).
"""

import asyncio
import logging
import time
from dataclasses import dataclass

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    DeleteWebhook,
    GetMe,
    GetUpdates,
    GetWebhookInfo,
    Response,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import User

logger = logging.getLogger(__name__)

# Safe to repeat, and needed to start (the webhook's too) or to keep polling.
START_METHODS = (GetMe, SetMyCommands, GetWebhookInfo, SetWebhook, DeleteWebhook)
WAITED_METHODS = (*START_METHODS, GetUpdates)
# What a network, a proxy or Telegram itself going away looks like.
UNREACHABLE = (TelegramNetworkError, TelegramServerError, ClientDecodeError, TimeoutError)
# getMe and setMyCommands answer at once; a silent network should not take a minute to notice.
START_REQUEST_TIMEOUT = 15.0
# While Telegram stays away, a reminder at this period (each retry is logged at DEBUG).
REMINDER_SECONDS = 600.0

REFUSED_AT_START = "Telegram refused BOT_TOKEN: check it with @BotFather"
REFUSED_WHILE_RUNNING = (
    "Telegram refused BOT_TOKEN while running (revoked in @BotFather?): stopped; pending "
    "deliveries are kept. Start again with a valid BOT_TOKEN"
)


@dataclass(frozen=True)
class Backoff:
    """1 s, 2 s, 4 s… after the 1st, 2nd, 3rd… failure in a row, capped at a minute."""

    first: float = 1.0
    cap: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2.0 ** max(0, failures - 1))


class TelegramRefusedError(Exception):
    """Telegram refuses to serve this bot (a revoked or wrong token): only an operator can fix
    it. `while_running`: it happened after the process had reached Telegram."""

    def __init__(self, message: str, *, while_running: bool = False) -> None:
        super().__init__(message)
        self.while_running = while_running


class TelegramLink(BaseRequestMiddleware):
    def __init__(self, api_url: str, backoff: Backoff | None = None) -> None:
        self.api_url = api_url
        self.backoff = backoff or Backoff()
        self.refused = asyncio.Event()
        self.connected = False  # getMe answered once
        self._down_since: float | None = None
        self._failures = 0
        self._next_reminder = 0.0

    def install(self, bot: Bot) -> "TelegramLink":
        bot.session.middleware(self)
        return self

    async def connect(self, bot: Bot) -> User:
        """Who the bot is, once Telegram answers; `TelegramRefusedError` if it refuses us."""
        try:
            me = await bot.me()  # cached: polling asks again
        except TelegramUnauthorizedError:
            raise TelegramRefusedError(REFUSED_AT_START) from None
        except TelegramAPIError as error:  # e.g. 404: the URL is not a Bot API server's
            raise TelegramRefusedError(
                f"Telegram at TELEGRAM_API_URL={self.api_url} answered getMe with "
                f"{error.message!r}: check TELEGRAM_API_URL and BOT_TOKEN"
            ) from None
        self.connected = True
        return me

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        while True:
            try:
                response = await self._request(make_request, bot, method)
            except TelegramUnauthorizedError:
                self.refused.set()
                if isinstance(method, GetUpdates):
                    # Not back to aiogram's polling loop, which would log and retry forever:
                    # the process stops polling as soon as it sees `refused`.
                    await asyncio.Event().wait()
                raise
            except TelegramRetryAfter as error:
                if not isinstance(method, WAITED_METHODS):
                    raise
                await asyncio.sleep(error.retry_after)
                continue
            except UNREACHABLE as error:
                if not isinstance(method, WAITED_METHODS) or isinstance(
                    error, TelegramEntityTooLarge
                ):
                    raise
                await asyncio.sleep(self._failed(describe(error, bot.token)))
                continue
            self._answered()
            return response

    async def _request(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        answers_at_once = isinstance(method, START_METHODS)  # not a long poll or upload
        async with asyncio.timeout(START_REQUEST_TIMEOUT if answers_at_once else None):
            return await make_request(bot, method)

    def _failed(self, reason: str) -> float:
        """Log the failure as it deserves; the delay before the next try."""
        now = time.monotonic()
        self._failures += 1
        delay = self.backoff.delay(self._failures)
        if self._down_since is None:
            self._down_since = now
            self._next_reminder = now + REMINDER_SECONDS
            logger.warning(
                "cannot reach Telegram at TELEGRAM_API_URL=%s: %s; trying again in %g s, "
                "then less and less often (up to every %g s)",
                self.api_url,
                reason,
                delay,
                self.backoff.cap,
            )
        elif now >= self._next_reminder:
            self._next_reminder = now + REMINDER_SECONDS
            logger.warning(
                "still cannot reach Telegram at %s after %s: %s",
                self.api_url,
                _duration(now - self._down_since),
                reason,
            )
        else:
            logger.debug("Telegram still unreachable (%s); next try in %g s", reason, delay)
        return delay

    def _answered(self) -> None:
        if self._down_since is not None:
            logger.info(
                "Telegram at %s answers again after %s",
                self.api_url,
                _duration(time.monotonic() - self._down_since),
            )
        self._down_since = None
        self._failures = 0


def describe(error: Exception, token: str) -> str:
    """The reason in a few words, without aiohttp's internals or the token (some errors quote
    the request's URL, which holds it)."""
    return _reason(error).replace(token, "<BOT_TOKEN>")


def _reason(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {START_REQUEST_TIMEOUT:g} s"
    if isinstance(error, ClientDecodeError):
        return "the answer is not the Bot API's JSON (is TELEGRAM_API_URL right?)"
    if isinstance(error, TelegramServerError):
        return f"the server answered {error.message!r}"
    if isinstance(error, TelegramNetworkError):
        cause = error.__cause__
        if isinstance(cause, TimeoutError):
            return "no answer (timeout)"
        return str(cause) if cause is not None and str(cause) else error.message
    return str(error)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
