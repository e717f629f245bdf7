"""Every text the bot shows. English is the source; translations live in `locales/`.

Each function returns ready HTML; whatever came from a person passes through `quote` first.
"""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.formatting import number, quote, when
from bot.report_texts import last_check_line
from core.models import FileStatus
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


def size_label(size: int) -> str:
    return ngettext("{count} byte", "{count} bytes", size).format(count=number(size))


# --- commands shown in the Telegram menu (setMyCommands) ---


def command_descriptions() -> dict[str, str]:
    return {
        "start": _("Register or see your account"),
        "files": _("Your files"),
        "report": _("Every check of your files, with exports"),
        "rules": _("Rule presets, muted rules, your own ruff configuration"),
        "help": _("What I can do"),
        "login": _("Sign in to an existing account"),
        "logout": _("Sign out in this chat"),
        "forget": _("Delete your account and everything stored for it"),
        "cancel": _("Stop what is in progress"),
    }


# --- registration and login ---


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


# --- general ---


def help_text() -> str:
    return _(
        "I review Python files with <b>ruff</b> and send the result here and by email.\n\n"
        "Send a <code>.py</code> file as a document to add it; a file with the same name "
        "becomes its new version.\n\n"
        "/files — your files: report, replace, download, history, delete\n"
        "/report — every check of your files, with CSV, XLSX and JSON exports\n"
        "/rules — the rules your files are checked with: presets, muted rules, your own "
        "ruff configuration\n"
        "/start — register or see your account\n"
        "/login — sign in to an existing account with its email\n"
        "/logout — sign out in this chat\n"
        "/forget — delete your account and everything stored for it\n"
        "/cancel — stop what is in progress\n"
        "/help — this message\n\n"
        "<b>What I store</b>: your email address; the ids, chats and language of the "
        "Telegram accounts signed in to it; every file you send, with every version; every "
        "check with its issues; the record of each result sent by chat and email; your rule "
        "settings and your own ruff configuration; the codes I mailed (only their hashes).\n"
        "<b>For how long</b>: until you /forget. Deleting a file takes it off your list, but "
        "its versions, checks and deliveries stay stored until then. /forget deletes all of "
        "it for good, after a confirmation, and signs out every linked Telegram account."
    )


def cancelled() -> str:
    return _("Cancelled.")


def nothing_to_cancel() -> str:
    return _("There is nothing to cancel.")


def unknown_text() -> str:
    return _(
        "Send me a <code>.py</code> file as a document to review it. /help lists the commands."
    )


def stale_button() -> str:
    return _("This button is out of date. Open /files again.")


def something_went_wrong() -> str:
    return _("Something went wrong on my side. Please try again in a moment.")


# --- uploads ---


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


def download_failed() -> str:
    return _("I could not fetch this file from Telegram. Please send it again.")


def replace_prompt(name: str) -> str:
    return _("Send the new version of <b>{name}</b> as a document, or /cancel.").format(
        name=quote(name)
    )


def document_expected() -> str:
    return _("Please send the new version as a document, or /cancel.")


# --- files ---


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


def button_previous() -> str:
    return _("« Previous")


def button_next() -> str:
    return _("Next »")


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


def button_back() -> str:
    return _("« Back")


def button_confirm_delete() -> str:
    return _("Yes, delete")


def button_keep() -> str:
    return _("No, keep it")


def file_card(card: FileCard, last_check: CheckSummary | None) -> str:
    lines = [
        f"📄 <b>{quote(card.name)}</b>",
        _("Version: {version}").format(version=card.version),
        _("Size: {size}").format(size=size_label(card.size)),
        _("Uploaded: {when}").format(when=when(card.uploaded_at)),
        _("Status: {status}").format(status=status_label(card.status)),
        last_check_line(last_check),
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


def empty_document() -> str:
    """A callback alert (plain text): an empty file cannot be sent back as a document."""
    return _("This file is empty, and Telegram does not send empty documents.")


def download_caption(name: str, version: int) -> str:
    return _("{name}, version {version}").format(name=quote(name), version=version)


def file_not_found() -> str:
    return _("File not found.")
