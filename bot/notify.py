"""Sending a check's result into the person's chat (the Telegram side of the outbox), paced
within Telegram's limits."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.utils.i18n import I18n

from bot.connect import describe
from bot.features.reports import texts as report_texts
from bot.features.reports.keyboards import build_result_kb
from bot.retry_after import caller_retries
from core.delivery import ChannelUnavailable, DeliveryError, DeliveryTarget, Send
from core.i18n import pick_locale
from infra.pacing import Pacer

# While Telegram cannot be reached a result waits, trying again this often; an outage is not the
# recipient's fault, so it never makes a delivery fail however long it lasts.
UNREACHABLE_RETRY_SECONDS = 30.0


class TelegramResultSender:
    def __init__(
        self, bot: Bot, i18n: I18n, pacer: Pacer | None = None, *, webapp_url: str = ""
    ) -> None:
        self._bot = bot
        self._i18n = i18n
        self._pacer = pacer or Pacer()
        self._webapp_url = webapp_url  # WEBAPP_URL: "🌐 Open" under each result ("": none)

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Send]:
        """Nothing to open: the bot's own HTTP session is reused."""
        yield self.send

    async def send(self, target: DeliveryTarget) -> None:
        assert target.chat_id is not None  # the delivery job fails chat-less targets itself
        with self._i18n.context(), self._i18n.use_locale(pick_locale(target.locale)):
            text = report_texts.check_result_message(target.report)
            keyboard = build_result_kb(target.report.check_id, self._webapp_url)
        with telegram_delivery_errors(self._bot, self._pacer):
            # A 429 comes straight here: the outbox schedules the retry and the pacer holds.
            async with self._pacer.sending(target.chat_id):
                with caller_retries():
                    await self._bot.send_message(target.chat_id, text, reply_markup=keyboard)


@contextmanager
def telegram_delivery_errors(bot: Bot, pacer: Pacer) -> Iterator[None]:
    """What a failed send of an outbox's message means (a result, a review notice): raised as
    `DeliveryError` (or `ChannelUnavailable`) for the job to record."""
    try:
        yield
    except TelegramRetryAfter as error:
        pacer.hold(error.retry_after)  # Telegram's wait holds every chat, not just this one
        raise DeliveryError(error.message, retry_after=error.retry_after) from error
    except TelegramUnauthorizedError as error:  # the token was revoked: nothing can be sent
        raise ChannelUnavailable(error.message) from error
    except TelegramForbiddenError as error:  # blocked by the user, or the chat is gone
        raise DeliveryError(error.message, permanent=True) from error
    except TelegramBadRequest as error:  # e.g. chat not found: trying again will not help
        raise DeliveryError(error.message, permanent=True) from error
    except TelegramEntityTooLarge as error:
        raise DeliveryError(error.message, permanent=True) from error
    except TelegramNetworkError as error:
        raise DeliveryError(
            f"Telegram cannot be reached: {describe(error, bot.token)}",
            retry_after=UNREACHABLE_RETRY_SECONDS,
        ) from error
    except TelegramServerError as error:
        raise DeliveryError(str(error)) from error
