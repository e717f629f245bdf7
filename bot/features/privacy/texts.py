"""Texts of /forget. English is the source; translations live in `locales/`."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import quote
from core.services.privacy import ForgottenUser


def forget_confirm(email: str) -> str:
    return _(
        "Delete the account <b>{email}</b> and everything stored for it, for good?\n\n"
        "This deletes your email address, every file with all its versions (deleted files "
        "too), every check and its deliveries, your rule settings and your own ruff "
        "configuration, and signs out every Telegram account linked to it. It cannot be "
        "undone."
    ).format(email=quote(email))


def button_forget() -> str:
    return _("Yes, delete everything")


def button_keep_account() -> str:
    return _("No, keep my account")


def forgotten(forgotten_user: ForgottenUser) -> str:
    files = ngettext("{count} file", "{count} files", forgotten_user.files).format(
        count=forgotten_user.files
    )
    versions = ngettext("{count} version", "{count} versions", forgotten_user.versions).format(
        count=forgotten_user.versions
    )
    checks = ngettext("{count} check", "{count} checks", forgotten_user.checks).format(
        count=forgotten_user.checks
    )
    chats = len(forgotten_user.chats)
    signed_out = ngettext(
        "{count} Telegram account was signed out.",
        "{count} Telegram accounts were signed out.",
        chats,
    ).format(count=chats)
    return (
        _(
            "Done: the account <b>{email}</b> is deleted, with {files}, {versions} and "
            "{checks} and their deliveries. Nothing of it is left with me."
        ).format(email=quote(forgotten_user.email), files=files, versions=versions, checks=checks)
        + "\n"
        + signed_out
        + "\n"
        + _("Send /start to register again.")
    )


def forget_cancelled() -> str:
    return _("Nothing was deleted: your account and files stay.")


def forget_not_signed_in() -> str:
    return _(
        "You are not signed in here, so there is no account to delete. To delete an account, "
        "sign in to it with /login, then send /forget."
    )


def forget_button_stale() -> str:
    return _("This button was for an account no longer signed in here: nothing was deleted.")
