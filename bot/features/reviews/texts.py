"""Texts of review by people in chat: sending a file, the submission screen, reply comments and
/reviews. Names of teams, members and files, code and comments are the users': quoted."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import issue_line, shorten, telegram_length
from bot.features.reviews.notice_texts import reply_hint
from bot.shared.formatting import quote, when
from bot.shared.texts import submission_status
from core.services.submission_views import (
    CommentView,
    EventView,
    FileReview,
    ReviewLists,
    SubmissionLine,
    SubmissionView,
)
from core.services.submissions import SubmitOutcome
from core.source_excerpts import visible
from core.team_models import CommentState

TELEGRAM_TEXT_LIMIT = 4096
MAX_BLOCKING_ISSUES = 10  # the first issues a blocked submission lists
MAX_SHOWN_CODE = 80  # characters of a commented line
MAX_SHOWN_COMMENT = 400  # characters of a comment's text on the screen
MAX_REPORT_LINES = 5  # submissions /report lists


def file_review_line(review: FileReview) -> str:
    """A line of the file card: where the file stands in one team's review."""
    return _("Review ({team}): {status}, v{version}").format(
        team=quote(review.team_name),
        status=submission_status(review.status),
        version=review.version,
    )


def button_submit() -> str:
    return _("📤 Send for review")


def choose_team(file_name: str) -> str:
    return _("Send <b>{name}</b> for review to which team?").format(name=quote(file_name))


def blocked(outcome: SubmitOutcome) -> str:
    verdict = outcome.verdict
    names = {
        "name": quote(outcome.file_name),
        "version": outcome.version,
        "team": quote(outcome.team_name),
    }
    if verdict.error is not None:
        return _(
            "⛔ <b>{name}</b> v{version} could not be checked under <b>{team}</b>'s rules, so "
            "it does not pass the gate: {reason}\nNothing was sent."
        ).format(**names, reason=quote(shorten(verdict.error, 300)))
    head = ngettext(
        "⛔ <b>{name}</b> v{version} does not pass <b>{team}</b>'s gate: {count} issue, at "
        "most {most}.",
        "⛔ <b>{name}</b> v{version} does not pass <b>{team}</b>'s gate: {count} issues, at "
        "most {most}.",
        verdict.issue_count,
    ).format(**names, count=verdict.issue_count, most=verdict.max_issues)
    lines = [head, *(issue_line(issue) for issue in verdict.issues[:MAX_BLOCKING_ISSUES])]
    rest = verdict.issue_count - min(len(verdict.issues), MAX_BLOCKING_ISSUES)
    if rest > 0:
        lines.append(_("…and {count} more: see the report.").format(count=rest))
    lines.append(_("Nothing was sent. Fix the file and send it again."))
    return "\n".join(lines)


def sent(outcome: SubmitOutcome) -> str:
    return _(
        "📤 Sent <b>{name}</b> v{version} to <b>{team}</b> for review; its reviewers are notified."
    ).format(name=quote(outcome.file_name), version=outcome.version, team=quote(outcome.team_name))


def _person(name: str | None) -> str:
    return quote(name) if name is not None else _("a former member")


def _comment_state(state: CommentState) -> str:
    match state:
        case CommentState.OPEN:
            return _("open")
        case CommentState.CHANGED:
            return _("changed — resolve?")
        case CommentState.OUTDATED:
            return _("outdated")
        case CommentState.RESOLVED:
            return _("resolved")


def _where(comment: CommentView) -> str:
    first, last = comment.first_line, comment.last_line
    if first is None:
        return _("general") if not comment.line_text else _("its lines are gone")
    if last is None or last == first:
        return _("line {line}").format(line=first)
    return _("lines {first}–{last}").format(first=first, last=last)


def comment_numbers(view: SubmissionView) -> dict[int, int]:
    """Each comment's number on the screen, #1 the first written: it stays as comments move
    to other lines in later versions."""
    ordered = sorted(comment.comment_id for comment in view.comments)
    return {comment_id: number for number, comment_id in enumerate(ordered, start=1)}


def comment_lines(number: int, comment: CommentView) -> list[str]:
    author = quote(comment.author) if comment.author is not None else _("a former reviewer")
    lines = [
        f"<b>#{number}</b> {_where(comment)} · {_comment_state(comment.state)} · {author}",
    ]
    if comment.line_text:
        code_lines = comment.line_text.split("\n")
        code = shorten(visible(code_lines[0]).strip(), MAX_SHOWN_CODE)
        more = " …" if len(code_lines) > 1 else ""
        lines.append(f"<code>{quote(code)}</code>{more}")
    lines.append(quote(shorten(visible(comment.body), MAX_SHOWN_COMMENT)))
    return lines


def _event_line(event: EventView) -> str:
    version = f" · v{event.version}" if event.version is not None else ""
    return (
        f"{when(event.at)} · {submission_status(event.status)} · {_person(event.actor)}{version}"
    )


def _gate_line(view: SubmissionView) -> str:
    gate = view.gate
    if gate is None:
        return _("Gate: no run recorded")
    mark = "✅" if gate.passed else "⛔"
    return ngettext(
        "Gate: {mark} {count} issue, at most {most}",
        "Gate: {mark} {count} issues, at most {most}",
        gate.issue_count,
    ).format(mark=mark, count=gate.issue_count, most=gate.max_issues)


def submission_screen(view: SubmissionView) -> str:
    """The submission as its member or a reviewer sees it; it is also the report in chat for a
    reviewer without the Mini App (the gate check's issues by line)."""
    head = [
        _("📋 <b>{name}</b> v{version} · {team}").format(
            name=quote(view.file_name), version=view.version, team=quote(view.team_name)
        ),
        _("From {member} · {status}").format(
            member=_person(view.member), status=submission_status(view.status)
        ),
    ]
    if view.reviewer is not None:
        head.append(_("Reviewer: {name}").format(name=quote(view.reviewer)))
    head.append(_gate_line(view))
    if view.can_comment:
        head.append(reply_hint())
    sections: list[list[str]] = []
    if view.issues:
        sections.append([_("<b>Issues</b>:"), *(issue_line(issue) for issue in view.issues)])
    if view.comments:
        comments = [_("<b>Comments</b>:")]
        numbers = comment_numbers(view)
        for comment in view.comments:
            comments.extend(comment_lines(numbers[comment.comment_id], comment))
        sections.append(comments)
    sections.append([_("<b>History</b>:"), *(_event_line(event) for event in view.events)])
    return _fit(head, sections)


def _fit(head: list[str], sections: list[list[str]]) -> str:
    """Head and sections (each a heading and its lines; no tag spans two lines) in one
    message: a section's lines are kept while they fit, leaving room for each section after it
    (all of it, or a quarter of the message at most); a section cut short ends in "…"."""
    ellipsis = 1 + 1  # "\n…"
    used = telegram_length("\n".join(head))
    reserved = [
        min(2 + telegram_length("\n".join(section)), TELEGRAM_TEXT_LIMIT // 4)
        for section in sections
    ]
    parts = ["\n".join(head)]
    for index, (heading, *lines) in enumerate(sections):
        room = TELEGRAM_TEXT_LIMIT - sum(reserved[index + 1 :]) - ellipsis
        used += 2 + telegram_length(heading)
        kept = [heading]
        for line in lines:
            length = 1 + telegram_length(line)
            if used + length > room:
                kept.append("…")
                used += ellipsis
                break
            kept.append(line)
            used += length
        parts.append("\n".join(kept))
    return "\n\n".join(parts)


def button_open() -> str:
    return _("📋 Open the submission")


def button_take() -> str:
    return _("👀 Take")


def button_approve() -> str:
    return _("✅ Approve")


def button_request_changes() -> str:
    return _("✏️ Request changes")


def button_withdraw() -> str:
    return _("↩️ Withdraw")


def button_resolve(number: int) -> str:
    return _("☑️ Resolve #{number}").format(number=number)


def button_code() -> str:
    return _("📄 Code")


def taken() -> str:
    return _("Taken: it is yours to review.")


def approved() -> str:
    return _("Approved: the member is notified.")


def changes_requested() -> str:
    return _("Changes requested: the member gets the comments by line.")


def withdrawn() -> str:
    return _("Withdrawn: the reviewers are notified.")


def resolved(number: int) -> str:
    return _("Comment #{number} resolved.").format(number=number)


def code_caption(name: str, version: int) -> str:
    return _("{name}, version {version}, as it is under review").format(
        name=quote(name), version=version
    )


def comment_saved(first_line: int | None, last_line: int | None) -> str:
    if first_line is None:
        return _("💬 Saved as a general comment.")
    if last_line is None or last_line == first_line:
        return _("💬 Saved on line {line}.").format(line=first_line)
    return _("💬 Saved on lines {first}–{last}.").format(first=first_line, last=last_line)


def _list_line(line: SubmissionLine, *, with_member: bool) -> str:
    member = f" · {_person(line.member)}" if with_member else ""
    return (
        f"• <b>{quote(line.file_name)}</b> v{line.version} · {quote(line.team_name)}{member}"
        f" · {submission_status(line.status)}"
    )


def reviews_screen(lists: ReviewLists) -> str:
    parts = [_("📋 <b>Reviews</b>")]
    if lists.to_review:
        parts.append(_("<b>Waiting for your review</b> (oldest first):"))
        parts.extend(_list_line(line, with_member=True) for line in lists.to_review)
    if lists.mine:
        parts.append(_("<b>Your submissions</b>:"))
        parts.extend(_list_line(line, with_member=False) for line in lists.mine)
    if not lists.to_review and not lists.mine:
        parts.append(
            _(
                "Nothing is waiting for your review, and you have sent nothing for review. "
                "A file's card in /files has «📤 Send for review» once you are in a team."
            )
        )
    return "\n".join(parts)


def list_button(line: SubmissionLine) -> str:
    return f"{line.file_name} v{line.version} · {line.team_name}"


def report_section(lists: ReviewLists) -> str:
    """What /report adds under the check log when the person sent files for review: the
    newest submissions' statuses, and where the rest is."""
    if not lists.mine:
        return ""
    lines = [_("<b>Your submissions</b>:")]
    lines.extend(_list_line(line, with_member=False) for line in lists.mine[:MAX_REPORT_LINES])
    lines.append(_("Every submission, and what waits for your review: /reviews"))
    return "\n".join(lines)
