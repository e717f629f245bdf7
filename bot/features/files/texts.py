"""/files: the list, a file's card, and its buttons.

Each function returns ready HTML; whatever came from a person passes through `quote` first.
"""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports import baseline_texts
from bot.features.reports.texts import last_check_line
from bot.features.reviews import texts as review_texts
from bot.shared.formatting import quote, when
from bot.shared.texts import size_label
from core.models import FileStatus
from core.services.baselines import BaselineView
from core.services.files import FileCard, FilePage, FileSummary
from core.services.reports import CheckSummary

STATUS_MARKS = {
    FileStatus.NEW: "🆕",
    FileStatus.REPLACED: "🔁",
    FileStatus.CHECKING: "⏳",
    FileStatus.CHECKED: "✅",
    FileStatus.ERROR: "⚠️",
    FileStatus.DELETED: "🗑",
}


def status_label(status: FileStatus) -> str:
    labels = {
        FileStatus.NEW: _("new"),
        FileStatus.REPLACED: _("replaced"),
        FileStatus.CHECKING: _("checking"),
        FileStatus.CHECKED: _("checked"),
        FileStatus.ERROR: _("check error"),
        FileStatus.DELETED: _("deleted"),
    }
    return f"{STATUS_MARKS[status]} {labels[status]}"


def replace_prompt(name: str) -> str:
    return _("Send the new version of <b>{name}</b> as a document, or /cancel.").format(
        name=quote(name)
    )


def file_button(item: FileSummary) -> str:
    return f"{item.name} · v{item.version} · {STATUS_MARKS[item.status]}"


def file_list(page: FilePage, notice: str = "") -> str:
    head = f"{notice}\n\n" if notice else ""
    if page.total == 0:
        return head + _("You have no files yet. Send me a <code>.py</code> file as a document.")
    text = ngettext("You have {count} file.", "You have {count} files.", page.total).format(
        count=page.total
    )
    if page.pages > 1:
        text += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    return head + text


def button_report() -> str:
    return _("Report")


def button_replace() -> str:
    return _("Replace")


def button_delete() -> str:
    return _("Delete")


def button_download() -> str:
    return _("Download")


def button_history() -> str:
    return _("History")


def button_confirm_delete() -> str:
    return _("Yes, delete")


def button_keep() -> str:
    return _("No, keep it")


def file_card(
    card: FileCard, last_check: CheckSummary | None, baseline: BaselineView | None = None
) -> str:
    baseline_line = baseline_texts.card_line(baseline)
    lines = [
        f"📄 <b>{quote(card.name)}</b>",
        _("Version: {version}").format(version=card.version),
        _("Size: {size}").format(size=size_label(card.size)),
        _("Uploaded: {when}").format(when=when(card.uploaded_at)),
        _("Status: {status}").format(status=status_label(card.status)),
        last_check_line(last_check),
        *([baseline_line] if baseline_line else []),
        *(review_texts.file_review_line(review) for review in card.reviews),
    ]
    return "\n".join(lines)


def report_pending(name: str, version: int) -> str:
    return _(
        "<b>{name}</b>, version {version}: no check has run yet. The result will come to "
        "this chat and by email."
    ).format(name=quote(name), version=version)


def delete_confirm(name: str) -> str:
    return _(
        "Delete <b>{name}</b>? It disappears from your list; its versions stay on record."
    ).format(name=quote(name))


def deleted(name: str) -> str:
    return _("Deleted <b>{name}</b>.").format(name=quote(name))


def download_caption(name: str, version: int) -> str:
    return _("{name}, version {version}").format(name=quote(name), version=version)
