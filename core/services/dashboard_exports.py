"""What a team's dashboard exports (owners and reviewers only): the submissions of its current
members, the comments on them and every status change, as rows for `core.team_exports`.

Names are the team's display names; a person no longer in the team (or forgotten) reads as
the `former` label the caller gives ("a former reviewer"). Times are UTC, to the second.
Five queries whatever the size of the team.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.models import File, FileVersion
from core.services.dashboard import TeamAccess, dashboard_access
from core.team_models import ReviewComment, Submission, SubmissionEvent, TeamMember

Value = str | int | datetime | None
Row = dict[str, Value]
Namer = Callable[[int | None], str]  # a user id to the name the team knows

SUBMISSION_FIELDS = (
    "submission",
    "team",
    "member",
    "file",
    "version",
    "status",
    "reviewer",
    "created",
    "updated",
)
COMMENT_FIELDS = (
    "submission",
    "file",
    "version",
    "lines",
    "state",
    "author",
    "body",
    "created",
    "resolved",
)
STATUS_FIELDS = ("submission", "file", "status", "version", "who", "when")


@dataclass(frozen=True)
class DashboardExport:
    access: TeamAccess
    submissions: list[Row]  # keyed by SUBMISSION_FIELDS, oldest first
    comments: list[Row]  # keyed by COMMENT_FIELDS, by submission, then oldest first
    statuses: list[Row]  # keyed by STATUS_FIELDS, by submission, then oldest first


def second(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(microsecond=0)


def lines_label(first: int | None, last: int | None) -> str | None:
    """ "12", "12-14", or None for a general comment."""
    if first is None:
        return None
    return str(first) if last is None or last == first else f"{first}-{last}"


async def dashboard_export(
    session: AsyncSession, viewer_id: int, team_id: int, former: str
) -> DashboardExport:
    """The three tables of the team, for its owner and reviewers (as `team_dashboard`)."""
    access = await dashboard_access(session, viewer_id, team_id)
    names = dict(
        (
            await session.execute(
                select(TeamMember.user_id, TeamMember.display_name).where(
                    TeamMember.team_id == team_id
                )
            )
        ).all()
    )

    def name(user_id: int | None) -> str:
        return names.get(user_id, former) if user_id is not None else former

    submitted = (
        await session.execute(
            select(Submission, File.name, FileVersion.number)
            .join(File, File.id == Submission.file_id)
            .join(FileVersion, FileVersion.id == Submission.version_id)
            .where(Submission.team_id == team_id, Submission.member_id.in_(names))
            .order_by(Submission.created_at, Submission.id)
        )
    ).all()
    files = {submission.id: file_name for submission, file_name, _number in submitted}
    submissions: list[Row] = [
        {
            "submission": submission.id,
            "team": access.team_name,
            "member": name(submission.member_id),
            "file": file_name,
            "version": number,
            "status": submission.status.value,
            "reviewer": None if submission.reviewer_id is None else name(submission.reviewer_id),
            "created": second(submission.created_at),
            "updated": second(submission.updated_at),
        }
        for submission, file_name, number in submitted
    ]
    return DashboardExport(
        access=access,
        submissions=submissions,
        comments=await _comments(session, files, name),
        statuses=await _statuses(session, files, name),
    )


async def _comments(session: AsyncSession, files: dict[int, str], name: Namer) -> list[Row]:
    rows = await session.execute(
        select(ReviewComment, FileVersion.number)
        .join(FileVersion, FileVersion.id == ReviewComment.version_id)
        .where(ReviewComment.submission_id.in_(files))
        .order_by(ReviewComment.submission_id, ReviewComment.created_at, ReviewComment.id)
    )
    return [
        {
            "submission": comment.submission_id,
            "file": files[comment.submission_id],
            "version": number,
            "lines": lines_label(comment.first_line, comment.last_line),
            "state": comment.state.value,
            "author": name(comment.author_id),
            "body": comment.body,
            "created": second(comment.created_at),
            "resolved": second(comment.resolved_at),
        }
        for comment, number in rows
    ]


async def _statuses(session: AsyncSession, files: dict[int, str], name: Namer) -> list[Row]:
    version = aliased(FileVersion)
    rows = await session.execute(
        select(SubmissionEvent, version.number)
        .outerjoin(version, version.id == SubmissionEvent.version_id)
        .where(SubmissionEvent.submission_id.in_(files))
        .order_by(SubmissionEvent.submission_id, SubmissionEvent.created_at, SubmissionEvent.id)
    )
    return [
        {
            "submission": event.submission_id,
            "file": files[event.submission_id],
            "status": event.status.value,
            "version": number,
            "who": name(event.actor_id),
            "when": second(event.created_at),
        }
        for event, number in rows
    ]
