"""A team with a submission under review, written directly with the models (the review
services are not this helper's subject), and review notices inserted as those services do:
one row per recipient and channel, in the transaction of the status change."""

import asyncio
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    Check,
    CheckResult,
    CheckState,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
    RulePreset,
    TelegramAccount,
    User,
    utcnow,
)
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
from infra.database import SessionFactory

SOURCE = b"import os\n\n\ndef f():\n    return 1\n"
ISSUE = {
    "code": "F401",
    "message": "`os` imported but unused",
    "line": 1,
    "column": 8,
    "end_line": 1,
    "end_column": 10,
    "fixable": True,
}


@dataclass
class Scene:
    team_id: int
    file_id: int
    submission_id: int
    users: dict[str, int]  # display name -> user id
    versions: dict[int, int]  # number -> version id
    submitted: int  # the version number under review
    checks: dict[int, int] = field(default_factory=dict)  # version number -> gate check id


async def add_user(
    session_factory: SessionFactory,
    email: str,
    *,
    telegram_id: int | None,
    language_code: str = "en",
) -> int:
    """A registered user, with a linked Telegram account whose chat is `telegram_id`."""
    async with session_factory() as session:
        user = User(email=email, email_confirmed_at=utcnow())
        session.add(user)
        await session.flush()
        if telegram_id is not None:
            session.add(
                TelegramAccount(
                    telegram_id=telegram_id,
                    chat_id=telegram_id,
                    user_id=user.id,
                    language_code=language_code,
                    linked_at=utcnow(),
                )
            )
        await session.commit()
        return user.id


async def build_scene(
    session_factory: SessionFactory,
    members: dict[str, tuple[int, TeamRole]],  # display name -> (user id, role)
    *,
    member: str,
    team: str = "Backend",
    file_name: str = "calc.py",
    versions: int = 2,
    submitted: int | None = None,
    status: SubmissionStatus = SubmissionStatus.SUBMITTED,
    group_chat_id: int | None = None,
) -> Scene:
    """The team, the member's file with `versions` versions (each with a gate check of one
    issue under `strict`, at most 2), and the submission of version `submitted` (default: the
    last), which passed the gate."""
    submitted = submitted or versions
    async with session_factory() as session:
        row = Team(
            name=team,
            preset=RulePreset.STRICT,
            gate_max_issues=2,
            invite_token=hashlib.sha256(team.encode()).hexdigest()[:32],
            group_chat_id=group_chat_id,
        )
        session.add(row)
        await session.flush()
        for name, (user_id, role) in members.items():
            session.add(TeamMember(team_id=row.id, user_id=user_id, role=role, display_name=name))
        member_id = members[member][0]
        file = File(user_id=member_id, name=file_name, status=FileStatus.CHECKED)
        file.current_version = versions
        session.add(file)
        await session.flush()
        version_ids: dict[int, int] = {}
        for number in range(1, versions + 1):
            version = FileVersion(
                file_id=file.id,
                number=number,
                content=SOURCE,
                size=len(SOURCE),
                sha256=hashlib.sha256(SOURCE).hexdigest(),
                check_state=CheckState.CHECKED,
            )
            session.add(version)
            await session.flush()
            version_ids[number] = version.id
        submission = Submission(
            team_id=row.id,
            file_id=file.id,
            member_id=member_id,
            version_id=version_ids[submitted],
            status=status,
        )
        session.add(submission)
        await session.flush()
        users = {name: user_id for name, (user_id, _role) in members.items()}
        scene = Scene(row.id, file.id, submission.id, users, version_ids, submitted)
        for number, version_id in version_ids.items():
            scene.checks[number] = await _gate_check(
                session, scene, version_id, member_id, judged=number <= submitted
            )
        await session.commit()
    return scene


async def _gate_check(
    session: AsyncSession, scene: Scene, version_id: int, member_id: int, *, judged: bool
) -> int:
    now = utcnow()
    check = Check(
        version_id=version_id,
        preset=RulePreset.STRICT,
        ruff_version="0.15.0",
        started_at=now,
        finished_at=now,
        result=CheckResult.FAILED,
        issue_count=1,
        issues=[ISSUE],
        gate=True,
        team_id=scene.team_id,
    )
    session.add(check)
    await session.flush()
    # Every version is judged: those up to the one under review passed the gate, the later
    # ones were stopped by it (else the worker's resubmission step would judge them now).
    session.add(
        GateRun(
            team_id=scene.team_id,
            member_id=member_id,
            file_id=scene.file_id,
            version_id=version_id,
            submission_id=scene.submission_id,
            check_id=check.id,
            passed=judged,
            issue_count=1 if judged else 7,
        )
    )
    return check.id


async def add_comment(
    session_factory: SessionFactory,
    scene: Scene,
    *,
    author: str | None,
    body: str,
    lines: tuple[int, int] | None,
    at: tuple[int, int] | None = None,
    state: CommentState = CommentState.OPEN,
    version: int = 1,
) -> int:
    """A comment written on `version` at `lines` (None: general), standing at `at` now."""
    async with session_factory() as session:
        comment = ReviewComment(
            submission_id=scene.submission_id,
            author_id=None if author is None else scene.users[author],
            version_id=scene.versions[version],
            first_line=None if lines is None else lines[0],
            last_line=None if lines is None else lines[1],
            line_text="x = 1",
            body=body,
            state=state,
            at_version_id=None if at is None else scene.versions[max(scene.versions)],
            at_first_line=None if at is None else at[0],
            at_last_line=None if at is None else at[1],
        )
        session.add(comment)
        await session.commit()
        return comment.id


async def add_notices(
    session_factory: SessionFactory,
    scene: Scene,
    kind: NoticeKind,
    *,
    to: list[str],
    actor: str | None,
    channels: tuple[DeliveryChannel, ...] = (DeliveryChannel.TELEGRAM, DeliveryChannel.EMAIL),
    group: bool = False,
    version: int | None = None,
) -> list[int]:
    """A status change (an event, or for BLOCKED the gate run that failed) and its notices: one
    per recipient and channel, and the group chat's line when `group`."""
    number = version or scene.submitted
    async with session_factory() as session:
        event_id = gate_run_id = None
        if kind is NoticeKind.BLOCKED:  # the run that stopped that version (build_scene)
            gate_run_id = await session.scalar(
                select(GateRun.id).where(
                    GateRun.submission_id == scene.submission_id,
                    GateRun.version_id == scene.versions[number],
                    GateRun.passed.is_(False),
                )
            )
            assert gate_run_id is not None, f"version {number} was not stopped by the gate"
        else:
            event = SubmissionEvent(
                submission_id=scene.submission_id,
                status=SubmissionStatus(kind.value),
                version_id=scene.versions[number],
                actor_id=None if actor is None else scene.users[actor],
            )
            session.add(event)
            await session.flush()
            event_id = event.id
        rows = [
            ReviewNotice(
                submission_id=scene.submission_id,
                event_id=event_id,
                gate_run_id=gate_run_id,
                kind=kind,
                recipient_id=scene.users[name],
                channel=channel,
            )
            for name in to
            for channel in channels
        ]
        if group:
            rows.append(
                ReviewNotice(
                    submission_id=scene.submission_id,
                    event_id=event_id,
                    kind=kind,
                    recipient_id=None,
                    channel=DeliveryChannel.TELEGRAM,
                )
            )
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows]


async def notices(session_factory: SessionFactory) -> list[ReviewNotice]:
    async with session_factory() as session:
        return list(await session.scalars(select(ReviewNotice).order_by(ReviewNotice.id)))


async def wait_for_notices(
    session_factory: SessionFactory,
    ids: list[int],
    status: DeliveryStatus,
    timeout: float = 20.0,  # noqa: ASYNC109
) -> dict[int, ReviewNotice]:
    """Wait until every notice of `ids` has the status; return them by id."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = {n.id: n for n in await notices(session_factory) if n.id in ids}
        if all(n.status is status for n in found.values()) and len(found) == len(ids):
            return found
        if loop.time() > deadline:
            states = {i: (n.status, n.last_error) for i, n in found.items()}
            raise AssertionError(f"notices not all {status} in {timeout}s: {states}")
        await asyncio.sleep(0.05)
