"""One place that turns errors into replies: domain errors explained, bugs logged."""

import html
import logging
import re

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot import error_texts, texts
from core.errors import DomainError, FileNotFoundForUserError

logger = logging.getLogger(__name__)


async def on_domain_error(event: ErrorEvent) -> None:
    assert isinstance(event.exception, DomainError)  # guaranteed by the filter
    await _reply(event, error_texts.error_text(event.exception), event.exception)


async def on_unexpected_error(event: ErrorEvent) -> None:
    logger.error("update %s failed", event.update.update_id, exc_info=event.exception)
    await _reply(event, texts.something_went_wrong(), event.exception)


async def _reply(event: ErrorEvent, text: str, exception: Exception) -> None:
    update = event.update
    if update.callback_query is not None:
        # A missing file is a short alert on the button; anything longer goes into the chat.
        callback = update.callback_query
        if isinstance(exception, FileNotFoundForUserError) or callback.message is None:
            await callback.answer(_plain(text), show_alert=True)
            return
        await callback.answer()
        await callback.message.answer(text)
    elif update.message is not None:
        await update.message.answer(text)


def _plain(text: str) -> str:
    """Callback alerts take no HTML and at most 200 characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))[:200]


def build_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    router.errors.register(on_unexpected_error)
    return router
