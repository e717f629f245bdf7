"""The teams' services on their own (both stacks): leaving or being removed closes the person's
open submissions and frees what they had taken; deleting a team deletes its rows; forged ids
and roles are refused; names, gates and the number of teams are bounded."""

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import File, FileStatus, FileVersion, User, utcnow
from core.services import privacy, team_settings, teams
from core.team_errors import (
    GateRefusedError,
    OwnerCannotLeaveError,
    TeamMemberNotFoundError,
    TeamNameRefusedError,
    TeamNotFoundError,
    TeamRoleRequiredError,
    TooManyTeamsError,
)
from core.team_models import (
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)
from infra.database import SessionFactory


async def _user(session: AsyncSession, email: str) -> int:
    user = User(email=email, email_confirmed_at=utcnow())
    session.add(user)
    await session.commit()
    return user.id


async def _submission(
    session: AsyncSession,
    team_id: int,
    member_id: int,
    name: str,
    status: SubmissionStatus,
    reviewer_id: int | None = None,
) -> int:
    file = File(user_id=member_id, name=name, status=FileStatus.CHECKED)
    session.add(file)
    await session.flush()
    content = b"x = 1\n"
    version = FileVersion(
        file_id=file.id,
        number=1,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    session.add(version)
    await session.flush()
    submission = Submission(
        team_id=team_id,
        file_id=file.id,
        member_id=member_id,
        version_id=version.id,
        status=status,
        reviewer_id=reviewer_id,
    )
    session.add(submission)
    await session.commit()
    return submission.id


async def _member_id(session: AsyncSession, team_id: int, user_id: int) -> int:
    found = await session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    )
    assert found is not None
    return found


async def _state(session: AsyncSession, submission_id: int) -> tuple[SubmissionStatus, int | None]:
    session.expunge_all()
    row = await session.get_one(Submission, submission_id)
    return row.status, row.reviewer_id


async def _events(
    session: AsyncSession, submission_id: int
) -> list[tuple[SubmissionStatus, int | None]]:
    rows = await session.execute(
        select(SubmissionEvent.status, SubmissionEvent.actor_id)
        .where(SubmissionEvent.submission_id == submission_id)
        .order_by(SubmissionEvent.id)
    )
    return [(status, actor) for status, actor in rows]


async def test_leaving_or_removal_withdraws_open_submissions_and_frees_taken_ones(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:
        ana, ben, cy = [await _user(session, f"{n}@example.com") for n in ("ana", "ben", "cy")]
        view = await teams.create_team(session, ana, "Mentors", "Ana")
        assert view.invite_token is not None
        await teams.join_team(session, ben, view.invite_token, "Ben")
        await teams.join_team(session, cy, view.invite_token, "Cy")
        team = view.team_id
        await team_settings.set_role(
            session, ana, team, await _member_id(session, team, cy), TeamRole.REVIEWER
        )
        taken = await _submission(session, team, ben, "a.py", SubmissionStatus.IN_REVIEW, cy)
        approved = await _submission(session, team, ben, "b.py", SubmissionStatus.APPROVED, cy)
        cys_own = await _submission(session, team, cy, "c.py", SubmissionStatus.SUBMITTED)

        assert (
            await team_settings.remove_member(
                session, ana, team, await _member_id(session, team, cy)
            )
            == "Cy"
        )
        assert await _state(session, cys_own) == (SubmissionStatus.WITHDRAWN, None)
        assert await _events(session, cys_own) == [(SubmissionStatus.WITHDRAWN, cy)]
        assert await _state(session, taken) == (SubmissionStatus.IN_REVIEW, None)  # free again
        assert await _state(session, approved) == (SubmissionStatus.APPROVED, cy)  # closed: kept
        with pytest.raises(TeamNotFoundError):
            await teams.team_view(session, cy, team)

        assert await teams.leave_team(session, ben, team) == "Mentors"
        assert await _state(session, taken) == (SubmissionStatus.WITHDRAWN, None)
        assert await _events(session, taken) == [(SubmissionStatus.WITHDRAWN, ben)]
        assert await _events(session, approved) == []
        with pytest.raises(OwnerCannotLeaveError):
            await teams.leave_team(session, ana, team)


async def test_deleting_a_team_deletes_its_rows_and_nothing_else(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:
        ana, ben = [await _user(session, f"{n}2@example.com") for n in ("ana", "ben")]
        view = await teams.create_team(session, ana, "Gone", "Ana")
        assert view.invite_token is not None
        await teams.join_team(session, ben, view.invite_token, "Ben")
        submission = await _submission(
            session, view.team_id, ben, "a.py", SubmissionStatus.SUBMITTED
        )
        await teams.leave_team(session, ben, view.team_id)  # leaves an event behind
        assert await _events(session, submission) != []

        await teams.join_team(session, ben, view.invite_token, "Ben")  # back, as a member
        with pytest.raises(TeamRoleRequiredError):
            await team_settings.delete_team(session, ben, view.team_id)
        assert await team_settings.delete_team(session, ana, view.team_id) == "Gone"
        for model in (Team, TeamMember, Submission, SubmissionEvent):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model
        assert await session.scalar(select(func.count()).select_from(File)) == 1
        assert await session.scalar(select(func.count()).select_from(User)) == 2


async def test_forged_ids_and_roles_are_refused(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        ana, ben, eve = [await _user(session, f"{n}3@example.com") for n in ("ana", "ben", "eve")]
        first = await teams.create_team(session, ana, "First", "Ana")
        other = await teams.create_team(session, eve, "Other", "Eve")
        assert first.invite_token is not None
        await teams.join_team(session, ben, first.invite_token, "Ben")
        eves_member = await _member_id(session, other.team_id, eve)
        bens_member = await _member_id(session, first.team_id, ben)

        for team_id in (other.team_id, 0, -1, 10**6):
            with pytest.raises(TeamNotFoundError):
                await teams.team_view(session, ana, team_id)
        with pytest.raises(TeamMemberNotFoundError):  # someone of another team
            await team_settings.remove_member(session, ana, first.team_id, eves_member)
        with pytest.raises(TeamRoleRequiredError) as refused:
            await team_settings.rename_team(session, ben, first.team_id, "Mine now")
        assert refused.value.needed is TeamRole.OWNER
        with pytest.raises(TeamNotFoundError):
            await team_settings.set_role(
                session, eve, first.team_id, bens_member, TeamRole.REVIEWER
            )
        member_view = await teams.team_view(session, ben, first.team_id)
        assert (member_view.members, member_view.invite_token) == ((), None)
        assert await teams.my_teams(session, eve) == [
            teams.TeamSummary(other.team_id, "Other", TeamRole.OWNER)
        ]


def test_names_and_gates_are_bounded() -> None:
    assert teams.team_name("  Backend  ") == "Backend"
    assert teams.team_name("x" * 64) == "x" * 64
    for wrong in ("", "   ", "x" * 65, "two\nlines", "tab\there", "\u200b"):
        with pytest.raises(TeamNameRefusedError):
            teams.team_name(wrong)
    assert teams.display_name("  Ana   Lee ") == "Ana Lee"
    assert len(teams.display_name("A" * 100)) == teams.MAX_DISPLAY_NAME
    assert [team_settings.gate_value(v) for v in ("0", " 7 ", "999")] == [0, 7, 999]
    for wrong in ("", "-1", "1000", "1e3", "٣", "five"):
        with pytest.raises(GateRefusedError):
            team_settings.gate_value(wrong)


async def test_a_person_owns_at_most_twenty_teams(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        ana = await _user(session, "ana5@example.com")
        for number in range(teams.MAX_OWNED_TEAMS):
            await teams.create_team(session, ana, f"Team {number}", "Ana")
        with pytest.raises(TooManyTeamsError):
            await teams.create_team(session, ana, "One more", "Ana")
        assert len(await teams.my_teams(session, ana)) == teams.MAX_OWNED_TEAMS


async def test_a_forgotten_owner_leaves_the_team_to_a_reviewer_else_a_member(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:
        ana, ben, cy = [await _user(session, f"{n}6@example.com") for n in ("ana", "ben", "cy")]
        kept = await teams.create_team(session, ana, "Kept", "Ana")
        alone = await teams.create_team(session, ana, "Alone", "Ana")
        assert kept.invite_token is not None
        assert alone.invite_token is not None
        await teams.join_team(session, ben, kept.invite_token, "Ben")
        await teams.join_team(session, cy, kept.invite_token, "Cy")
        await teams.join_team(session, cy, alone.invite_token, "Cy")  # a member, no reviewer
        await team_settings.set_role(
            session, ana, kept.team_id, await _member_id(session, kept.team_id, ben),
            TeamRole.REVIEWER,
        )  # fmt: skip

        await privacy.forget_user(session, ana)

        assert await teams.my_teams(session, ben) == [
            teams.TeamSummary(kept.team_id, "Kept", TeamRole.OWNER)
        ]
        # A team with members but no reviewer passes to its longest-standing member, who can
        # make reviewers: deleting it would take its members' submissions with it.
        assert sorted(await teams.my_teams(session, cy), key=lambda team: team.name) == [
            teams.TeamSummary(alone.team_id, "Alone", TeamRole.OWNER),
            teams.TeamSummary(kept.team_id, "Kept", TeamRole.MEMBER),
        ]
        lonely = await teams.create_team(session, cy, "Lonely", "Cy")
        await privacy.forget_user(session, cy)
        assert await session.get(Team, lonely.team_id) is None  # no one left in it
