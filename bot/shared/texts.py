"""Words more than one screen uses: sizes, the paging and Back buttons, general
failures. A text used by one screen lives in that feature's `texts.py`."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import number


def size_label(size: int) -> str:
    return ngettext("{count} byte", "{count} bytes", size).format(count=number(size))


def button_previous() -> str:
    return _("« Previous")


def button_next() -> str:
    return _("Next »")


def button_back() -> str:
    return _("« Back")


def button_open_webapp() -> str:
    """The button that opens the same screen in the Mini App (only with WEBAPP_URL set)."""
    return _("🌐 Open")


def something_went_wrong() -> str:
    return _("Something went wrong on my side. Please try again in a moment.")


def empty_document() -> str:
    """A callback alert (plain text): an empty file cannot be sent back as a document."""
    return _("This file is empty, and Telegram does not send empty documents.")


def download_failed() -> str:
    return _("I could not fetch this file from Telegram. Please send it again.")


def file_not_found() -> str:
    return _("File not found.")
