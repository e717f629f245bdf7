"""A review notice on its way: how it is sent. Implemented by the senders
(`bot.review_notify` for Telegram, `infra.mail.notices` for email), used by the review job
(checks/review_job.py). A send fails as a result's does (`core.delivery.DeliveryError`,
`ChannelUnavailable`)."""

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from core.services.notices import Notice

# Sends one notice; returns once the server accepted it, with the Telegram message's id (None
# for an email): a reviewer replies to that message to comment.
NoticeSend = Callable[[Notice], Awaitable[int | None]]


class NoticeSender(Protocol):
    def opened(self) -> AbstractAsyncContextManager[NoticeSend]:
        """A way to send a run of notices, holding what it needs until the block ends (see
        `core.delivery.ResultSender.opened`)."""
