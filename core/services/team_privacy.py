"""/forget within teams: the person's memberships, submissions and the comments on them go;
what they wrote or did on others' submissions stays without their name ("a former
reviewer"); a team they owned passes to its longest-standing reviewer (else member), or is
deleted when no one else is in it. Part of `privacy.forget_user`'s transaction."""

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Check
from core.team_models import (
    GateRun,
    ReviewComment,
    ReviewNotice,
    Submission,
    SubmissionEvent,
    Team,
    TeamMember,
    TeamRole,
)

_SUCCESSION = {TeamRole.REVIEWER: 0, TeamRole.MEMBER: 1}


async def forget_in_teams(session: AsyncSession, user_id: int) -> set[str]:
    """Remove the person from every team; the configuration hashes of the teams deleted with
    them (to be deleted too when no one else uses them)."""
    freed_configs = await _hand_over_owned_teams(session, user_id)
    theirs = select(Submission.id).where(Submission.member_id == user_id).scalar_subquery()
    await session.execute(delete(ReviewNotice).where(ReviewNotice.submission_id.in_(theirs)))
    await session.execute(delete(ReviewNotice).where(ReviewNotice.recipient_id == user_id))
    await session.execute(delete(ReviewComment).where(ReviewComment.submission_id.in_(theirs)))
    await session.execute(delete(SubmissionEvent).where(SubmissionEvent.submission_id.in_(theirs)))
    await session.execute(delete(GateRun).where(GateRun.member_id == user_id))
    await session.execute(delete(Submission).where(Submission.member_id == user_id))
    # What they did on others' submissions stays, by "a former reviewer".
    await session.execute(
        update(ReviewComment).where(ReviewComment.author_id == user_id).values(author_id=None)
    )
    await session.execute(
        update(ReviewComment).where(ReviewComment.resolved_by == user_id).values(resolved_by=None)
    )
    await session.execute(
        update(SubmissionEvent).where(SubmissionEvent.actor_id == user_id).values(actor_id=None)
    )
    await session.execute(
        update(Submission).where(Submission.reviewer_id == user_id).values(reviewer_id=None)
    )
    await session.execute(delete(TeamMember).where(TeamMember.user_id == user_id))
    return freed_configs


async def _hand_over_owned_teams(session: AsyncSession, user_id: int) -> set[str]:
    owned = list(
        await session.scalars(
            select(TeamMember.team_id).where(
                TeamMember.user_id == user_id, TeamMember.role == TeamRole.OWNER
            )
        )
    )
    freed: set[str] = set()
    for team_id in owned:
        others = list(
            await session.scalars(
                select(TeamMember).where(
                    TeamMember.team_id == team_id, TeamMember.user_id != user_id
                )
            )
        )
        if others:
            successor = min(
                others,
                key=lambda member: (_SUCCESSION.get(member.role, 2), member.joined_at, member.id),
            )
            successor.role = TeamRole.OWNER
            continue
        team = await session.get_one(Team, team_id)
        if team.config_hash is not None:
            freed.add(team.config_hash)
        await session.execute(update(Check).where(Check.team_id == team_id).values(team_id=None))
        await _delete_team_rows(session, team_id)
    return freed


async def _delete_team_rows(session: AsyncSession, team_id: int) -> None:
    """A team and everything in it, children first (the cascades would do the same)."""
    submissions = select(Submission.id).where(Submission.team_id == team_id).scalar_subquery()
    await session.execute(delete(ReviewNotice).where(ReviewNotice.submission_id.in_(submissions)))
    await session.execute(
        delete(ReviewComment).where(ReviewComment.submission_id.in_(submissions))
    )
    await session.execute(
        delete(SubmissionEvent).where(SubmissionEvent.submission_id.in_(submissions))
    )
    await session.execute(delete(GateRun).where(GateRun.team_id == team_id))
    await session.execute(delete(Submission).where(Submission.team_id == team_id))
    await session.execute(delete(TeamMember).where(TeamMember.team_id == team_id))
    await session.execute(delete(Team).where(Team.id == team_id))
