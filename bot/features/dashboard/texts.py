"""Texts of a team's dashboard: the screen of figures, its refusals, and the exports' headers
(the Mini App's page says the same through these)."""

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.features.reports.texts import TELEGRAM_TEXT_LIMIT, shorten, telegram_length
from bot.shared.formatting import quote
from bot.shared.texts import submission_status
from core.services.dashboard import Dashboard, MemberFigures
from core.services.gate_rules import RuleCount, Stuck
from core.team_models import SubmissionStatus

# Names and file names are cut on the screen (the exports keep them whole).
MAX_NAME = 40
MAX_SHOWN_SUBMISSIONS = 5  # per member; the rest are counted
MAX_SHOWN_STUCK = 10
ROOM_FOR_MORE = 60  # kept free for the "…and k more members" line

STATUS_MARKS = {
    SubmissionStatus.SUBMITTED: "📤",
    SubmissionStatus.IN_REVIEW: "👀",
    SubmissionStatus.CHANGES_REQUESTED: "✏️",
    SubmissionStatus.RESUBMITTED: "🔁",
    SubmissionStatus.APPROVED: "✅",
    SubmissionStatus.WITHDRAWN: "↩️",
}


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def average(value: float | None) -> str:
    """One decimal, as the person's language writes it (1.5 or 1,5); "—" before any."""
    if value is None:
        return "—"
    return format_decimal(value, format="0.0", locale=get_i18n().current_locale)


def rules_line(rules: list[RuleCount]) -> str:
    return ", ".join(f"<code>{quote(rule.code)}</code> ×{rule.count}" for rule in rules)


def _more(count: int) -> str:
    return ngettext("…and {count} more", "…and {count} more", count).format(count=count)


def _head(dashboard: Dashboard) -> str:
    totals = dashboard.totals
    lines = [
        _("📊 <b>{team}</b>: the team's dashboard").format(
            team=quote(shorten(dashboard.team_name, MAX_NAME))
        ),
        _("Submissions: {open} open · {approved} approved · {withdrawn} withdrawn").format(
            open=totals.open, approved=totals.approved, withdrawn=totals.withdrawn
        ),
        _("Gate: {passed} of {runs} passed ({rate})").format(
            passed=totals.gate_passed, runs=totals.gate_runs, rate=percent(totals.pass_rate)
        ),
        _("Versions until approval: {average} on average").format(
            average=average(totals.versions_to_approval)
        ),
    ]
    if dashboard.top_rules:
        rules = rules_line(dashboard.top_rules)
        lines.append(_("Most frequent rules: {rules}").format(rules=rules))
    return "\n".join(lines)


def _stuck_line(stuck: Stuck) -> str:
    return _("• {member}, {file}: <code>{rule}</code> in {count} versions in a row").format(
        member=quote(shorten(stuck.display_name, MAX_NAME)),
        file=quote(shorten(stuck.file_name, MAX_NAME)),
        rule=quote(stuck.rule),
        count=stuck.versions,
    )


def _stuck(dashboard: Dashboard) -> str | None:
    if not dashboard.stuck:
        return None
    shown = dashboard.stuck[:MAX_SHOWN_STUCK]
    lines = [_("<b>Stuck</b> (the same rule in three or more versions in a row):")]
    lines += [_stuck_line(stuck) for stuck in shown]
    if len(dashboard.stuck) > len(shown):
        lines.append(_more(len(dashboard.stuck) - len(shown)))
    return "\n".join(lines)


def member_block(member: MemberFigures) -> str:
    lines = [
        _("👤 <b>{name}</b>: {open} open · {approved} approved").format(
            name=quote(shorten(member.display_name, MAX_NAME)),
            open=member.open_count,
            approved=member.approved_count,
        ),
        _("Gate: {passed} of {runs} passed ({rate}) · versions until approval: {average}").format(
            passed=member.gate_passed,
            runs=member.gate_runs,
            rate=percent(member.pass_rate),
            average=average(member.versions_to_approval),
        ),
    ]
    if member.top_rules:
        lines.append(_("Rules: {rules}").format(rules=rules_line(member.top_rules)))
    shown = member.submissions[:MAX_SHOWN_SUBMISSIONS]
    lines += [
        f"{STATUS_MARKS[line.status]} {quote(shorten(line.file_name, MAX_NAME))} "
        f"v{line.version}: {submission_status(line.status)}"
        for line in shown
    ]
    if len(member.submissions) > len(shown):
        lines.append(_more(len(member.submissions) - len(shown)))
    return "\n".join(lines)


def dashboard_screen(dashboard: Dashboard) -> str:
    """The figures, within Telegram's 4096 characters: members past what fits are counted."""
    parts = [_head(dashboard)]
    stuck = _stuck(dashboard)
    if stuck is not None:
        parts.append(stuck)
    if not dashboard.members:
        parts.append(_("No one has sent a file for review yet."))
        return "\n\n".join(parts)
    parts.append(_("<b>Members</b>"))
    for shown, member in enumerate(dashboard.members):
        block = member_block(member)
        candidate = "\n\n".join([*parts, block])
        if telegram_length(candidate) > TELEGRAM_TEXT_LIMIT - ROOM_FOR_MORE:
            left = len(dashboard.members) - shown
            parts.append(
                ngettext("…and {count} more member", "…and {count} more members", left).format(
                    count=left
                )
            )
            break
        parts.append(block)
    return "\n\n".join(parts)


def team_not_found() -> str:
    """A callback alert (plain text): not their team, or no team at all (said alike)."""
    return _("Team not found.")


def reviewers_only() -> str:
    """A callback alert (plain text)."""
    return _("Only the team's owner and reviewers see its dashboard.")


def nothing_to_export() -> str:
    return _("Nothing to export yet: no one has sent a file for review.")


def export_caption(team: str, kind: str) -> str:
    return _("{team}: {kind} of the team's submissions, comments and statuses.").format(
        team=quote(shorten(team, MAX_NAME)), kind=kind
    )


def former_reviewer() -> str:
    """Who wrote a comment (or made a change) and is no longer in the team."""
    return _("a former reviewer")


def sheet_titles() -> dict[str, str]:
    return {
        "submissions": _("Submissions"),
        "comments": _("Comments"),
        "statuses": _("Statuses"),
    }


def export_headers() -> dict[str, dict[str, str]]:
    """Column headers of each table, in the person's language."""
    submission, file_name, version = _("Submission no."), _("File name"), _("Version no.")
    return {
        "submissions": {
            "submission": submission,
            "team": _("Team"),
            "member": _("Member"),
            "file": file_name,
            "version": version,
            "status": _("Status"),
            "reviewer": _("Reviewer"),
            "created": _("Submitted (UTC)"),
            "updated": _("Updated (UTC)"),
        },
        "comments": {
            "submission": submission,
            "file": file_name,
            "version": version,
            "lines": _("Lines"),
            "state": _("Comment state"),
            "author": _("Author"),
            "body": _("Comment"),
            "created": _("Written (UTC)"),
            "resolved": _("Resolved (UTC)"),
        },
        "statuses": {
            "submission": submission,
            "file": file_name,
            "status": _("Status"),
            "version": version,
            "who": _("Who"),
            "when": _("When (UTC)"),
        },
    }
