"""Texts of check results: the chat message a check sends, and the report screen."""

import html
import re

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.formatting import quote, when
from core.models import CheckResult, DeliveryChannel, DeliveryStatus
from core.review import Issue
from core.services.reports import CheckReport, DeliveryMark

RESULT_MARKS = {CheckResult.PASSED: "✅", CheckResult.FAILED: "❌", CheckResult.ERROR: "⚠️"}
TELEGRAM_TEXT_LIMIT = 4096  # what Telegram counts: UTF-16 code units of the text shown
# The longest error a result line or a delivery mark shows (the database keeps up to 2,000
# characters): the head and marks of a screen then always leave room for issues.
MAX_SHOWN_REASON = 300
_TAG = re.compile(r"<[^>]*>")


def telegram_length(text: str) -> int:
    """How long Telegram finds an HTML text: UTF-16 code units of what it shows (tags
    removed, entities decoded)."""
    shown = html.unescape(_TAG.sub("", text))
    return len(shown.encode("utf-16-le")) // 2


def _reason(text: str | None) -> str:
    """An error as a screen shows it: quoted, and cut to `MAX_SHOWN_REASON` characters."""
    text = text or ""
    if len(text) > MAX_SHOWN_REASON:
        text = text[: MAX_SHOWN_REASON - 1] + "…"
    return quote(text)


def result_line(report: CheckReport) -> str:
    mark = RESULT_MARKS[report.result]
    match report.result:
        case CheckResult.PASSED:
            return f"{mark} " + _("Passed: no issues.")
        case CheckResult.ERROR:
            return f"{mark} " + _("The check could not run: {reason}").format(
                reason=_reason(report.error)
            )
        case CheckResult.FAILED:
            return f"{mark} " + ngettext(
                "{count} issue", "{count} issues", report.issue_count
            ).format(count=report.issue_count)


def issue_line(issue: Issue) -> str:
    return f"<code>{quote(issue.code)}</code> {issue.line}:{issue.column} {quote(issue.message)}"


def _with_issues(head: list[str], issues: list[Issue], tail: list[str], most: int) -> str:
    """Head, the first issue lines (at most `most`) that fit in one message with a note of
    the rest, then tail."""
    shown: list[str] = []
    for issue in issues[:most]:
        candidate = [*shown, issue_line(issue)]
        if telegram_length(_compose(head, candidate, len(issues), tail)) > TELEGRAM_TEXT_LIMIT:
            break
        shown = candidate
    return _compose(head, shown, len(issues), tail)


def _compose(head: list[str], shown: list[str], total: int, tail: list[str]) -> str:
    rest = total - len(shown)
    more = (
        [_("…and {count} more: the email lists every issue.").format(count=rest)] if rest else []
    )
    return "\n".join([*head, *shown, *more, *tail])


def check_result_message(report: CheckReport) -> str:
    """The chat message a finished check sends: the first issues and a pointer to the rest."""
    head = [
        _("Review of <b>{name}</b>, version {version}").format(
            name=quote(report.file_name), version=report.version
        ),
        result_line(report),
    ]
    return _with_issues(head, report.issues, [], most=10)


def delivery_mark(mark: DeliveryMark | None) -> str:
    if mark is None:
        return "—"
    match mark.status:
        case DeliveryStatus.SENT:
            assert mark.sent_at is not None  # a sent delivery has its time
            return _("sent {when}").format(when=when(mark.sent_at))
        case DeliveryStatus.FAILED:
            return _("failed: {reason}").format(reason=_reason(mark.last_error))
        case DeliveryStatus.PENDING if mark.attempts or mark.last_error:
            return ngettext(
                "not sent yet ({count} try failed: {reason})",
                "not sent yet ({count} tries failed: {reason})",
                mark.attempts,
            ).format(count=mark.attempts, reason=_reason(mark.last_error))
        case _:
            return _("waiting to be sent")


def report_screen(report: CheckReport) -> str:
    """The report screen: the latest check in full (as far as a message holds), with marks."""
    head = [
        _("Report for <b>{name}</b>, version {version}").format(
            name=quote(report.file_name), version=report.version
        ),
        _("Checked {when}, preset {preset}").format(
            when=when(report.finished_at), preset=report.preset.value
        ),
        result_line(report),
        "",
    ]
    tail = [
        "",
        _("Email: {mark}").format(
            mark=delivery_mark(report.deliveries.get(DeliveryChannel.EMAIL))
        ),
        _("Chat: {mark}").format(
            mark=delivery_mark(report.deliveries.get(DeliveryChannel.TELEGRAM))
        ),
    ]
    return _with_issues(head, report.issues, tail, most=len(report.issues))


def last_check_line(report: CheckReport | None) -> str:
    if report is None:
        return _("Last check: not run yet.")
    return _("Last check: v{version}, {result}").format(
        version=report.version, result=result_line(report)
    )


def button_full_report() -> str:
    return _("Full report")
