"""Sending a check's result by email."""

from checks.outbox import DeliveryError, DeliveryTarget
from core.emails import EmailTemplates
from core.i18n import pick_locale
from core.mail import Mailer, MailSendError


class EmailResultSender:
    def __init__(self, mailer: Mailer, templates: EmailTemplates) -> None:
        self._mailer = mailer
        self._templates = templates

    async def send(self, target: DeliveryTarget) -> None:
        message = self._templates.check_report(
            locale=pick_locale(target.locale), recipient=target.email, report=target.report
        )
        try:
            await self._mailer.send(message)
        except MailSendError as error:
            raise DeliveryError(error.reason, permanent=not error.temporary) from error
