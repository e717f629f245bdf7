"""Registration, login and logout: the code dialogue's texts."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import quote


def welcome_new() -> str:
    return _(
        "Hi! I review Python files with <b>ruff</b>.\n\n"
        "To begin, send me your email address. I will send a 6-digit code there to confirm it."
    )


def welcome_back(email: str) -> str:
    return _(
        "Welcome back! You are signed in as <b>{email}</b>.\n"
        "Send me a <code>.py</code> file as a document, or open /files."
    ).format(email=quote(email))


def ask_login_email() -> str:
    return _("Send the email address of your account. I will send a code there.")


def code_sent(email: str, lifetime_minutes: int) -> str:
    return ngettext(
        "I sent a 6-digit code to <b>{email}</b>. Send it here; it works for {count} minute.\n"
        "No email? Check the spam folder, or ask for a new code below.",
        "I sent a 6-digit code to <b>{email}</b>. Send it here; it works for {count} minutes.\n"
        "No email? Check the spam folder, or ask for a new code below.",
        lifetime_minutes,
    ).format(email=quote(email), count=lifetime_minutes)


def code_format() -> str:
    return _("Please send the 6-digit code from the email, or /cancel.")


def email_expected() -> str:
    return _("Please send your email address as text, or /cancel.")


def registered(email: str) -> str:
    return _(
        "Done: <b>{email}</b> is confirmed and your account is ready.\n"
        "Send me a <code>.py</code> file as a document to get it reviewed."
    ).format(email=quote(email))


def logged_in(email: str) -> str:
    return _("You are signed in as <b>{email}</b>. Your files: /files").format(email=quote(email))


def logged_out(email: str) -> str:
    return _(
        "Signed out of <b>{email}</b> in this chat. The account and its files stay; "
        "/login signs in again."
    ).format(email=quote(email))


def button_new_code() -> str:
    return _("Send a new code")
