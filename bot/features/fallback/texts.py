"""Answers to what no screen took."""

from aiogram.utils.i18n import gettext as _


def unknown_text() -> str:
    return _(
        "Send me a <code>.py</code> file as a document, or paste code as a code block "
        "(between <code>```</code> lines), to review it. /help lists the commands."
    )


def stale_button() -> str:
    return _("This button is out of date. Open /files again.")
