"""Sending a file for review and every step after it: take, request changes, approve, withdraw.

Each step is stored as a `SubmissionEvent` (what it became, the version, who, when) and, in the
same transaction, the review notices to the other side (rows of the notices' outbox, sent by
the worker: checks/review_job.py) and one line to the team's group chat when it has one.

Who may do what: the member who submitted withdraws; the team's owner and reviewers take,
request changes and approve, never on their own file. Anyone else, and forged ids, get
`SubmissionNotFoundError`: nothing tells them the submission exists. Membership is read at
every step, so leaving a team or being removed ends access at once."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FileNotFoundForUserError
from core.models import LARGEST_ID, File, FileStatus, FileVersion
from core.services.gate import GateChecker, GateVerdict, judge_version, record_gate_run
from core.services.notice_rows import REVIEWING_ROLES, notify
from core.team_errors import (
    AlreadySubmittedError,
    NotInAnyTeamError,
    OwnSubmissionError,
    SubmissionNotFoundError,
    SubmissionStatusError,
    TeamNotFoundError,
)
from core.team_models import (
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
)

S = SubmissionStatus
# The statuses each step may start from.
TAKE_FROM = {S.SUBMITTED, S.RESUBMITTED}
CHANGES_FROM = {S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED}
APPROVE_FROM = {S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED}


@dataclass(frozen=True)
class TeamChoice:
    team_id: int
    name: str


@dataclass(frozen=True)
class SubmitOutcome:
    """`submission_id` None: the version did not pass the gate and nothing was sent."""

    submission_id: int | None
    team_name: str
    file_name: str
    version: int
    verdict: GateVerdict


async def teams_to_submit_to(session: AsyncSession, user_id: int) -> list[TeamChoice]:
    """The teams the person is in (any role), by name."""
    rows = await session.execute(
        select(Team.id, Team.name)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
        .order_by(Team.name, Team.id)
    )
    return [TeamChoice(*row) for row in rows]


async def submit_for_review(
    session: AsyncSession, checker: GateChecker, *, user_id: int, file_id: int, team_id: int
) -> SubmitOutcome:
    """Judge the file's current version by the team's gate; when it passes, submit it (the
    reviewers are notified), else only the gate's run is recorded and the verdict says why."""
    file = await _own_active_file(session, user_id, file_id)
    if not await teams_to_submit_to(session, user_id):
        raise NotInAnyTeamError
    team = await _team_of(session, team_id, user_id)
    await _refuse_if_open(session, team.id, file.id)
    version = await session.scalar(
        select(FileVersion).where(
            FileVersion.file_id == file.id, FileVersion.number == file.current_version
        )
    )
    if version is None:
        raise FileNotFoundForUserError
    team_name, file_name, number, version_id = team.name, file.name, version.number, version.id
    verdict = await judge_version(session, checker, team_id=team.id, version_id=version_id)
    run = record_gate_run(
        session,
        verdict,
        team_id=team_id,
        member_id=user_id,
        file_id=file_id,
        version_id=version_id,
        submission_id=None,
    )
    submission_id = None
    if verdict.passed:
        submission = Submission(
            team_id=team_id,
            file_id=file_id,
            member_id=user_id,
            version_id=version_id,
            status=S.SUBMITTED,
        )
        session.add(submission)
        try:
            await session.flush()
        except IntegrityError as error:  # submitted meanwhile, from another chat
            await session.rollback()
            await _refuse_if_open(session, team_id, file_id)
            raise SubmissionStatusError(S.SUBMITTED) from error
        run.submission_id = submission.id
        await _step(session, submission, S.SUBMITTED, actor_id=user_id)
        submission_id = submission.id
    await session.commit()
    return SubmitOutcome(submission_id, team_name, file_name, number, verdict)


async def take(session: AsyncSession, reviewer_id: int, submission_id: int) -> Submission:
    submission = await _for_reviewer(session, reviewer_id, submission_id, TAKE_FROM)
    submission.reviewer_id = reviewer_id
    await _step(session, submission, S.IN_REVIEW, actor_id=reviewer_id)
    await session.commit()
    return submission


async def request_changes(
    session: AsyncSession, reviewer_id: int, submission_id: int
) -> Submission:
    """The member gets the open comments by line (the notice reads them when it is sent)."""
    submission = await _for_reviewer(session, reviewer_id, submission_id, CHANGES_FROM)
    submission.reviewer_id = reviewer_id
    await _step(session, submission, S.CHANGES_REQUESTED, actor_id=reviewer_id)
    await session.commit()
    return submission


async def approve(session: AsyncSession, reviewer_id: int, submission_id: int) -> Submission:
    submission = await _for_reviewer(session, reviewer_id, submission_id, APPROVE_FROM)
    submission.reviewer_id = reviewer_id
    await _step(session, submission, S.APPROVED, actor_id=reviewer_id)
    await session.commit()
    return submission


async def withdraw(session: AsyncSession, member_id: int, submission_id: int) -> Submission:
    submission = await visible_submission(session, member_id, submission_id)
    if submission.member_id != member_id:
        raise SubmissionNotFoundError
    if not submission.status.open:
        raise SubmissionStatusError(submission.status)
    await _step(session, submission, S.WITHDRAWN, actor_id=member_id)
    await session.commit()
    return submission


async def withdraw_open(
    session: AsyncSession,
    *,
    member_id: int,
    team_id: int | None = None,
    file_id: int | None = None,
) -> int:
    """Withdraw the member's open submissions (in one team, or of one file), each with its
    event and notices, as if they had pressed Withdraw: when they leave a team or delete the
    file. How many; not committed."""
    query = select(Submission).where(
        Submission.member_id == member_id, Submission.status.not_in([S.APPROVED, S.WITHDRAWN])
    )
    if team_id is not None:
        query = query.where(Submission.team_id == team_id)
    if file_id is not None:
        query = query.where(Submission.file_id == file_id)
    open_ones = list(await session.scalars(query.order_by(Submission.id)))
    for submission in open_ones:
        await _step(session, submission, S.WITHDRAWN, actor_id=member_id)
    return len(open_ones)


async def visible_submission(
    session: AsyncSession, viewer_id: int, submission_id: int, *, for_update: bool = False
) -> Submission:
    """The submission, when the viewer is in its team now and is its member or one of the
    team's owner and reviewers."""
    if not 0 < submission_id <= LARGEST_ID:
        raise SubmissionNotFoundError
    query = (
        select(Submission, TeamMember.role)
        .join(TeamMember, TeamMember.team_id == Submission.team_id)
        .where(Submission.id == submission_id, TeamMember.user_id == viewer_id)
    )
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise SubmissionNotFoundError
    submission, role = row
    if submission.member_id != viewer_id and role not in REVIEWING_ROLES:
        raise SubmissionNotFoundError
    return submission


async def _step(
    session: AsyncSession, submission: Submission, status: SubmissionStatus, *, actor_id: int
) -> SubmissionEvent:
    """Store the change and its notices (see `notify`)."""
    submission.status = status
    event = SubmissionEvent(
        submission_id=submission.id,
        status=status,
        version_id=submission.version_id,
        actor_id=actor_id,
    )
    session.add(event)
    await session.flush()
    await notify(session, submission, event, actor_id=actor_id)
    return event


async def _for_reviewer(
    session: AsyncSession,
    reviewer_id: int,
    submission_id: int,
    allowed_from: set[SubmissionStatus],
) -> Submission:
    submission = await visible_submission(session, reviewer_id, submission_id, for_update=True)
    if submission.member_id == reviewer_id:
        raise OwnSubmissionError
    if submission.status not in allowed_from:
        raise SubmissionStatusError(submission.status)
    return submission


async def _own_active_file(session: AsyncSession, user_id: int, file_id: int) -> File:
    file = (
        await session.scalar(
            select(File).where(
                File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED
            )
        )
        if 0 < file_id <= LARGEST_ID
        else None
    )
    if file is None:
        raise FileNotFoundForUserError
    return file


async def _team_of(session: AsyncSession, team_id: int, user_id: int) -> Team:
    team = (
        await session.scalar(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.id == team_id, TeamMember.user_id == user_id)
        )
        if 0 < team_id <= LARGEST_ID
        else None
    )
    if team is None:
        raise TeamNotFoundError
    return team


async def _refuse_if_open(session: AsyncSession, team_id: int, file_id: int) -> None:
    status = await session.scalar(
        select(Submission.status).where(
            Submission.team_id == team_id,
            Submission.file_id == file_id,
            Submission.status.not_in([S.APPROVED, S.WITHDRAWN]),
        )
    )
    if status is not None:
        raise AlreadySubmittedError(status)
