"""A result on its way to one person: where it goes, how it is sent, and how a send fails.
Implemented by the senders (`bot.notify` for Telegram, `infra.mail.results` for email), used
by the delivery job (checks/delivery_job.py)."""

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.models import DeliveryChannel
from core.services.reports import CheckReport


@dataclass(frozen=True)
class DeliveryTarget:
    delivery_id: int
    channel: DeliveryChannel
    report: CheckReport
    email: str
    chat_id: int | None
    locale: str
    # What a signed link to the report is made of (core/report_links.py): the file's owner and
    # when the check started.
    owner_id: int
    check_started_at: datetime


# Sends one result; returns once the server accepted it (see `ResultSender`).
Send = Callable[[DeliveryTarget], Awaitable[None]]


class DeliveryError(Exception):
    """Sending failed. `permanent`: do not try again; `retry_after`: a wait that is not the
    recipient's fault (the server's own, or the server out of reach), not counted as a try;
    `may_give_up` False: counted for the backoff, but never the last try (a mail server out of
    reach: an outage of a day must not fail every email written meanwhile)."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        may_give_up: bool = True,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.may_give_up = may_give_up


class ChannelUnavailable(Exception):  # noqa: N818 - a state, not an error of the delivery
    """The channel refuses to send anything at all (Telegram refused the bot token): nothing is
    recorded against the delivery, which is released as it was for a process that can send."""


class ResultSender(Protocol):
    def opened(self) -> AbstractAsyncContextManager[Send]:
        """A way to send a run of results, holding what it needs (e.g. SMTP connections) until
        the block ends. A send returns once the server accepted the result; it raises
        DeliveryError otherwise, or ChannelUnavailable when the channel cannot send anything
        at all (opening may raise it too: then the lane claims nothing this run)."""
