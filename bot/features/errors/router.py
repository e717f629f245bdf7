"""One place that turns errors into replies: domain errors explained, outages of the database
or the FSM storage told as such, bugs logged."""

import html
import logging
import re

from aiogram import F, Router
from aiogram.exceptions import TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message
from redis.exceptions import RedisError

from bot.filters import NOT_COMMAND
from bot.outage import UNKNOWN_STATE
from bot.screens import CALLBACK_TEXT_LIMIT
from bot.shared import error_texts, team_error_texts
from bot.shared import texts as shared_texts
from core.errors import DomainError, FileNotFoundForUserError
from core.team_errors import (
    CommentNotFoundError,
    OwnSubmissionError,
    SubmissionNotFoundError,
    SubmissionStatusError,
)
from infra.database import DatabaseUnavailableError

logger = logging.getLogger(__name__)

# Answered on the pressed button as a short alert, the screen left as it is: a file, check or
# submission that is not the presser's (the same as one that does not exist), and a review
# step the submission no longer allows. Anything longer goes into the chat.
ALERTS = (
    FileNotFoundForUserError,
    SubmissionNotFoundError,
    CommentNotFoundError,
    SubmissionStatusError,
    OwnSubmissionError,
)


async def on_domain_error(event: ErrorEvent) -> None:
    assert isinstance(event.exception, DomainError)  # guaranteed by the filter
    await _reply(event, error_texts.error_text(event.exception), event.exception)


async def on_database_unavailable(event: ErrorEvent) -> None:
    cause = event.exception.__cause__
    logger.warning(
        "update %s not handled: the database is out of reach (%s)", event.update.update_id, cause
    )
    await _reply(event, error_texts.database_unavailable(), event.exception)


async def on_state_storage_error(event: ErrorEvent) -> None:
    logger.warning(
        "update %s not handled: the FSM storage is out of reach (%s)",
        event.update.update_id,
        event.exception,
    )
    await _reply(event, error_texts.conversation_unavailable(), event.exception)


async def on_telegram_retry_after(event: ErrorEvent) -> None:
    """Telegram asked for a wait longer than a reply waits out (`bot.retry_after`): whatever
    the update did is done, only its reply is lost. Saying "something went wrong" would be
    false, and Telegram would refuse it too; so nothing is sent."""
    logger.warning(
        "update %s: its reply was refused with a %s s wait (%s)",
        event.update.update_id,
        getattr(event.exception, "retry_after", "?"),
        event.exception,
    )


async def on_message_in_unknown_state(message: Message) -> None:
    """A message (not a command, not a document) while no one knows where its sender was in
    a dialogue: it may have been a code or an address, so say to start again."""
    await message.answer(error_texts.conversation_unavailable())


async def on_unexpected_error(event: ErrorEvent) -> None:
    logger.error("update %s failed", event.update.update_id, exc_info=event.exception)
    await _reply(event, shared_texts.something_went_wrong(), event.exception)


async def _reply(event: ErrorEvent, text: str, exception: Exception) -> None:
    update = event.update
    if update.callback_query is not None:
        callback = update.callback_query
        if isinstance(exception, (*ALERTS, *team_error_texts.ALERTS)) or callback.message is None:
            await callback.answer(_plain(text), show_alert=True)
            return
        await callback.answer()
        await callback.message.answer(text)
    elif update.message is not None:
        await update.message.answer(text)


def _plain(text: str) -> str:
    """Callback alerts take no HTML and at most 200 characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))[:CALLBACK_TEXT_LIMIT]


def build_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    router.errors.register(on_database_unavailable, ExceptionTypeFilter(DatabaseUnavailableError))
    router.errors.register(on_state_storage_error, ExceptionTypeFilter(RedisError))
    router.errors.register(on_telegram_retry_after, ExceptionTypeFilter(TelegramRetryAfter))
    router.message.register(on_message_in_unknown_state, UNKNOWN_STATE, ~F.document, NOT_COMMAND)
    router.errors.register(on_unexpected_error)
    return router
