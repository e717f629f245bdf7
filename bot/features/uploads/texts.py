"""Answers to an uploaded document."""

from aiogram.utils.i18n import gettext as _

from bot.shared.formatting import quote


def stored(name: str, version: int, *, replaced: bool) -> str:
    if replaced:
        text = _("Replaced <b>{name}</b>: version {version} is queued for review.")
    else:
        text = _("Got <b>{name}</b>. It is queued for review.")
    return (
        text.format(name=quote(name), version=version)
        + "\n"
        + _("The result will come here and by email.")
    )


def document_expected() -> str:
    return _("Please send the new version as a document, or /cancel.")
