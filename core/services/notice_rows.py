"""The notices a review step leaves in the outbox (`review_notices`), in the step's transaction:
to the other side, by chat and by email, and one line to the team's group chat when it has one.
checks/review_job.py sends them."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import DeliveryChannel
from core.team_models import (
    NoticeKind,
    ReviewNotice,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)

REVIEWING_ROLES = (TeamRole.OWNER, TeamRole.REVIEWER)
S = SubmissionStatus


async def reviewers_of(session: AsyncSession, team_id: int, *, besides: int) -> list[int]:
    """The team's owner and reviewers, but `besides` (the submission's member)."""
    rows = await session.scalars(
        select(TeamMember.user_id).where(
            TeamMember.team_id == team_id,
            TeamMember.role.in_(REVIEWING_ROLES),
            TeamMember.user_id != besides,
        )
    )
    return list(rows)


async def notify(
    session: AsyncSession, submission: Submission, event: SubmissionEvent, *, actor_id: int | None
) -> None:
    """The notices of a status change: to the other side, by chat and by email, and one line to
    the team's group chat when it has one."""
    status = event.status
    reviewers = await reviewers_of(session, submission.team_id, besides=submission.member_id)
    taker = submission.reviewer_id if submission.reviewer_id in reviewers else None
    recipients: list[int]
    if status is S.SUBMITTED:
        recipients = reviewers
    elif status in {S.RESUBMITTED, S.WITHDRAWN}:
        recipients = [taker] if taker is not None else reviewers
    elif status is S.IN_REVIEW:
        recipients = [submission.member_id, *(r for r in reviewers if r != actor_id)]
    else:  # changes requested, approved
        recipients = [submission.member_id]
    kind = NoticeKind(status.value)
    for recipient in dict.fromkeys(recipients):
        for channel in (DeliveryChannel.TELEGRAM, DeliveryChannel.EMAIL):
            session.add(
                ReviewNotice(
                    submission_id=submission.id,
                    event_id=event.id,
                    kind=kind,
                    recipient_id=recipient,
                    channel=channel,
                )
            )
    group = await session.scalar(select(Team.group_chat_id).where(Team.id == submission.team_id))
    if group is not None:
        session.add(
            ReviewNotice(
                submission_id=submission.id,
                event_id=event.id,
                kind=kind,
                recipient_id=None,
                channel=DeliveryChannel.TELEGRAM,
            )
        )
