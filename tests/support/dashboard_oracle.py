"""A team dashboard's figures and exports as the tests read them from the tables (plain
queries and counting, not the service under test), for the chat's and the Mini App's tests."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from core.models import Check, File, FileVersion
from core.team_models import (
    GateRun,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    TeamMember,
)
from infra.database import SessionFactory

FORMER = "a former reviewer"
STUCK_VERSIONS = 3


@dataclass
class MemberOracle:
    name: str
    open: int = 0
    approved: int = 0
    rounds: list[int] = field(default_factory=list)  # per approved submission
    gate_runs: int = 0
    gate_passed: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    submissions: list[tuple[str, SubmissionStatus, int]] = field(default_factory=list)


@dataclass
class FiguresOracle:
    open: int
    approved: int
    withdrawn: int
    gate_runs: int
    gate_passed: int
    rounds: list[int]
    rules: Counter[str]
    members: dict[str, MemberOracle]  # by display name: those who submitted or were blocked
    stuck: list[tuple[str, str, str, int]]  # member, file, rule, versions


def ranked(counts: Counter[str], most: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:most]


def rate(passed: int, runs: int) -> float | None:
    return passed / runs if runs else None


def average(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


async def figures(session_factory: SessionFactory, team_id: int) -> FiguresOracle:
    async with session_factory() as session:
        names = dict(
            (
                await session.execute(
                    select(TeamMember.user_id, TeamMember.display_name).where(
                        TeamMember.team_id == team_id
                    )
                )
            ).all()
        )
        submissions = (
            await session.execute(
                select(Submission, File.name, FileVersion.number)
                .join(File, File.id == Submission.file_id)
                .join(FileVersion, FileVersion.id == Submission.version_id)
                .where(Submission.team_id == team_id)
                .order_by(Submission.created_at.desc(), Submission.id.desc())
            )
        ).all()
        rounds = Counter(
            (
                await session.scalars(
                    select(SubmissionEvent.submission_id).where(
                        SubmissionEvent.status.in_(
                            [SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED]
                        )
                    )
                )
            ).all()
        )
        runs = (
            await session.execute(
                select(GateRun, File.name, FileVersion.number, Check.issues)
                .join(File, File.id == GateRun.file_id)
                .join(FileVersion, FileVersion.id == GateRun.version_id)
                .join(Check, Check.id == GateRun.check_id)
                .where(GateRun.team_id == team_id)
            )
        ).all()
    members: dict[str, MemberOracle] = {}
    statuses: Counter[SubmissionStatus] = Counter()
    for submission, name, number in submissions:
        member = members.setdefault(
            names[submission.member_id], MemberOracle(names[submission.member_id])
        )
        statuses[submission.status] += 1
        member.open += submission.status.open
        if submission.status is SubmissionStatus.APPROVED:
            member.approved += 1
            member.rounds.append(rounds[submission.id])
        member.submissions.append((name, submission.status, number))
    team_rules: Counter[str] = Counter()
    by_file: dict[tuple[str, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for run, name, number, issues in runs:
        codes = [issue["code"] for issue in issues]
        team_rules.update(codes)
        name_of = names[run.member_id]
        member = members.setdefault(name_of, MemberOracle(name_of))  # blocked, never submitted
        member.gate_runs += 1
        member.gate_passed += run.passed
        member.rules.update(codes)
        by_file[names[run.member_id], name][number] |= set(codes)
    stuck = []
    for (member_name, file_name), versions in by_file.items():
        for rule in set().union(*versions.values()):
            best = streak = 0
            for number in sorted(versions):
                streak = streak + 1 if rule in versions[number] else 0
                best = max(best, streak)
            if best >= STUCK_VERSIONS:
                stuck.append((member_name, file_name, rule, best))
    return FiguresOracle(
        open=sum(count for status, count in statuses.items() if status.open),
        approved=statuses[SubmissionStatus.APPROVED],
        withdrawn=statuses[SubmissionStatus.WITHDRAWN],
        gate_runs=len(runs),
        gate_passed=sum(run.passed for run, *_rest in runs),
        rounds=[r for member in members.values() for r in member.rounds],
        rules=team_rules,
        members=members,
        stuck=stuck,
    )


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: object) -> str:
    text = iso(value) if isinstance(value, datetime) else "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def _lines(first: int | None, last: int | None) -> str:
    return "" if first is None else str(first) if first == last else f"{first}-{last}"


async def tables(
    session_factory: SessionFactory, team_id: int, team_name: str
) -> dict[str, list[list[str]]]:
    """The three exported tables as CSV text (every cell a string, formulas defused)."""
    async with session_factory() as session:
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
            return names.get(user_id, FORMER) if user_id is not None else FORMER

        submitted = (
            await session.execute(
                select(Submission, File.name, FileVersion.number)
                .join(File, File.id == Submission.file_id)
                .join(FileVersion, FileVersion.id == Submission.version_id)
                .where(Submission.team_id == team_id)
                .order_by(Submission.id)
            )
        ).all()
        files = {s.id: n for s, n, _v in submitted}
        comments = (
            await session.execute(
                select(ReviewComment, FileVersion.number)
                .join(FileVersion, FileVersion.id == ReviewComment.version_id)
                .where(ReviewComment.submission_id.in_(files))
                .order_by(ReviewComment.submission_id, ReviewComment.id)
            )
        ).all()
        events = (
            await session.execute(
                select(SubmissionEvent, FileVersion.number)
                .join(FileVersion, FileVersion.id == SubmissionEvent.version_id)
                .where(SubmissionEvent.submission_id.in_(files))
                .order_by(SubmissionEvent.submission_id, SubmissionEvent.id)
            )
        ).all()
    submission_rows = [
        (s.id, team_name, name(s.member_id), n, number, s.status.value,
         None if s.reviewer_id is None else name(s.reviewer_id), s.created_at, s.updated_at)
        for s, n, number in submitted
    ]  # fmt: skip
    comment_rows = [
        (c.submission_id, files[c.submission_id], number, _lines(c.first_line, c.last_line),
         c.state.value, name(c.author_id), c.body, c.created_at, c.resolved_at)
        for c, number in comments
    ]  # fmt: skip
    status_rows = [
        (e.submission_id, files[e.submission_id], e.status.value, number, name(e.actor_id),
         e.created_at)
        for e, number in events
    ]  # fmt: skip
    return {
        "submissions": [[_cell(v) for v in row] for row in submission_rows],
        "comments": [[_cell(v) for v in row] for row in comment_rows],
        "statuses": [[_cell(v) for v in row] for row in status_rows],
    }


def xlsx_text(value: object) -> str:
    """A cell of the XLSX export as the CSV writes it (times are UTC without a zone)."""
    if isinstance(value, datetime):
        return iso(value.replace(tzinfo=UTC))
    return "" if value is None else str(value)
