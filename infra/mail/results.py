"""Sending a check's result by email, and what the SMTP server's refusals mean for it.

A temporary refusal (4xx, the server out of reach) is tried again with the outbox's backoff; a
refusal of this recipient or message (5xx at RCPT or DATA) fails the delivery with the server's
reason. A refusal of the bot itself (a wrong login, 530, see infra/mail/smtp_replies.py) is the
operator's to fix: the email lane stops for this run and its deliveries are given back untouched
(`ChannelUnavailable`), as when Telegram refuses the bot token; `MailOutage` says so once.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.delivery import ChannelUnavailable, DeliveryError, DeliveryTarget, Send
from core.i18n import pick_locale
from core.ports import Mailer, MailFailure, MailSendError
from core.report_links import link_key, read_link, sign_link
from infra import metrics
from infra.mail.emails import EmailTemplates, ReportLink

logger = logging.getLogger(__name__)

# What the operator should look at, by kind of refusal.
_SETTINGS_TO_CHECK = {
    MailFailure.AUTHENTICATION: "SMTP_USERNAME and SMTP_PASSWORD",
    MailFailure.POLICY: "SMTP_SECURITY, SMTP_FROM and the mail server's rules for this sender",
}


@dataclass
class MailOutage:
    """The SMTP server refusing the bot itself. Logged as one error when it begins (and when its
    kind changes), counted in reviewbot_mail_outages, and one line when mail is accepted again.
    Meanwhile the server is asked again after `first_pause`, doubling up to `max_pause`, so that
    a wrong password is not tried every few seconds (which gets a sender banned)."""

    first_pause: float = 60.0
    max_pause: float = 900.0
    clock: Callable[[], float] = time.monotonic
    kind: MailFailure | None = field(default=None, init=False)
    _reason: str = field(default="", init=False)
    _began: float = field(default=0.0, init=False)
    _pause: float = field(default=0.0, init=False)
    _next_try: float = field(default=0.0, init=False)

    def check(self) -> None:
        """Raise ChannelUnavailable while the server is not to be asked again yet."""
        if self.kind is not None and self.clock() < self._next_try:
            raise ChannelUnavailable(self._reason)

    def refused(self, error: MailSendError) -> ChannelUnavailable:
        now = self.clock()
        if self.kind is not error.kind:
            if self.kind is None:
                self._began, self._pause = now, self.first_pause
            metrics.MAIL_OUTAGES.labels(error.kind.value).inc()
            logger.error(
                "the mail server refuses the bot (%s): %s. Emails wait, pending and untouched, "
                "until this is fixed: check %s (a changed setting needs a restart)",
                error.kind,
                error.reason,
                _SETTINGS_TO_CHECK.get(error.kind, "the SMTP settings"),
            )
        elif now >= self._next_try:  # asked again after a pause, and refused again
            self._pause = min(self.max_pause, max(self._pause * 2, self.first_pause))
        self.kind, self._reason = error.kind, error.reason
        self._next_try = max(self._next_try, now + self._pause)
        return ChannelUnavailable(error.reason)

    def accepted(self) -> None:
        if self.kind is not None:
            logger.info(
                "the mail server accepts mail again (refused as %s for %.0f s)",
                self.kind,
                self.clock() - self._began,
            )
            self.kind = None
            self._next_try = 0.0


@dataclass(frozen=True)
class ReportLinks:
    """Signed "open in browser" links (core/report_links.py) put in result emails:
    `WEBAPP_URL/r/<token>`, valid `days` days from the moment the email is written."""

    webapp_url: str
    key: bytes
    days: int
    clock: Clock = SYSTEM_CLOCK

    @classmethod
    def from_settings(
        cls, settings: Settings, bot_token: str, clock: Clock = SYSTEM_CLOCK
    ) -> "ReportLinks | None":
        """The links WEBAPP_URL, REPORT_LINK_DAYS and REPORT_LINK_SECRET (else a key derived
        from the bot token) make; None without WEBAPP_URL (no link in the emails)."""
        if not settings.webapp_url:
            return None
        key = link_key(settings.report_link_secret.get_secret_value(), bot_token)
        return cls(settings.webapp_url, key, settings.report_link_days, clock)

    def link(self, target: DeliveryTarget) -> ReportLink:
        token = sign_link(
            self.key,
            check_id=target.report.check_id,
            owner_id=target.owner_id,
            started=target.check_started_at,
            now=self.clock.now(),
            days=self.days,
        )
        claim = read_link(token)
        assert claim is not None  # a token just signed reads back
        expires = datetime.fromtimestamp(claim.expires, UTC)
        return ReportLink(url=f"{self.webapp_url}/r/{token}", expires=expires)


class EmailResultSender:
    def __init__(
        self,
        mailer: Mailer,
        templates: EmailTemplates,
        outage: MailOutage | None = None,
        *,
        links: ReportLinks | None = None,
    ) -> None:
        self._mailer = mailer
        self._templates = templates
        # Kept across the delivery job's runs: an outage is reported once, not once a run.
        self.outage = outage or MailOutage()
        self._links = links  # None: no "open in browser" link (WEBAPP_URL not set)

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Send]:
        """Sending over the mailer's pooled connections, closed when the block ends. While the
        server refuses the bot and its pause lasts, raises ChannelUnavailable at once: nothing
        is claimed, so nothing is given back and logged every run."""
        self.outage.check()
        async with self._mailer.connections() as mailer:

            async def send(target: DeliveryTarget) -> None:
                await self._send_with(mailer, target)

            yield send

    async def _send_with(self, mailer: Mailer, target: DeliveryTarget) -> None:
        self.outage.check()
        # Built in a worker thread: 500 issues in text and HTML take tens of milliseconds,
        # which the event loop (the bot's updates, the other deliveries) should not wait.
        message = await asyncio.to_thread(
            self._templates.check_report,
            locale=pick_locale(target.locale),
            recipient=target.email,
            report=target.report,
            link=None if self._links is None else self._links.link(target),
        )
        try:
            await mailer.send(message)
        except MailSendError as error:
            raise delivery_error(error, self.outage) from error
        self.outage.accepted()


def delivery_error(error: MailSendError, outage: MailOutage) -> DeliveryError | ChannelUnavailable:
    """What the delivery job does with a failed email (see the module's description)."""
    if error.kind.operators:
        return outage.refused(error)
    return DeliveryError(
        error.reason,
        permanent=error.kind is MailFailure.REFUSED,
        may_give_up=not error.unreachable,
    )
