"""Review notices read back: one as everything its message needs (`Notice`), and a submission's
notices as delivery marks (docs/review-notices.md)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    Check,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileVersion,
    RulePreset,
    TelegramAccount,
    User,
)
from core.review import Issue
from core.team_models import (
    CommentState,
    GateRun,
    NoticeKind,
    ReviewComment,
    ReviewNotice,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)

# A BLOCKED notice shows this many of the check's issues (the report has them all).
NOTICE_ISSUES = 5
# The comments a notice carries at most (its message says how many more there are).
NOTICE_COMMENTS = 50
_WITH_COMMENTS = {NoticeKind.CHANGES_REQUESTED, NoticeKind.RESUBMITTED}


@dataclass(frozen=True)
class NoticeComment:
    id: int
    state: CommentState
    at_first_line: int | None  # None: a general comment, or one whose line is gone
    at_last_line: int | None
    body: str
    author: str | None  # None: "a former reviewer"


@dataclass(frozen=True)
class NoticeGate:
    preset: RulePreset  # the team's rules: a preset, or `custom` (its own configuration)
    max_issues: int
    issue_count: int
    passed: bool
    check_id: int | None
    issues: tuple[Issue, ...] = ()  # BLOCKED only: the first few


@dataclass(frozen=True)
class Notice:
    notice_id: int
    kind: NoticeKind
    channel: DeliveryChannel
    submission_id: int
    group: bool  # one line to the team's group chat (no recipient)
    to_member: bool  # the recipient is the submission's member (else a reviewer)
    email: str | None
    # The recipient's newest linked account's chat, or the team's group chat; None: none.
    chat_id: int | None
    locale: str  # the recipient's (for the group line: the owner's) language code
    team_name: str
    file_name: str
    version: int
    member_name: str | None  # None: "a former member"
    actor_name: str | None  # who made the change; None: "a former reviewer"/"member"
    status: SubmissionStatus  # the submission's status now
    gate: NoticeGate | None
    comments: tuple[NoticeComment, ...] = ()
    comment_count: int = 0  # every open comment, also those beyond `comments`


@dataclass(frozen=True)
class NoticeMark:
    notice_id: int
    event_id: int | None
    gate_run_id: int | None
    kind: NoticeKind
    recipient_id: int | None  # None: the group chat's line
    channel: DeliveryChannel
    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    last_error: str | None


async def read_notice(session: AsyncSession, notice_id: int) -> Notice | None:
    """The notice with what its message says; None when it is gone (deleted with its
    submission or recipient since it was claimed)."""
    row = (
        await session.execute(
            select(ReviewNotice, Submission, Team, File.name)
            .join(Submission, Submission.id == ReviewNotice.submission_id)
            .join(Team, Team.id == Submission.team_id)
            .join(File, File.id == Submission.file_id)
            .where(ReviewNotice.id == notice_id)
        )
    ).one_or_none()
    if row is None:
        return None
    notice, submission, team, file_name = row
    event = (
        None if notice.event_id is None else await session.get(SubmissionEvent, notice.event_id)
    )
    gate_run = await _gate_run(session, notice, submission, event)
    version_id = _version_id(submission, event, gate_run, notice.kind)
    names = await _names(session, team.id)
    group = notice.recipient_id is None
    if group:
        owner = await session.scalar(
            select(TeamMember.user_id).where(
                TeamMember.team_id == team.id, TeamMember.role == TeamRole.OWNER
            )
        )
        _, locale = await _chat(session, owner)
        email, chat_id = None, team.group_chat_id
    else:
        email = await session.scalar(select(User.email).where(User.id == notice.recipient_id))
        chat_id, locale = await _chat(session, notice.recipient_id)
    comments: list[NoticeComment] = []
    if notice.kind in _WITH_COMMENTS:
        comments = await _open_comments(session, submission.id, names)
    actor_id = event.actor_id if event is not None else None
    return Notice(
        notice_id=notice.id,
        kind=notice.kind,
        channel=notice.channel,
        submission_id=submission.id,
        group=group,
        to_member=notice.recipient_id == submission.member_id,
        email=email,
        chat_id=chat_id,
        locale=locale,
        team_name=team.name,
        file_name=file_name,
        version=await _version_number(session, version_id),
        member_name=names.get(submission.member_id),
        actor_name=None if actor_id is None else names.get(actor_id),
        status=submission.status,
        gate=await _gate(session, team, gate_run, notice.kind),
        comments=tuple(comments[:NOTICE_COMMENTS]),
        comment_count=len(comments),
    )


async def submission_notice_marks(session: AsyncSession, submission_id: int) -> list[NoticeMark]:
    """Every notice of the submission, oldest first, as its delivery mark."""
    notices = await session.scalars(
        select(ReviewNotice)
        .where(ReviewNotice.submission_id == submission_id)
        .order_by(ReviewNotice.id)
    )
    return [
        NoticeMark(
            notice_id=notice.id,
            event_id=notice.event_id,
            gate_run_id=notice.gate_run_id,
            kind=notice.kind,
            recipient_id=notice.recipient_id,
            channel=notice.channel,
            status=notice.status,
            attempts=notice.attempts,
            sent_at=notice.sent_at,
            last_error=notice.last_error,
        )
        for notice in notices
    ]


async def _chat(session: AsyncSession, user_id: int | None) -> tuple[int | None, str]:
    """The chat of the user's most recently linked account and its language ("en": none)."""
    if user_id is None:
        return None, "en"
    account = await session.scalar(
        select(TelegramAccount)
        .where(TelegramAccount.user_id == user_id)
        .order_by(TelegramAccount.linked_at.desc(), TelegramAccount.id.desc())
        .limit(1)
    )
    if account is None:
        return None, "en"
    return account.chat_id, account.language_code


async def _names(session: AsyncSession, team_id: int) -> dict[int, str]:
    """How the team sees each of its members now (someone who left has no name here)."""
    rows = await session.execute(
        select(TeamMember.user_id, TeamMember.display_name).where(TeamMember.team_id == team_id)
    )
    return dict(rows.all())


async def _gate_run(
    session: AsyncSession,
    notice: ReviewNotice,
    submission: Submission,
    event: SubmissionEvent | None,
) -> GateRun | None:
    """BLOCKED: the notice's own run; a (re)submission: the run that let its version pass."""
    if notice.gate_run_id is not None:
        return await session.get(GateRun, notice.gate_run_id)
    if notice.kind not in {NoticeKind.SUBMITTED, NoticeKind.RESUBMITTED}:
        return None
    version_id = event.version_id if event is not None else None
    return await session.scalar(
        select(GateRun)
        .where(
            GateRun.team_id == submission.team_id,
            GateRun.file_id == submission.file_id,
            GateRun.version_id == (version_id or submission.version_id),
        )
        .order_by(GateRun.passed.desc(), GateRun.id.desc())
        .limit(1)
    )


def _version_id(
    submission: Submission,
    event: SubmissionEvent | None,
    gate_run: GateRun | None,
    kind: NoticeKind,
) -> int:
    if kind is NoticeKind.BLOCKED and gate_run is not None:
        return gate_run.version_id
    if event is not None and event.version_id is not None:
        return event.version_id
    return submission.version_id


async def _version_number(session: AsyncSession, version_id: int) -> int:
    number = await session.scalar(select(FileVersion.number).where(FileVersion.id == version_id))
    return number or 0


async def _gate(
    session: AsyncSession, team: Team, run: GateRun | None, kind: NoticeKind
) -> NoticeGate | None:
    if run is None:
        return None
    issues: tuple[Issue, ...] = ()
    if kind is NoticeKind.BLOCKED and run.check_id is not None:
        stored = await session.scalar(select(Check.issues).where(Check.id == run.check_id))
        issues = tuple(Issue.from_json(item) for item in (stored or [])[:NOTICE_ISSUES])
    return NoticeGate(
        preset=team.preset,
        max_issues=team.gate_max_issues,
        issue_count=run.issue_count,
        passed=run.passed,
        check_id=run.check_id,
        issues=issues,
    )


async def _open_comments(
    session: AsyncSession, submission_id: int, names: dict[int, str]
) -> list[NoticeComment]:
    """The submission's comments not resolved: by line where they stand now, then the
    general and outdated ones, each in the order written."""
    comments = await session.scalars(
        select(ReviewComment)
        .where(
            ReviewComment.submission_id == submission_id,
            ReviewComment.state != CommentState.RESOLVED,
        )
        .order_by(ReviewComment.id)
    )
    found = [
        NoticeComment(
            id=comment.id,
            state=comment.state,
            at_first_line=_lines(comment)[0],
            at_last_line=_lines(comment)[1],
            body=comment.body,
            author=None if comment.author_id is None else names.get(comment.author_id),
        )
        for comment in comments
    ]
    return sorted(found, key=lambda c: (c.at_first_line is None, c.at_first_line or 0, c.id))


def _lines(comment: ReviewComment) -> tuple[int | None, int | None]:
    """Where the comment stands now: its lines in the latest version it was carried to (its
    own lines while it was never carried); none when general or outdated."""
    if comment.state is CommentState.OUTDATED:
        return None, None
    if comment.at_version_id is None and comment.at_first_line is None:
        return comment.first_line, comment.last_line
    return comment.at_first_line, comment.at_last_line
