"""Texts of a file's history: every version with its check and what changed."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports import baseline_texts
from bot.features.reports.grade_texts import grades_over_versions
from bot.features.reports.texts import issue_message
from bot.shared.formatting import quote, when
from bot.shared.texts import size_label
from core.models import CheckResult
from core.review import Issue
from core.services.history import FileHistory, VersionEntry

NEW_MARK = "🆕"
MOST_NAMED_NEW = 3  # new issues named under a version of the history
MAX_NAMED_MESSAGE = 60  # characters of an issue's message shown in the history


def _state(entry: VersionEntry) -> str:
    if entry.checking:
        return "⏳ " + _("checking")
    match entry.result:
        case None:
            return "🕓 " + _("not checked yet")
        case CheckResult.PASSED if entry.accepted_count:
            return "✅ " + baseline_texts.passes_short(entry.accepted_count)
        case CheckResult.PASSED:
            return "✅ " + _("no issues")
        case CheckResult.FAILED:
            return "❌ " + ngettext("{count} issue", "{count} issues", entry.issue_count).format(
                count=entry.issue_count
            )
        case CheckResult.ERROR:
            return "⚠️ " + _("could not be checked")


def _named(issue: Issue) -> str:
    message = issue_message(issue)
    if len(message) > MAX_NAMED_MESSAGE:
        message = message[: MAX_NAMED_MESSAGE - 1] + "…"
    return f"  {NEW_MARK} <code>{quote(issue.code)}</code> {issue.line}:{issue.column} " + quote(
        message
    )


def _entry(entry: VersionEntry) -> list[str]:
    lines = [
        f"<b>v{entry.number}</b> — {when(entry.uploaded_at)} — {size_label(entry.size)} — "
        + _state(entry)
    ]
    if entry.diff is None:
        return lines
    issues = entry.diff.issues
    lines.append(
        "  "
        + _("since v{version}: {fixed} fixed, {new} new, {remaining} remaining").format(
            version=entry.diff.since_version,
            fixed=len(issues.fixed),
            new=len(issues.new),
            remaining=len(issues.remaining),
        )
    )
    lines += [_named(issue) for issue in issues.new[:MOST_NAMED_NEW]]
    unnamed = len(issues.new) - min(MOST_NAMED_NEW, len(issues.new))
    if unnamed:
        lines.append(
            "  "
            + ngettext("…and {count} more new", "…and {count} more new", unnamed).format(
                count=unnamed
            )
        )
    return lines


def history_screen(history: FileHistory) -> str:
    """A page of the history (`HISTORY_PAGE_SIZE` versions). It always fits in a message: a name
    of at most 255 characters, and per version about 130 characters plus `MOST_NAMED_NEW`
    named issues of about 90, some 2,500 in all."""
    head = ngettext(
        "History of <b>{name}</b>: {count} version, newest first.",
        "History of <b>{name}</b>: {count} versions, newest first.",
        history.total,
    ).format(name=quote(history.name), count=history.total)
    if history.pages > 1:
        head += " " + _("Page {page} of {pages}.").format(
            page=history.page + 1, pages=history.pages
        )
    tail: list[str] = []
    if any(entry.diff is not None for entry in history.entries):
        note = _(
            "Issues are matched by rule and line text: code that only moved is neither fixed "
            "nor new."
        )
        tail = ["", f"<i>{note}</i>"]
    body = [line for entry in history.entries for line in _entry(entry)]
    grades = grades_over_versions(history.grades)
    return "\n".join([head, *([grades] if grades else []), "", *body, *tail])


def button_newer() -> str:
    return _("« Newer")


def button_older() -> str:
    return _("Older »")


def button_version_report(number: int) -> str:
    return _("Report v{number}").format(number=number)
