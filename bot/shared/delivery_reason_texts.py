"""Why a delivery has not gone, as a person is told it, in their language. A mail server's
answer names its hosts and internal addresses: the person gets a plain reason instead
(infra/mail/smtp_replies.py sorts the stored errors), admins the raw one in /stats and the log."""

from aiogram.utils.i18n import gettext as _

from core.models import DeliveryChannel
from infra.mail.smtp_replies import PlainReason, plain_reason

# How bot/notify.py stores a chat result that could not reach Telegram; what follows (a
# proxy's address, the network's error) is not shown.
TELEGRAM_UNREACHABLE = "Telegram cannot be reached"


def delivery_reason(channel: DeliveryChannel, error: str) -> str | None:
    """The plain reason; None: the error is Telegram's own description, fit to be shown
    ("Forbidden: bot was blocked by the user")."""
    if channel is DeliveryChannel.EMAIL:
        return mail_reason(plain_reason(error))
    if error.startswith(TELEGRAM_UNREACHABLE):
        return _("Telegram was out of reach, trying again later")
    return None


def mail_reason(reason: PlainReason) -> str:
    match reason:
        case PlainReason.ADDRESS_REFUSED:
            return _("the mail server refused this address")
        case PlainReason.TOO_LARGE:
            return _("the message was refused as too large")
        case PlainReason.MESSAGE_REFUSED:
            return _("the mail server refused this message")
        case PlainReason.UNREACHABLE:
            return _("the mail server was out of reach, trying again later")
        case PlainReason.TRY_LATER:
            return _("the mail server asked to try again later")
        case PlainReason.OTHER:
            return _("the message could not be sent")
