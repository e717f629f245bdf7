"""Texts of `/report`, the check log: the paged list, its buttons and the exported documents."""

from datetime import datetime

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports import baseline_texts
from bot.shared.formatting import quote, when
from core.models import CheckResult, DeliveryStatus
from core.services.check_log import PAGE_SIZE, CheckLogPage, LogDelivery, LogEntry

RESULT_MARKS = {CheckResult.PASSED: "✅", CheckResult.FAILED: "❌", CheckResult.ERROR: "⚠️"}
EMAIL_MARK = "✉️"
CHAT_MARK = "💬"
DELETED_MARK = "🗑"
# Names are cut in the list (the exports keep them whole), so eight entries always fit in
# one message whatever the names: 8 x (48 characters, 96 UTF-16 units at worst) + the rest.
MAX_LISTED_NAME = 48
MAX_BUTTON_NAME = 32


def _cut(name: str, most: int) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"


def _result(entry: LogEntry) -> str:
    mark = RESULT_MARKS[entry.result]
    match entry.result:
        case CheckResult.PASSED if entry.accepted_count:
            return f"{mark} " + baseline_texts.passes_short(entry.accepted_count)
        case CheckResult.PASSED:
            return f"{mark} " + _("no issues")
        case CheckResult.ERROR:
            return f"{mark} " + _("could not run")
        case CheckResult.FAILED:
            return f"{mark} " + ngettext(
                "{count} issue", "{count} issues", entry.issue_count
            ).format(count=entry.issue_count)


def _time_after(moment: datetime, reference: datetime) -> str:
    """A time shortly after `reference`: the hour alone on the same day, else date and hour."""
    if moment.date() == reference.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def delivery_mark(delivery: LogDelivery | None, checked_at: datetime) -> str:
    """A delivery in a few words: sent with its time, waiting, retrying with the failed
    tries, or failed. The error itself is left to the check's report (it may be long)."""
    if delivery is None:
        return "—"
    match delivery.status:
        case DeliveryStatus.SENT:
            assert delivery.sent_at is not None  # a sent delivery has its time
            return _("sent {time}").format(time=_time_after(delivery.sent_at, checked_at))
        case DeliveryStatus.FAILED:
            return _("failed")
        case DeliveryStatus.PENDING if delivery.attempts:
            return ngettext(
                "retrying, {count} try failed", "retrying, {count} tries failed", delivery.attempts
            ).format(count=delivery.attempts)
        case DeliveryStatus.PENDING if delivery.failing:
            return _("retrying")
        case _:
            return _("waiting")


def _entry(number: int, entry: LogEntry) -> str:
    deleted = f" {DELETED_MARK}" if entry.file_deleted else ""
    head = _("{number}. <b>{name}</b>{deleted} v{version} · {when} · {result}").format(
        number=number,
        name=quote(_cut(entry.file_name, MAX_LISTED_NAME)),
        deleted=deleted,
        version=entry.version,
        when=when(entry.finished_at),
        result=_result(entry),
    )
    if entry.gate:
        return f"{head}\n    {gate_check()}"
    marks = (
        f"    {EMAIL_MARK} {delivery_mark(entry.email, entry.finished_at)}"
        f" · {CHAT_MARK} {delivery_mark(entry.chat, entry.finished_at)}"
    )
    return f"{head}\n{marks}"


def gate_check() -> str:
    return _("🚦 a team's gate, before review (its result is not sent)")


def check_log_screen(page: CheckLogPage) -> str:
    if page.total == 0:
        return empty_log()
    title = ngettext(
        "<b>Check log</b>: {count} check of your files, newest first.",
        "<b>Check log</b>: {count} checks of your files, newest first.",
        page.total,
    ).format(count=page.total)
    if page.pages > 1:
        title += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    legend = _(
        "{email} email · {chat} chat · {deleted} deleted file · times in UTC.\n"
        "Tap a check to open its report; the buttons below export the whole log."
    ).format(email=EMAIL_MARK, chat=CHAT_MARK, deleted=DELETED_MARK)
    first = page.page * PAGE_SIZE + 1
    entries = [_entry(first + i, entry) for i, entry in enumerate(page.entries)]
    return "\n\n".join([title, legend, *entries])


def entry_button(number: int, entry: LogEntry) -> str:
    name = _cut(entry.file_name, MAX_BUTTON_NAME)
    return f"{number}. {RESULT_MARKS[entry.result]} {name} v{entry.version}"


def empty_log() -> str:
    return _(
        "<b>Check log</b>: no checks yet.\n\n"
        "Send me a <code>.py</code> file as a document: I review it with ruff, and every "
        "check of your files is listed here, with its email and chat deliveries."
    )


def nothing_to_export() -> str:
    return _("There are no checks to export yet. Send me a .py file first.")


def export_caption(count: int, kind: str) -> str:
    return ngettext(
        "Your check log as {kind}: {count} check.",
        "Your check log as {kind}: {count} checks.",
        count,
    ).format(kind=kind, count=count)


def export_headers() -> dict[str, str]:
    """Column headers of the CSV and XLSX exports, in the person's language."""
    return {
        "check_id": _("Check no."),
        "file": _("File name"),
        "version": _("Version no."),
        "preset": _("Rule preset"),
        "config_hash": _("Own configuration (SHA-256)"),
        "muted_rules": _("Muted rules"),
        "ruff_version": _("ruff version"),
        "started_at": _("Started (UTC)"),
        "finished_at": _("Finished (UTC)"),
        "result": _("Check result"),
        "issue_count": _("Issue count"),
        "issues_truncated": _("Only the first issues kept"),
        "grade": _("Grade (A–E)"),
        "baseline_version": _("Baseline version"),
        "accepted_count": _("Accepted by the baseline"),
        "email_status": _("Email status"),
        "email_sent_at": _("Email sent (UTC)"),
        "email_attempts": _("Email attempts"),
        "chat_status": _("Chat status"),
        "chat_sent_at": _("Chat sent (UTC)"),
        "chat_attempts": _("Chat attempts"),
    }


def export_sheet_title() -> str:
    return _("Check log")
