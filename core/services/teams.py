"""Teams: creating one, joining by its invite link, leaving, and what a person sees of a team.

Every function takes the acting person's user id and checks that they are in the team, with
the role the step needs: anyone else gets TeamNotFoundError (a forged id reads the same as a
team that does not exist), a member without the role TeamRoleRequiredError. The owner's
settings of a team (roles, rules, gate, link, group chat) are in `team_settings.py`.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import RulePreset
from core.services import submissions
from core.team_errors import (
    AlreadyInTeamError,
    InviteNotValidError,
    OwnerCannotLeaveError,
    TeamNameRefusedError,
    TeamNotFoundError,
    TeamRoleRequiredError,
    TooManyTeamsError,
)
from core.team_models import (
    Submission,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)

MAX_TEAM_NAME = 64
MAX_DISPLAY_NAME = 64
MAX_OWNED_TEAMS = 20
# What each role may do, as a rank: a step that needs a reviewer is the owner's too.
ROLE_RANK = {TeamRole.MEMBER: 0, TeamRole.REVIEWER: 1, TeamRole.OWNER: 2}
CLOSED = (SubmissionStatus.APPROVED, SubmissionStatus.WITHDRAWN)


@dataclass(frozen=True)
class TeamSummary:
    team_id: int
    name: str
    role: TeamRole


@dataclass(frozen=True)
class MemberView:
    member_id: int  # the membership's id (what the owner's buttons carry)
    user_id: int
    display_name: str
    role: TeamRole


@dataclass(frozen=True)
class TeamView:
    """A team as one of its people sees it: the members, the invite token and the linked
    group only for its owner and reviewers (None / empty for a member)."""

    team_id: int
    name: str
    role: TeamRole  # the viewer's
    member_count: int
    members: tuple[MemberView, ...]
    preset: RulePreset
    config_hash: str | None
    gate_max_issues: int
    invite_token: str | None
    group_chat_id: int | None

    @property
    def reviews(self) -> bool:
        return self.role is not TeamRole.MEMBER


def team_name(raw: str) -> str:
    """The name as it is kept: stripped, 1 to 64 printable characters."""
    name = raw.strip()
    if not 1 <= len(name) <= MAX_TEAM_NAME or not name.isprintable():
        raise TeamNameRefusedError(MAX_TEAM_NAME)
    return name


def display_name(raw: str) -> str:
    """How the team sees a person: their Telegram name, cut to fit."""
    return " ".join(raw.split())[:MAX_DISPLAY_NAME] or "?"


def new_invite_token() -> str:
    return secrets.token_urlsafe(16)


async def membership(
    session: AsyncSession,
    user_id: int,
    team_id: int,
    needed: TeamRole = TeamRole.MEMBER,
    *,
    for_update: bool = False,
) -> tuple[Team, TeamMember]:
    """The team and the person's membership in it; TeamNotFoundError when they are not in it,
    TeamRoleRequiredError when their role is below `needed`."""
    query = (
        select(Team, TeamMember)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.id == team_id, TeamMember.user_id == user_id)
    )
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise TeamNotFoundError
    team, member = row
    if ROLE_RANK[member.role] < ROLE_RANK[needed]:
        raise TeamRoleRequiredError(needed=needed)
    return team, member


async def create_team(session: AsyncSession, user_id: int, name: str, shown_as: str) -> TeamView:
    """A new team with the person as its owner (TooManyTeamsError past MAX_OWNED_TEAMS)."""
    clean = team_name(name)
    owned = await session.scalar(
        select(func.count())
        .select_from(TeamMember)
        .where(TeamMember.user_id == user_id, TeamMember.role == TeamRole.OWNER)
    )
    if (owned or 0) >= MAX_OWNED_TEAMS:
        raise TooManyTeamsError(MAX_OWNED_TEAMS)
    team = Team(name=clean, preset=RulePreset.DEFAULT, invite_token=new_invite_token())
    session.add(team)
    await session.flush()
    session.add(
        TeamMember(
            team_id=team.id,
            user_id=user_id,
            role=TeamRole.OWNER,
            display_name=display_name(shown_as),
        )
    )
    await session.commit()
    return await team_view(session, user_id, team.id)


async def my_teams(session: AsyncSession, user_id: int) -> list[TeamSummary]:
    rows = await session.execute(
        select(Team.id, Team.name, TeamMember.role)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
        .order_by(Team.name, Team.id)
    )
    return [TeamSummary(team_id, name, role) for team_id, name, role in rows]


async def owned_teams(session: AsyncSession, user_id: int) -> list[Team]:
    """The teams the person owns (to link a group chat to)."""
    return list(
        await session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.user_id == user_id, TeamMember.role == TeamRole.OWNER)
            .order_by(Team.name, Team.id)
        )
    )


async def team_view(
    session: AsyncSession, user_id: int, team_id: int, needed: TeamRole = TeamRole.MEMBER
) -> TeamView:
    team, member = await membership(session, user_id, team_id, needed)
    rows = (
        await session.scalars(
            select(TeamMember).where(TeamMember.team_id == team.id).order_by(TeamMember.id)
        )
    ).all()
    reviews = member.role is not TeamRole.MEMBER
    members = tuple(
        sorted(
            (MemberView(m.id, m.user_id, m.display_name, m.role) for m in rows),
            key=lambda m: (-ROLE_RANK[m.role], m.display_name.casefold(), m.member_id),
        )
    )
    return TeamView(
        team_id=team.id,
        name=team.name,
        role=member.role,
        member_count=len(rows),
        members=members if reviews else (),
        preset=team.preset,
        config_hash=team.config_hash,
        gate_max_issues=team.gate_max_issues,
        invite_token=team.invite_token if reviews else None,
        group_chat_id=team.group_chat_id if reviews else None,
    )


async def invited_team(session: AsyncSession, token: str) -> Team:
    """The team whose invite link this is (InviteNotValidError for an unknown or old one)."""
    team = await session.scalar(select(Team).where(Team.invite_token == token)) if token else None
    if team is None:
        raise InviteNotValidError
    return team


async def join_team(session: AsyncSession, user_id: int, token: str, shown_as: str) -> TeamView:
    """Join the team whose invite link this is, as a member."""
    team = await invited_team(session, token)
    already = await session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id)
    )
    if already is not None:
        raise AlreadyInTeamError(team.name)
    team_id, team_name = team.id, team.name
    session.add(
        TeamMember(
            team_id=team_id,
            user_id=user_id,
            role=TeamRole.MEMBER,
            display_name=display_name(shown_as),
        )
    )
    try:
        await session.commit()
    except IntegrityError as error:  # the link opened twice at once, or the team just deleted
        await session.rollback()
        joined = await session.scalar(
            select(TeamMember.id).where(
                TeamMember.team_id == team_id, TeamMember.user_id == user_id
            )
        )
        if joined is None:
            raise InviteNotValidError from error
        raise AlreadyInTeamError(team_name) from error
    return await team_view(session, user_id, team_id)


async def leave_team(session: AsyncSession, user_id: int, team_id: int) -> str:
    """Leave a team (its name is returned); the owner cannot: they delete it or hand it on."""
    team, member = await membership(session, user_id, team_id, for_update=True)
    if member.role is TeamRole.OWNER:
        raise OwnerCannotLeaveError
    name = team.name
    await drop_member(session, member)
    await session.commit()
    return name


async def drop_member(session: AsyncSession, member: TeamMember) -> None:
    """Take the person out of the team: their open submissions there are withdrawn, and those
    they had taken as a reviewer are free again. Not committed."""
    await close_member_submissions(session, team_id=member.team_id, member_id=member.user_id)
    await session.execute(
        update(Submission)
        .where(
            Submission.team_id == member.team_id,
            Submission.reviewer_id == member.user_id,
            Submission.status.not_in(CLOSED),
        )
        .values(reviewer_id=None)
    )
    await session.delete(member)
    await session.flush()


async def close_member_submissions(session: AsyncSession, *, team_id: int, member_id: int) -> int:
    """Withdraw every open submission of the person (`member_id`: their user id) in the team,
    each with its event and its notices to the reviewers; how many. Not committed."""
    return await submissions.withdraw_open(session, member_id=member_id, team_id=team_id)
