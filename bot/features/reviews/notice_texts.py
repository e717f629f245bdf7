"""Texts of review notices: the chat message each status change (and a blocked version) sends
to a member, a reviewer, or as one line to the team's group chat. The emails say the same
(infra/mail/notices.py, with the same msgids)."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import issue_message, telegram_length
from bot.shared.formatting import quote
from core.models import RulePreset
from core.review import Issue
from core.services.notices import Notice, NoticeComment, NoticeGate
from core.team_models import CommentState, NoticeKind

# A comment's text and an issue's message are cut to this many characters in a notice.
MAX_SHOWN_BODY = 300
# The message stays this far under Telegram's 4,096: the rest of the comments is counted.
MAX_NOTICE_LENGTH = 3500

MARKS = {
    NoticeKind.SUBMITTED: "📤",
    NoticeKind.RESUBMITTED: "📤",
    NoticeKind.IN_REVIEW: "👀",
    NoticeKind.CHANGES_REQUESTED: "✏️",
    NoticeKind.APPROVED: "✅",
    NoticeKind.WITHDRAWN: "↩️",
    NoticeKind.BLOCKED: "⛔",
}


def notice_message(notice: Notice) -> str:
    """The whole chat message of a notice (HTML)."""
    if notice.group:
        return group_line(notice)
    lines = [headline(notice)]
    if notice.kind in {NoticeKind.SUBMITTED, NoticeKind.RESUBMITTED} and notice.gate:
        lines.append(gate_line(notice.gate))
    if notice.kind is NoticeKind.BLOCKED and notice.gate:
        lines += issue_lines(notice.gate)
    if notice.kind in {NoticeKind.RESUBMITTED, NoticeKind.CHANGES_REQUESTED}:
        room = MAX_NOTICE_LENGTH - telegram_length("\n".join(lines))
        lines += comment_lines(notice, budget=room)
    if notice.kind is NoticeKind.CHANGES_REQUESTED:
        lines.append(upload_hint(quote(notice.file_name)))
    if notice.kind in {NoticeKind.SUBMITTED, NoticeKind.RESUBMITTED}:
        lines.append(reply_hint())
    return "\n".join(lines)


def _file(notice: Notice) -> str:
    return f"<b>{quote(notice.file_name)}</b>"


def member(notice: Notice) -> str:
    return quote(notice.member_name) if notice.member_name else _("a former member")


def actor(notice: Notice) -> str:
    return quote(notice.actor_name) if notice.actor_name else _("a former reviewer")


def headline(notice: Notice) -> str:
    values = {
        "member": member(notice),
        "reviewer": actor(notice),
        "file": _file(notice),
        "version": notice.version,
        "team": quote(notice.team_name),
    }
    mark = MARKS[notice.kind]
    match notice.kind:
        case NoticeKind.SUBMITTED:
            text = _("{member} sent {file} v{version} to {team} for review")
        case NoticeKind.RESUBMITTED:
            text = _("{member} sent {file} v{version} again to {team} for review")
        case NoticeKind.IN_REVIEW if notice.to_member:
            text = _("{reviewer} is reviewing {file} v{version} ({team})")
        case NoticeKind.IN_REVIEW:
            text = _("{reviewer} took {file} v{version} of {member} ({team})")
        case NoticeKind.CHANGES_REQUESTED:
            text = _("{reviewer} asks for changes in {file} v{version} ({team})")
        case NoticeKind.APPROVED:
            text = _("{reviewer} approved {file} v{version} ({team})")
        case NoticeKind.WITHDRAWN:
            text = _("{member} withdrew {file} from review ({team})")
        case NoticeKind.BLOCKED:
            return f"{mark} " + blocked_line(notice)
    return f"{mark} " + text.format(**values)


def blocked_line(notice: Notice) -> str:
    gate = notice.gate
    count, limit = (gate.issue_count, gate.max_issues) if gate else (0, 0)
    return ngettext(
        "{file} v{version} did not pass {team}'s gate: {count} issue, at most {limit}",
        "{file} v{version} did not pass {team}'s gate: {count} issues, at most {limit}",
        count,
    ).format(
        file=_file(notice),
        version=notice.version,
        team=quote(notice.team_name),
        count=count,
        limit=limit,
    )


def rules_name(preset: RulePreset) -> str:
    return _("own configuration") if preset is RulePreset.CUSTOM else preset.value


def gate_line(gate: NoticeGate) -> str:
    text = ngettext(
        "Gate ({rules}): {count} issue, at most {limit} — {outcome}",
        "Gate ({rules}): {count} issues, at most {limit} — {outcome}",
        gate.issue_count,
    )
    return text.format(
        rules=quote(rules_name(gate.preset)),
        count=gate.issue_count,
        limit=gate.max_issues,
        outcome=_("passed") if gate.passed else _("not passed"),
    )


def issue_lines(gate: NoticeGate) -> list[str]:
    lines = [issue_line(issue) for issue in gate.issues]
    more = gate.issue_count - len(gate.issues)
    if more > 0:
        lines.append(and_more(more))
    return lines


def issue_line(issue: Issue) -> str:
    return _("Line {line}: {code} {message}").format(
        line=issue.line, code=quote(issue.code), message=quote(_cut(issue_message(issue)))
    )


def and_more(count: int) -> str:
    return ngettext("…and {count} more", "…and {count} more", count).format(count=count)


def comment_lines(notice: Notice, *, budget: int) -> list[str]:
    """The open comments by line, numbered as the Resolve buttons are, cut with "…and k more"
    before the message grows past `budget`."""
    lines: list[str] = []
    used = 0
    named = _named_authors(notice)
    for number, comment in enumerate(notice.comments, start=1):
        line = comment_line(number, comment, named=named)
        if used + telegram_length(line) + 40 > budget:
            lines.append(and_more(notice.comment_count - number + 1))
            return lines
        used += telegram_length(line) + 1
        lines.append(line)
    if notice.comment_count > len(notice.comments):
        lines.append(and_more(notice.comment_count - len(notice.comments)))
    return lines


def where(comment: NoticeComment) -> str:
    first, last = comment.at_first_line, comment.at_last_line
    if comment.state is CommentState.OUTDATED:
        return _("Outdated")
    if first is None:
        return _("General")
    if last is None or last == first:
        return _("Line {line}").format(line=first)
    return _("Lines {first}–{last}").format(first=first, last=last)


def _named_authors(notice: Notice) -> bool:
    """Authors are named unless one known reviewer wrote every comment."""
    authors = {comment.author for comment in notice.comments}
    return len(authors) > 1 or None in authors


def comment_line(number: int, comment: NoticeComment, *, named: bool) -> str:
    place = where(comment)
    if comment.state is CommentState.CHANGED:
        place = _("{place}, changed — resolve?").format(place=place)
    line = f"#{number} {place}: {quote(_cut(comment.body))}"
    if named:
        author = quote(comment.author) if comment.author else _("a former reviewer")
        line += f" <i>— {author}</i>"
    return line


def upload_hint(file_name: str) -> str:
    return _(
        "Upload the next version of {file}: it goes back to review once it passes the gate."
    ).format(file=f"<b>{file_name}</b>")


def reply_hint() -> str:
    return _(
        "Reply to this message with {one} or {range} to comment on lines; without a number, "
        "a general comment."
    ).format(one="<code>12: text</code>", range="<code>12-14: text</code>")


def status_words(notice: Notice) -> str:
    """What became of the submission, as the group line and the email's subject say it."""
    by_reviewer = {
        NoticeKind.IN_REVIEW: _("in review by {reviewer}"),
        NoticeKind.CHANGES_REQUESTED: _("changes requested by {reviewer}"),
        NoticeKind.APPROVED: _("approved by {reviewer}"),
    }
    if notice.kind in by_reviewer:
        return by_reviewer[notice.kind].format(reviewer=actor(notice))
    return {
        NoticeKind.SUBMITTED: _("sent for review"),
        NoticeKind.RESUBMITTED: _("sent again"),
        NoticeKind.WITHDRAWN: _("withdrawn"),
        NoticeKind.BLOCKED: _("did not pass the gate"),
    }[notice.kind]


def group_line(notice: Notice) -> str:
    """One line: who, which file, which status; nothing of the code, issues or comments."""
    return _("{team}: {member} — {file} v{version}: {status}").format(
        team=f"<b>{quote(notice.team_name)}</b>",
        member=member(notice),
        file=quote(notice.file_name),
        version=notice.version,
        status=status_words(notice),
    )


def button_open() -> str:
    return _("📂 Open")


def button_take() -> str:
    return _("👀 Take")


def button_approve() -> str:
    return _("✅ Approve")


def button_changes() -> str:
    return _("✏️ Request changes")


def button_withdraw() -> str:
    return _("↩️ Withdraw")


def button_resolve(number: int) -> str:
    return _("✔️ Resolve #{number}").format(number=number)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_BODY else text[:MAX_SHOWN_BODY] + "…"
