"""Sending a check's result by email."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checks.outbox import DeliveryError, DeliveryTarget, Send
from core.emails import EmailTemplates
from core.i18n import pick_locale
from core.mail import Mailer, MailSendError


class EmailResultSender:
    def __init__(self, mailer: Mailer, templates: EmailTemplates) -> None:
        self._mailer = mailer
        self._templates = templates

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Send]:
        """Sending over the mailer's pooled connections, closed when the block ends."""
        async with self._mailer.connections() as mailer:

            async def send(target: DeliveryTarget) -> None:
                await self._send_with(mailer, target)

            yield send

    async def _send_with(self, mailer: Mailer, target: DeliveryTarget) -> None:
        # Built in a worker thread: 500 issues in text and HTML take tens of milliseconds,
        # which the event loop (the bot's updates, the other deliveries) should not wait.
        message = await asyncio.to_thread(
            self._templates.check_report,
            locale=pick_locale(target.locale),
            recipient=target.email,
            report=target.report,
        )
        try:
            await mailer.send(message)
        except MailSendError as error:
            raise DeliveryError(error.reason, permanent=not error.temporary) from error
