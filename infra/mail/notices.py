"""Sending a review notice by email: the same content as the chat message (the same msgids as
bot/features/reviews/notice_texts.py), as plain lines the templates `review_notice.*` lay out
(the HTML one escapes them). A refusal means what it means for a result (infra/mail/results.py):
retried, failed, or the email lane waiting while the server refuses the bot."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from babel.support import Translations

from core.delivery import DeliveryError
from core.i18n import DEFAULT_LOCALE, pick_locale
from core.models import RulePreset
from core.notice_delivery import NoticeSend
from core.ports import Mailer, MailSendError
from core.services.notices import Notice, NoticeComment, NoticeGate
from core.team_models import CommentState, NoticeKind
from infra.mail.emails import EmailTemplates
from infra.mail.mailers import compose
from infra.mail.results import MailOutage, delivery_error

# An email lists at most this many comments (the chat and the Mini App have them all).
MAX_EMAIL_COMMENTS = 50
MAX_EMAIL_BODY = 2000


@dataclass(frozen=True)
class _Words:
    """The recipient's catalogue, named as the extractor looks for it (`_`, `ngettext`)."""

    translations: Translations

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)


class EmailNoticeSender:
    def __init__(
        self,
        mailer: Mailer,
        templates: EmailTemplates,
        translations: dict[str, Translations],
        outage: MailOutage | None = None,
    ) -> None:
        self._mailer = mailer
        self._templates = templates
        self._translations = translations
        self.outage = outage or MailOutage()  # kept across runs: an outage is logged once

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[NoticeSend]:
        self.outage.check()
        async with self._mailer.connections() as mailer:

            async def send(notice: Notice) -> None:
                await self._send_with(mailer, notice)

            yield send

    async def _send_with(self, mailer: Mailer, notice: Notice) -> None:
        self.outage.check()
        try:
            await mailer.send(self.message(notice))
        except MailSendError as error:
            raise delivery_error(error, self.outage) from error
        self.outage.accepted()

    def message(self, notice: Notice) -> EmailMessage:
        if notice.email is None:
            raise DeliveryError("a group chat's line has no email address", permanent=True)
        locale = pick_locale(notice.locale)
        words = _Words(self._translations.get(locale, self._translations[DEFAULT_LOCALE]))
        context = {"subject": subject(notice, words), "lines": lines(notice, words)}
        subject_text, text, html = self._templates.render(locale, "review_notice", context)
        return compose(
            sender=self._templates.sender,
            recipient=notice.email,
            subject=subject_text,
            text=text,
            html=html,
        )


def subject(notice: Notice, w: _Words) -> str:
    return w._("{file} v{version}: {status} — {team}").format(
        file=notice.file_name,
        version=notice.version,
        status=status_words(notice, w),
        team=notice.team_name,
    )


def _member(notice: Notice, w: _Words) -> str:
    return notice.member_name or w._("a former member")


def _actor(notice: Notice, w: _Words) -> str:
    return notice.actor_name or w._("a former reviewer")


def status_words(notice: Notice, w: _Words) -> str:
    by_reviewer = {
        NoticeKind.IN_REVIEW: w._("in review by {reviewer}"),
        NoticeKind.CHANGES_REQUESTED: w._("changes requested by {reviewer}"),
        NoticeKind.APPROVED: w._("approved by {reviewer}"),
    }
    if notice.kind in by_reviewer:
        return by_reviewer[notice.kind].format(reviewer=_actor(notice, w))
    return {
        NoticeKind.SUBMITTED: w._("sent for review"),
        NoticeKind.RESUBMITTED: w._("sent again"),
        NoticeKind.WITHDRAWN: w._("withdrawn"),
        NoticeKind.BLOCKED: w._("did not pass the gate"),
    }[notice.kind]


def headline(notice: Notice, w: _Words) -> str:
    values = {
        "member": _member(notice, w),
        "reviewer": _actor(notice, w),
        "file": notice.file_name,
        "version": notice.version,
        "team": notice.team_name,
    }
    kind = notice.kind
    if kind is NoticeKind.BLOCKED:
        gate = notice.gate
        count, limit = (gate.issue_count, gate.max_issues) if gate else (0, 0)
        return w.ngettext(
            "{file} v{version} did not pass {team}'s gate: {count} issue, at most {limit}",
            "{file} v{version} did not pass {team}'s gate: {count} issues, at most {limit}",
            count,
        ).format(count=count, limit=limit, **values)
    texts = {
        NoticeKind.SUBMITTED: w._("{member} sent {file} v{version} to {team} for review"),
        NoticeKind.RESUBMITTED: w._("{member} sent {file} v{version} again to {team} for review"),
        NoticeKind.CHANGES_REQUESTED: w._(
            "{reviewer} asks for changes in {file} v{version} ({team})"
        ),
        NoticeKind.APPROVED: w._("{reviewer} approved {file} v{version} ({team})"),
        NoticeKind.WITHDRAWN: w._("{member} withdrew {file} from review ({team})"),
    }
    if kind is NoticeKind.IN_REVIEW:
        text = (
            w._("{reviewer} is reviewing {file} v{version} ({team})")
            if notice.to_member
            else w._("{reviewer} took {file} v{version} of {member} ({team})")
        )
    else:
        text = texts[kind]
    return text.format(**values)


def lines(notice: Notice, w: _Words) -> list[str]:
    """The email's paragraphs, plain text."""
    found = [headline(notice, w)]
    gate = notice.gate
    if gate is not None and notice.kind in {NoticeKind.SUBMITTED, NoticeKind.RESUBMITTED}:
        found.append(gate_line(gate, w))
    if gate is not None and notice.kind is NoticeKind.BLOCKED:
        found += [
            w._("Line {line}: {code} {message}").format(
                line=issue.line, code=issue.code, message=issue.message[:MAX_EMAIL_BODY]
            )
            for issue in gate.issues
        ]
        if gate.issue_count > len(gate.issues):
            found.append(_and_more(gate.issue_count - len(gate.issues), w))
    if notice.kind in {NoticeKind.RESUBMITTED, NoticeKind.CHANGES_REQUESTED}:
        shown = notice.comments[:MAX_EMAIL_COMMENTS]
        authors = {comment.author for comment in notice.comments}
        named = len(authors) > 1 or None in authors  # one known author: no need to name them
        found += [comment_line(n, c, w, named=named) for n, c in enumerate(shown, start=1)]
        if notice.comment_count > len(shown):
            found.append(_and_more(notice.comment_count - len(shown), w))
    if notice.kind is NoticeKind.CHANGES_REQUESTED:
        found.append(
            w._(
                "Upload the next version of {file}: it goes back to review once it passes "
                "the gate."
            ).format(file=notice.file_name)
        )
    return found


def gate_line(gate: NoticeGate, w: _Words) -> str:
    rules = w._("own configuration") if gate.preset is RulePreset.CUSTOM else gate.preset.value
    return w.ngettext(
        "Gate ({rules}): {count} issue, at most {limit} — {outcome}",
        "Gate ({rules}): {count} issues, at most {limit} — {outcome}",
        gate.issue_count,
    ).format(
        rules=rules,
        count=gate.issue_count,
        limit=gate.max_issues,
        outcome=w._("passed") if gate.passed else w._("not passed"),
    )


def comment_line(number: int, comment: NoticeComment, w: _Words, *, named: bool) -> str:
    first, last = comment.at_first_line, comment.at_last_line
    if comment.state is CommentState.OUTDATED:
        place = w._("Outdated")
    elif first is None:
        place = w._("General")
    elif last is None or last == first:
        place = w._("Line {line}").format(line=first)
    else:
        place = w._("Lines {first}–{last}").format(first=first, last=last)
    if comment.state is CommentState.CHANGED:
        place = w._("{place}, changed — resolve?").format(place=place)
    line = f"#{number} {place}: {comment.body[:MAX_EMAIL_BODY]}"
    if named:
        line += " — " + (comment.author or w._("a former reviewer"))
    return line


def _and_more(count: int, w: _Words) -> str:
    return w.ngettext("…and {count} more", "…and {count} more", count).format(count=count)
