"""A submission's next version: when the member uploads a new version of a file under review,
once its usual check has run the version is judged by the team's gate: passing, its comments
follow the code to it and it goes back to review as a resubmission (with its open comments at
their new lines); failing, the member is told what blocks it and the review stays on the
version before.

Run by the worker (checks/review_job.py). Each (submission, version) is judged once: the gate's
run is unique per pair, so a second worker that gets there too rolls back."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.models import CheckState, DeliveryChannel, File, FileStatus, FileVersion
from core.services.gate import GateChecker, judge_version, record_gate_run
from core.services.notice_rows import notify
from core.services.review_comments import carry_comments
from core.services.submissions import S
from core.team_models import GateRun, NoticeKind, ReviewNotice, Submission, SubmissionEvent

OPEN_STATUSES = [status for status in S if status.open]


@dataclass(frozen=True)
class NextVersion:
    submission_id: int
    version_id: int


async def waiting_versions(session: AsyncSession, limit: int = 20) -> list[NextVersion]:
    """Open submissions whose file has a newer current version, checked as usual, that the
    gate has not judged for them yet."""
    submitted = aliased(FileVersion)
    current = aliased(FileVersion)
    rows = await session.execute(
        select(Submission.id, current.id)
        .join(File, File.id == Submission.file_id)
        .join(submitted, submitted.id == Submission.version_id)
        .join(
            current,
            and_(current.file_id == File.id, current.number == File.current_version),
        )
        .where(
            Submission.status.in_(OPEN_STATUSES),
            File.status != FileStatus.DELETED,
            current.number > submitted.number,
            current.check_state.in_([CheckState.CHECKED, CheckState.FAILED]),
            ~exists().where(
                GateRun.submission_id == Submission.id, GateRun.version_id == current.id
            ),
        )
        .order_by(Submission.id)
        .limit(limit)
    )
    return [NextVersion(*row) for row in rows]


async def judge_next_version(
    session: AsyncSession, checker: GateChecker, waiting: NextVersion
) -> bool:
    """Judge the version: passing, carry the comments to it and resubmit; failing, tell the
    member. False when another worker judged it first, or the review closed meanwhile."""
    submission = await session.get_one(Submission, waiting.submission_id)
    team_id, member_id, file_id = submission.team_id, submission.member_id, submission.file_id
    verdict = await judge_version(session, checker, team_id=team_id, version_id=waiting.version_id)
    submission = await session.get_one(Submission, waiting.submission_id, populate_existing=True)
    if not submission.status.open:  # withdrawn or approved while ruff ran: nothing written
        await session.rollback()
        return False
    run = record_gate_run(
        session,
        verdict,
        team_id=team_id,
        member_id=member_id,
        file_id=file_id,
        version_id=waiting.version_id,
        submission_id=submission.id,
    )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        return False
    if verdict.passed:
        # The comments go to the version that goes to review (from wherever they stand: a
        # version that failed the gate in between never becomes the one under review).
        await carry_comments(session, submission.id, waiting.version_id)
        submission.version_id = waiting.version_id
        submission.status = S.RESUBMITTED
        event = SubmissionEvent(
            submission_id=submission.id,
            status=S.RESUBMITTED,
            version_id=waiting.version_id,
            actor_id=member_id,
        )
        session.add(event)
        await session.flush()
        await notify(session, submission, event, actor_id=member_id)
    else:
        for channel in (DeliveryChannel.TELEGRAM, DeliveryChannel.EMAIL):
            session.add(
                ReviewNotice(
                    submission_id=submission.id,
                    gate_run_id=run.id,
                    kind=NoticeKind.BLOCKED,
                    recipient_id=member_id,
                    channel=channel,
                )
            )
    await session.commit()
    return True
