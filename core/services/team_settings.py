"""The owner's settings of a team: roles, removing people, the name, the invite link, the rules
and the gate, the group chat, and deleting the team. Every step is the owner's alone (see
`core/services/teams.py` for how the person and their role are checked)."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NoOwnConfigError
from core.models import ReviewConfigText, RulePreset
from core.ruff_config import OwnConfig
from core.services.rules import ConfigValidator
from core.services.teams import (
    TeamView,
    drop_member,
    membership,
    new_invite_token,
    team_name,
    team_view,
)
from core.team_errors import (
    GateRefusedError,
    GroupLinkedElsewhereError,
    NewOwnerNotReviewerError,
    OwnRoleError,
    TeamMemberNotFoundError,
    TeamNotFoundError,
    TeamRoleRequiredError,
)
from core.team_models import Team, TeamMember, TeamRole

MAX_GATE_ISSUES = 999


async def _member_of(session: AsyncSession, team_id: int, member_id: int) -> TeamMember:
    member = await session.scalar(
        select(TeamMember)
        .where(TeamMember.id == member_id, TeamMember.team_id == team_id)
        .with_for_update()
    )
    if member is None:
        raise TeamMemberNotFoundError
    return member


async def _others_member(
    session: AsyncSession, owner_id: int, team_id: int, member_id: int
) -> TeamMember:
    """Someone else in the owner's team (the owner's own membership is not theirs to change
    from these buttons)."""
    await membership(session, owner_id, team_id, TeamRole.OWNER, for_update=True)
    member = await _member_of(session, team_id, member_id)
    if member.user_id == owner_id:
        raise OwnRoleError
    return member


async def member_view(
    session: AsyncSession, owner_id: int, team_id: int, member_id: int
) -> tuple[TeamView, TeamMember]:
    """The team and one of its people, for the owner's screen of that person."""
    view = await team_view(session, owner_id, team_id, TeamRole.OWNER)
    member = await _member_of(session, team_id, member_id)
    if member.user_id == owner_id:
        raise OwnRoleError
    return view, member


async def set_role(
    session: AsyncSession, owner_id: int, team_id: int, member_id: int, role: TeamRole
) -> TeamMember:
    """Make someone a reviewer or a member again."""
    if role is TeamRole.OWNER:
        raise ValueError("the team is handed on with make_owner")
    member = await _others_member(session, owner_id, team_id, member_id)
    member.role = role
    await session.commit()
    return member


async def make_owner(
    session: AsyncSession, owner_id: int, team_id: int, member_id: int
) -> TeamMember:
    """Hand the team to one of its reviewers; the owner stays on as a reviewer."""
    _team, owner = await membership(session, owner_id, team_id, TeamRole.OWNER, for_update=True)
    member = await _others_member(session, owner_id, team_id, member_id)
    if member.role is not TeamRole.REVIEWER:
        raise NewOwnerNotReviewerError
    owner.role = TeamRole.REVIEWER
    member.role = TeamRole.OWNER
    await session.commit()
    return member


async def remove_member(session: AsyncSession, owner_id: int, team_id: int, member_id: int) -> str:
    """Take someone out of the team (their display name is returned)."""
    member = await _others_member(session, owner_id, team_id, member_id)
    name = member.display_name
    await drop_member(session, member)
    await session.commit()
    return name


async def _owned(session: AsyncSession, owner_id: int, team_id: int) -> Team:
    team, _owner = await membership(session, owner_id, team_id, TeamRole.OWNER, for_update=True)
    return team


async def rename_team(session: AsyncSession, owner_id: int, team_id: int, name: str) -> TeamView:
    clean = team_name(name)
    team = await _owned(session, owner_id, team_id)
    team.name = clean
    await session.commit()
    return await team_view(session, owner_id, team_id)


async def renew_invite(session: AsyncSession, owner_id: int, team_id: int) -> TeamView:
    """A new invite link; the old one stops working at once."""
    team = await _owned(session, owner_id, team_id)
    team.invite_token = new_invite_token()
    await session.commit()
    return await team_view(session, owner_id, team_id)


async def delete_team(session: AsyncSession, owner_id: int, team_id: int) -> str:
    """Delete the team with its memberships, submissions and comments (the gate's checks stay
    in the members' logs). Its name is returned."""
    team = await _owned(session, owner_id, team_id)
    name = team.name
    await session.delete(team)
    await session.commit()
    return name


async def choose_team_preset(
    session: AsyncSession, owner_id: int, team_id: int, preset: RulePreset
) -> TeamView:
    """A built-in preset, or (`custom`) the configuration the team was given before."""
    team = await _owned(session, owner_id, team_id)
    if preset is RulePreset.CUSTOM and team.config_hash is None:
        await session.rollback()
        raise NoOwnConfigError
    team.preset = preset
    await session.commit()
    return await team_view(session, owner_id, team_id)


async def use_team_config(
    session: AsyncSession,
    owner_id: int,
    team_id: int,
    config: OwnConfig,
    validate: ConfigValidator,
) -> TeamView:
    """Validate the configuration with ruff (ConfigRefusedError with ruff's reason) and make
    it the team's rules."""
    await _owned(session, owner_id, team_id)  # before ruff is asked anything
    await session.rollback()
    await validate(config)
    if await session.get(ReviewConfigText, config.hash) is None:
        session.add(ReviewConfigText(hash=config.hash, text=config.normalized))
        await session.flush()
    team = await _owned(session, owner_id, team_id)
    team.config_hash = config.hash
    team.preset = RulePreset.CUSTOM
    await session.commit()
    return await team_view(session, owner_id, team_id)


async def team_config_text(session: AsyncSession, config_hash: str | None) -> str | None:
    if config_hash is None:
        return None
    return await session.scalar(
        select(ReviewConfigText.text).where(ReviewConfigText.hash == config_hash)
    )


def gate_value(raw: str) -> int:
    """The gate as a person types it: a whole number from 0 to MAX_GATE_ISSUES."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_GATE_ISSUES:
        raise GateRefusedError(MAX_GATE_ISSUES)
    return int(text)


async def set_gate(
    session: AsyncSession, owner_id: int, team_id: int, max_issues: int
) -> TeamView:
    if not 0 <= max_issues <= MAX_GATE_ISSUES:
        raise GateRefusedError(MAX_GATE_ISSUES)
    team = await _owned(session, owner_id, team_id)
    team.gate_max_issues = max_issues
    await session.commit()
    return await team_view(session, owner_id, team_id)


async def link_group(session: AsyncSession, owner_id: int, team_id: int, chat_id: int) -> str:
    """Link a group chat to the team (its name is returned). A group linked to another team
    moves only when the same person owns that team too."""
    team = await _owned(session, owner_id, team_id)
    linked = await session.scalar(
        select(Team).where(Team.group_chat_id == chat_id, Team.id != team.id).with_for_update()
    )
    if linked is not None:
        try:
            await membership(session, owner_id, linked.id, TeamRole.OWNER)
        except (TeamNotFoundError, TeamRoleRequiredError):
            await session.rollback()
            raise GroupLinkedElsewhereError from None
        linked.group_chat_id = None
        await session.flush()
    team.group_chat_id = chat_id
    name = team.name
    await session.commit()
    return name


async def unlink_group(session: AsyncSession, owner_id: int, team_id: int) -> TeamView:
    team = await _owned(session, owner_id, team_id)
    await session.execute(update(Team).where(Team.id == team.id).values(group_chat_id=None))
    await session.commit()
    return await team_view(session, owner_id, team_id)
