"""Texts of check results: the chat message a check sends, and the report screen."""

import html
import re
from typing import Protocol

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.features.reports import baseline_texts
from bot.features.reports.grade_texts import grade_lines
from bot.shared.delivery_reason_texts import delivery_reason
from bot.shared.formatting import number, quote, when
from core.models import CheckResult, DeliveryChannel, DeliveryStatus, RulePreset
from core.review import Issue
from core.rule_cards import localized_message
from core.services.baselines import split_accepted
from core.services.history import VersionDiff
from core.services.reports import CheckReport, CheckSummary, DeliveryMark
from core.source_excerpts import source_excerpt, visible
from infra.mail.emails import MAX_EMAIL_ISSUES

RESULT_MARKS = {CheckResult.PASSED: "✅", CheckResult.FAILED: "❌", CheckResult.ERROR: "⚠️"}
TELEGRAM_TEXT_LIMIT = 4096  # what Telegram counts: UTF-16 code units of the text shown
# The longest error a result line or a delivery mark shows, in UTF-16 units (the database keeps
# up to 2,000 characters): the head and marks of a screen then always leave room for issues.
MAX_SHOWN_REASON = 300
# The longest issue message a report shows (names in ruff's messages can be any length), and
# how much of a source line it shows around the issue's column.
MAX_SHOWN_MESSAGE = 300
SOURCE_WIDTH = 80
FIXABLE_MARK = "🔧"
NEW_MARK = "🆕"  # an issue new since the version before
_TAG = re.compile(r"<[^>]*>")


def utf16_length(plain: str) -> int:
    return len(plain.encode("utf-16-le")) // 2


def telegram_length(text: str) -> int:
    """How long Telegram finds an HTML text: UTF-16 code units of what it shows (tags
    removed, entities decoded)."""
    return utf16_length(html.unescape(_TAG.sub("", text)))


def shorten(text: str, units: int) -> str:
    """`text` cut to at most `units` UTF-16 code units (as Telegram counts), ending in "…" when
    cut; never inside a character."""
    if utf16_length(text) <= units:
        return text
    kept, used = [], 1  # the "…"
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _reason(text: str | None) -> str:
    """An error as a screen shows it: quoted, and cut to `MAX_SHOWN_REASON` UTF-16 units."""
    return quote(shorten(text or "", MAX_SHOWN_REASON))


class CheckOutcome(Protocol):
    """What a result line needs: a whole report, or a check's summary."""

    @property
    def result(self) -> CheckResult: ...
    @property
    def issue_count(self) -> int: ...
    @property
    def error(self) -> str | None: ...
    @property
    def baseline_version(self) -> int | None: ...
    @property
    def accepted_count(self) -> int: ...


def result_line(report: CheckOutcome) -> str:
    mark = RESULT_MARKS[report.result]
    if report.baseline_version is not None and report.result is not CheckResult.ERROR:
        return baseline_texts.judged_line(
            report.result, report.baseline_version, report.issue_count, report.accepted_count
        )
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
            ).format(count=number(report.issue_count))


def truncated_lines(report: CheckReport) -> list[str]:
    """The mark of a check whose issues were too many to keep: which of them are listed."""
    if not report.issues_truncated:
        return []
    return [
        _("Showing the first {shown} of {count} issues.").format(
            shown=number(len(report.issues)), count=number(report.issue_count)
        )
    ]


def issue_message(issue: Issue) -> str:
    """The issue's message in the person's language (core/rule_cards.py: a rule with a card
    in it shows the card's reason and the names ruff's message quotes)."""
    return localized_message(get_i18n().current_locale, issue)


def issue_line(issue: Issue) -> str:
    message = quote(issue_message(issue))
    return f"<code>{quote(issue.code)}</code> {issue.line}:{issue.column} {message}"


def _with_issues(head: list[str], issues: list[Issue], total: int, most: int, new: int = 0) -> str:
    """Head, the first issue lines (at most `most`, the first `new` of them marked new) that fit
    in one message with a note of the rest (of `total`)."""
    shown: list[str] = []
    for index, issue in enumerate(issues[:most]):
        line = f"{NEW_MARK} {issue_line(issue)}" if index < new else issue_line(issue)
        candidate = [*shown, line]
        if telegram_length(_compose(head, candidate, total)) > TELEGRAM_TEXT_LIMIT:
            break
        shown = candidate
    return _compose(head, shown, total)


def _compose(head: list[str], shown: list[str], total: int) -> str:
    rest = total - len(shown)
    if not rest:
        more = []
    elif total <= MAX_EMAIL_ISSUES:
        more = [_("…and {count} more: the email lists every issue.").format(count=rest)]
    else:
        more = [_("…and {count} more: see the full report.").format(count=number(rest))]
    return "\n".join([*head, *shown, *more])


def check_result_message(report: CheckReport) -> str:
    """The chat message a finished check sends: the first issues and a pointer to the rest;
    from the second version on, what changed since the one before, the new issues first."""
    head = [
        _("Review of <b>{name}</b>, version {version}").format(
            name=quote(report.file_name), version=report.version
        ),
        result_line(report),
        *grade_lines(report.grading, report.previous_grade),
        *truncated_lines(report),
    ]
    if report.baseline_version is not None and report.result is not CheckResult.ERROR:
        # Judged against the baseline: the new issues listed, the accepted ones counted apart.
        new, accepted = split_accepted(report.issues)
        if report.diff is not None:
            head.append(changes_line(report.diff))
        if report.accepted_count:
            head.append(baseline_texts.accepted_summary(accepted, report.accepted_count))
        return _with_issues(head, new, report.issue_count - report.accepted_count, most=10)
    if report.diff is None:
        return _with_issues(head, report.issues, report.issue_count, most=10)
    changes = report.diff.issues
    head.append(changes_line(report.diff))
    issues = changes.new_first()
    return _with_issues(head, issues, len(issues), most=10, new=len(changes.new))


def changes_line(diff: VersionDiff) -> str:
    """What a later version changed: counts of the issues fixed and new since version K."""
    return _("{fixed} fixed, {new} new since version {version}").format(
        fixed=len(diff.issues.fixed), new=len(diff.issues.new), version=diff.since_version
    )


def delivery_mark(mark: DeliveryMark | None) -> str:
    if mark is None:
        return "—"
    match mark.status:
        case DeliveryStatus.SENT:
            assert mark.sent_at is not None  # a sent delivery has its time
            return _("sent {when}").format(when=when(mark.sent_at))
        case DeliveryStatus.FAILED:
            return _("failed: {reason}").format(reason=_mark_reason(mark))
        case DeliveryStatus.PENDING if mark.attempts or mark.last_error:
            return ngettext(
                "not sent yet ({count} try failed: {reason})",
                "not sent yet ({count} tries failed: {reason})",
                mark.attempts,
            ).format(count=mark.attempts, reason=_mark_reason(mark))
        case _:
            return _("waiting to be sent")


def _mark_reason(mark: DeliveryMark) -> str:
    plain = delivery_reason(mark.channel, mark.last_error or "")
    return plain if plain is not None else _reason(mark.last_error)


def report_head(report: CheckReport) -> list[str]:
    """The first lines of every page of a check's report."""
    return [
        _("Report for <b>{name}</b>, version {version}").format(
            name=quote(report.file_name), version=report.version
        ),
        _("Checked {when}, preset {preset}, ruff {ruff_version}").format(
            when=when(report.finished_at),
            preset=quote(preset_name(report.preset, report.config_hash)),
            ruff_version=quote(report.ruff_version),
        ),
        *([muted_line(report.muted_rules)] if report.muted_rules else []),
        result_line(report),
        *grade_lines(report.grading, report.previous_grade),
        *truncated_lines(report),
    ]


def config_label(config_hash: str) -> str:
    """How a person's own configuration is named on screens: by the start of its hash."""
    return _("custom {hash}").format(hash=config_hash[:8])


def preset_name(preset: RulePreset, config_hash: str | None) -> str:
    """ "strict", or "custom 1a2b3c4d" for a person's own configuration."""
    if preset is RulePreset.CUSTOM and config_hash:
        return config_label(config_hash)
    return preset.value


def muted_line(muted: tuple[str, ...]) -> str:
    return _("Muted: {codes}").format(codes=", ".join(quote(code) for code in muted))


def page_line(number: int, count: int) -> str:
    return _("Page {page} of {pages}.").format(page=number + 1, pages=count)


def marks_lines(report: CheckReport) -> list[str]:
    """The delivery marks, the last lines of every page."""
    return [
        _("Email: {mark}").format(
            mark=delivery_mark(report.deliveries.get(DeliveryChannel.EMAIL))
        ),
        _("Chat: {mark}").format(
            mark=delivery_mark(report.deliveries.get(DeliveryChannel.TELEGRAM))
        ),
    ]


def summary_heading(*, continued: bool) -> str:
    return _("Issues by rule (continued):") if continued else _("Issues by rule:")


def summary_line(code: str, name: str | None, count: int) -> str:
    rule = f"{quote(code)} {quote(name)}" if name else quote(code)
    return f"{rule}: {count}"


def rule_heading(
    code: str, name: str | None, count: int, url: str | None, *, continued: bool
) -> str:
    """The line above a rule's issues: code, name, count and a link to ruff's page on it."""
    rule = f"<b>{quote(code)}</b>" + (f" {quote(name)}" if name else "")
    if continued:
        return _("{rule} (continued)").format(rule=rule)
    issues = ngettext("{count} issue", "{count} issues", count).format(count=number(count))
    link = f' · <a href="{docs_link(url)}">{_("documentation")}</a>' if docs_link(url) else ""
    return f"{rule} · {issues}{link}"


def docs_link(url: str | None) -> str:
    """ruff's URL of a rule, ready for an href; empty unless it is a plain https link."""
    if not url or not url.startswith("https://") or any(c.isspace() for c in url):
        return ""
    return html.escape(url, quote=True)


def issue_lines(issue: Issue, source_line: str | None) -> list[str]:
    """One issue of the report: code and position (as the chat result lists them), message, a
    mark when ruff can fix it, and the offending source line."""
    fixable = f" {FIXABLE_MARK}" if issue.fixable else ""
    message = quote(shorten(visible(issue_message(issue)), MAX_SHOWN_MESSAGE))
    lines = [f"{quote(issue.code)} {issue.line}:{issue.column} {message}{fixable}"]
    excerpt = source_excerpt(source_line, issue.column, SOURCE_WIDTH)
    if excerpt:
        lines.append(f"<code>{quote(excerpt)}</code>")
    return lines


def fixable_legend() -> str:
    return f"{FIXABLE_MARK} " + _("ruff can fix it: ruff check --fix")


def button_rule(code: str) -> str:
    return f"ℹ️ {code}"


def button_html_report() -> str:
    return _("📄 HTML report")


def document_caption(report: CheckReport) -> str:
    return _(
        "Report for <b>{name}</b>, version {version}: every issue with its code line. It opens "
        "in any browser, without a network."
    ).format(name=quote(report.file_name), version=report.version)


def document_name(report: CheckReport) -> str:
    """`calc-v2-report.html` for version 2 of calc.py."""
    stem = report.file_name[:-3] if report.file_name.lower().endswith(".py") else report.file_name
    return f"{stem or 'file'}-v{report.version}-report.html"


def last_check_line(report: CheckSummary | None) -> str:
    if report is None:
        return _("Last check: not run yet.")
    return _("Last check: v{version}, {result}").format(
        version=report.version, result=result_line(report)
    )


def button_full_report() -> str:
    return _("Full report")
