"""Texts that explain a domain error to the person (see `core/errors.py`)."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.formatting import quote
from bot.texts import file_not_found, size_label, something_went_wrong
from core import errors


def refusal(error: errors.UploadRefusedError) -> str:
    kind = errors.UploadRefusal
    match error.refusal:
        case kind.EMPTY_NAME:
            return _("This document has no file name. Send it as <code>name.py</code>.")
        case kind.NAME_TOO_LONG:
            return _("The file name is too long. Please rename the file and send it again.")
        case kind.NOT_PYTHON:
            return _("I only review Python files: the name must end in <code>.py</code>.")
        case kind.TOO_LARGE:
            return _("This file is too large: the limit is {size}.").format(
                size=size_label(error.limit_bytes)
            )
        case kind.NOT_UTF8:
            return _("This file is not UTF-8 text. Save it as UTF-8 and send it again.")
        case kind.NUL_BYTES:
            return _("This file contains NUL bytes, so it is not a Python source file.")


def error_text(error: errors.DomainError) -> str:  # noqa: PLR0911, PLR0912 - one case per error
    match error:
        case errors.UploadRefusedError():
            return refusal(error)
        case errors.NotRegisteredError():
            return _("You need an account first: send /start to register, or /login.")
        case errors.AlreadyRegisteredError(email=email):
            return _(
                "You are already signed in as <b>{email}</b>. Use /logout first to switch."
            ).format(email=quote(email))
        case errors.InvalidEmailError(reason=reason):
            return _(
                "That address does not look right: {reason}\nPlease send another one."
            ).format(reason=quote(reason))
        case errors.EmailTakenError():
            return _(
                "This address already belongs to an account. Use /login to sign in with it, "
                "or send another address."
            )
        case errors.UnknownEmailError():
            return _("No account uses this address. Send another one, or /start to register.")
        case errors.MailUnavailableError():
            return _("I could not send the email right now. Please try again in a minute.")
        case errors.CodeResendTooSoonError(wait_seconds=seconds):
            return ngettext(
                "You can ask for a new code in {count} second.",
                "You can ask for a new code in {count} seconds.",
                seconds,
            ).format(count=seconds)
        case errors.WrongCodeError(attempts_left=left):
            return ngettext(
                "Wrong code. {count} try left.", "Wrong code. {count} tries left.", left
            ).format(count=left)
        case errors.CodeExhaustedError():
            return _("Too many wrong tries: this code no longer works. Ask for a new one.")
        case errors.CodeExpiredError():
            return _("This code has expired. Ask for a new one.")
        case errors.ConfirmationNotFoundError():
            return _("No code is waiting for this chat. Send /start or /login to get one.")
        case errors.FileNotFoundForUserError():
            return file_not_found()
    return something_went_wrong()
