"""Reading submissions back for the screens (chat and Mini App): one submission as its member or
a reviewer sees it, the lists of what waits for a person, and a file's review statuses.

Access is `submissions.visible_submission`'s: the member, or the team's owner and reviewers,
while they are in the team."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.comment_carry import code_lines
from core.models import Check, File, FileVersion
from core.review import Issue
from core.services.notice_rows import REVIEWING_ROLES
from core.services.submissions import (
    APPROVE_FROM,
    CHANGES_FROM,
    TAKE_FROM,
    visible_submission,
)
from core.team_models import (
    CommentState,
    GateRun,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
)


@dataclass(frozen=True)
class GateSummary:
    passed: bool
    issue_count: int
    max_issues: int
    check_id: int | None


@dataclass(frozen=True)
class CommentView:
    comment_id: int
    state: CommentState
    first_line: int | None  # where it stands in the version under review (None: general/gone)
    last_line: int | None
    body: str
    author: str | None  # None: a former reviewer
    created_at: datetime
    written_on: int  # the version number it was written on
    line_text: str  # the lines as they were when it was written


@dataclass(frozen=True)
class EventView:
    status: SubmissionStatus
    actor: str | None  # None: a former member of the team
    at: datetime
    version: int | None


@dataclass(frozen=True)
class SubmissionView:
    submission_id: int
    team_id: int
    team_name: str
    file_id: int
    file_name: str
    member: str | None
    reviewer: str | None
    status: SubmissionStatus
    version: int
    version_id: int
    viewer_is_member: bool
    viewer_reviews: bool  # the viewer is the team's owner or a reviewer (and not the member)
    gate: GateSummary | None
    issues: tuple[Issue, ...]  # the gate check's, in file order
    comments: tuple[CommentView, ...]  # by line, general ones last
    events: tuple[EventView, ...]  # oldest first
    lines: tuple[str, ...]  # the version under review, as ruff numbers lines

    @property
    def can_take(self) -> bool:
        return self.viewer_reviews and self.status in TAKE_FROM

    @property
    def can_request_changes(self) -> bool:
        return self.viewer_reviews and self.status in CHANGES_FROM

    @property
    def can_approve(self) -> bool:
        return self.viewer_reviews and self.status in APPROVE_FROM

    @property
    def can_comment(self) -> bool:
        return self.viewer_reviews and self.status.open

    @property
    def can_withdraw(self) -> bool:
        return self.viewer_is_member and self.status.open

    def comments_at(self, line: int) -> list[CommentView]:
        """The comments standing on `line` (a range: on its last line)."""
        return [c for c in self.comments if c.last_line == line]


async def submission_view(
    session: AsyncSession, viewer_id: int, submission_id: int
) -> SubmissionView:
    submission = await visible_submission(session, viewer_id, submission_id)
    team = await session.get_one(Team, submission.team_id)
    names = await _names(session, submission.team_id)
    viewer_role = await session.scalar(
        select(TeamMember.role).where(
            TeamMember.team_id == team.id, TeamMember.user_id == viewer_id
        )
    )
    version = await session.get_one(FileVersion, submission.version_id)
    file = await session.get_one(File, submission.file_id)
    numbers = dict(
        (
            await session.execute(
                select(FileVersion.id, FileVersion.number).where(FileVersion.file_id == file.id)
            )
        ).all()
    )
    gate, issues = await _gate(session, submission)
    return SubmissionView(
        submission_id=submission.id,
        team_id=team.id,
        team_name=team.name,
        file_id=file.id,
        file_name=file.name,
        member=names.get(submission.member_id),
        reviewer=names.get(submission.reviewer_id) if submission.reviewer_id else None,
        status=submission.status,
        version=version.number,
        version_id=version.id,
        viewer_is_member=submission.member_id == viewer_id,
        viewer_reviews=submission.member_id != viewer_id and viewer_role in REVIEWING_ROLES,
        gate=gate,
        issues=issues,
        comments=await _comments(session, submission.id, names, numbers),
        events=await _events(session, submission.id, names, numbers),
        lines=tuple(code_lines(version.content)),
    )


@dataclass(frozen=True)
class SubmissionLine:
    """A submission in a list: whose, which file and version, where it is."""

    submission_id: int
    team_name: str
    file_name: str
    member: str | None
    version: int
    status: SubmissionStatus
    updated_at: datetime


@dataclass(frozen=True)
class ReviewLists:
    to_review: tuple[SubmissionLine, ...]  # open, in teams the person reviews in, not theirs
    mine: tuple[SubmissionLine, ...]  # the person's own, newest first


async def review_lists(session: AsyncSession, user_id: int, limit: int = 30) -> ReviewLists:
    reviewing = select(TeamMember.team_id).where(
        TeamMember.user_id == user_id, TeamMember.role.in_(REVIEWING_ROLES)
    )
    member_of = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    base = (
        select(
            Submission.id,
            Team.name,
            File.name,
            TeamMember.display_name,
            FileVersion.number,
            Submission.status,
            Submission.updated_at,
        )
        .join(Team, Team.id == Submission.team_id)
        .join(File, File.id == Submission.file_id)
        .join(FileVersion, FileVersion.id == Submission.version_id)
        .outerjoin(
            TeamMember,
            (TeamMember.team_id == Submission.team_id)
            & (TeamMember.user_id == Submission.member_id),
        )
    )
    to_review = await session.execute(
        base.where(
            Submission.team_id.in_(reviewing),
            Submission.member_id != user_id,
            Submission.status.in_([status for status in SubmissionStatus if status.open]),
        )
        .order_by(Submission.updated_at, Submission.id)
        .limit(limit)
    )
    mine = await session.execute(
        base.where(Submission.member_id == user_id, Submission.team_id.in_(member_of))
        .order_by(Submission.updated_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return ReviewLists(
        to_review=tuple(SubmissionLine(*row) for row in to_review),
        mine=tuple(SubmissionLine(*row) for row in mine),
    )


@dataclass(frozen=True)
class FileReview:
    submission_id: int
    team_name: str
    status: SubmissionStatus
    version: int


async def file_reviews(session: AsyncSession, user_id: int, file_id: int) -> list[FileReview]:
    """The newest submission of the person's file to each of their teams."""
    newest = (
        select(func.max(Submission.id))
        .join(TeamMember, TeamMember.team_id == Submission.team_id)
        .where(
            Submission.file_id == file_id,
            Submission.member_id == user_id,
            TeamMember.user_id == user_id,
        )
        .group_by(Submission.team_id)
    )
    rows = await session.execute(
        select(Submission.id, Team.name, Submission.status, FileVersion.number)
        .join(Team, Team.id == Submission.team_id)
        .join(FileVersion, FileVersion.id == Submission.version_id)
        .where(Submission.id.in_(newest))
        .order_by(Team.name, Submission.id)
    )
    return [FileReview(*row) for row in rows]


async def _names(session: AsyncSession, team_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(TeamMember.user_id, TeamMember.display_name).where(TeamMember.team_id == team_id)
    )
    return {row.user_id: row.display_name for row in rows}


async def _gate(
    session: AsyncSession, submission: Submission
) -> tuple[GateSummary | None, tuple[Issue, ...]]:
    row = (
        await session.execute(
            select(GateRun, Team.gate_max_issues)
            .join(Team, Team.id == GateRun.team_id)
            .where(
                GateRun.submission_id == submission.id,
                GateRun.version_id == submission.version_id,
            )
            .order_by(GateRun.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None, ()
    run, max_issues = row
    issues: tuple[Issue, ...] = ()
    if run.check_id is not None:
        stored = await session.scalar(select(Check.issues).where(Check.id == run.check_id))
        issues = tuple(Issue.from_json(dict(item)) for item in stored or [])
    return GateSummary(run.passed, run.issue_count, max_issues, run.check_id), issues


async def _comments(
    session: AsyncSession, submission_id: int, names: dict[int, str], numbers: dict[int, int]
) -> tuple[CommentView, ...]:
    comments = await session.scalars(
        select(ReviewComment)
        .where(ReviewComment.submission_id == submission_id)
        .order_by(ReviewComment.id)
    )
    views = [
        CommentView(
            comment_id=comment.id,
            state=comment.state,
            first_line=comment.at_first_line,
            last_line=comment.at_last_line,
            body=comment.body,
            author=names.get(comment.author_id) if comment.author_id else None,
            created_at=comment.created_at,
            written_on=numbers.get(comment.version_id, 0),
            line_text=comment.line_text,
        )
        for comment in comments
    ]
    return tuple(sorted(views, key=lambda c: (c.first_line is None, c.first_line or 0)))


async def _events(
    session: AsyncSession, submission_id: int, names: dict[int, str], numbers: dict[int, int]
) -> tuple[EventView, ...]:
    events = await session.scalars(
        select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == submission_id)
        .order_by(SubmissionEvent.id)
    )
    return tuple(
        EventView(
            status=event.status,
            actor=names.get(event.actor_id) if event.actor_id else None,
            at=event.created_at,
            version=numbers.get(event.version_id) if event.version_id else None,
        )
        for event in events
    )
