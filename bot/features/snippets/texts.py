"""Answers to pasted code (the answer to a stored one is the uploads' "Got …")."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext


def empty_block() -> str:
    return _("This code block is empty: there is nothing to review. Paste the code inside it.")


def left_out(count: int) -> str:
    return ngettext(
        "Only the first code block was taken: {count} more was left out. Send it on its own.",
        "Only the first code block was taken: {count} more were left out. Send each on its own.",
        count,
    ).format(count=count)
