"""Words more than one screen uses: sizes, the paging and Back buttons, general
failures. A text used by one screen lives in that feature's `texts.py`."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import number
from core.team_models import SubmissionStatus


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


def submission_status(status: SubmissionStatus) -> str:
    """Where a submission is, in a few words (the review screens, the dashboard)."""
    match status:
        case SubmissionStatus.SUBMITTED:
            return _("submitted")
        case SubmissionStatus.IN_REVIEW:
            return _("in review")
        case SubmissionStatus.CHANGES_REQUESTED:
            return _("changes requested")
        case SubmissionStatus.RESUBMITTED:
            return _("resubmitted")
        case SubmissionStatus.APPROVED:
            return _("approved")
        case SubmissionStatus.WITHDRAWN:
            return _("withdrawn")
