"""A team's dashboard (owners and reviewers only): each member's submissions and how they go,
the rules the team's gate finds most, and who is stuck on one rule.

What counts, everywhere below: the team's current members (a person who left takes their
figures along) and the team's own rows (submissions, their events, gate runs). The rule figures
read the issues of the checks the gate runs point at (`GateRun.check_id` → `Check.issues`),
one count per issue kept (a truncated check counts the issues it kept); a gate run whose
check is gone (pruned) counts in the pass rate only.
A member is listed once they have sent anything for review: a submission, or a version the
gate blocked. Five queries whatever the size of the team.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Check, File, FileVersion
from core.services import gate_rules
from core.services.gate_rules import GatedRun, RuleCount, Stuck
from core.team_errors import TeamNotFoundError, TeamRoleRequiredError
from core.team_models import (
    GateRun,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)

MEMBER_TOP_RULES = 3
TEAM_TOP_RULES = 5
# Events that sent a version to the reviewers: one review round each.
ROUND_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED)


@dataclass(frozen=True)
class TeamAccess:
    team_id: int
    team_name: str
    role: TeamRole  # the viewer's: OWNER or REVIEWER


@dataclass(frozen=True)
class MemberSubmission:
    submission_id: int
    file_name: str
    status: SubmissionStatus
    version: int  # the number of the version under review now
    updated_at: datetime


@dataclass(frozen=True)
class MemberFigures:
    display_name: str
    role: TeamRole
    submissions: list[MemberSubmission]  # newest first
    open_count: int  # submitted, in review, changes requested or resubmitted
    approved_count: int
    # Versions sent to review (submitted + resubmitted events) per approved submission, on
    # average; None before the first approval.
    versions_to_approval: float | None
    gate_runs: int
    gate_passed: int
    pass_rate: float | None  # gate_passed / gate_runs; None without a run
    top_rules: list[RuleCount]  # at most MEMBER_TOP_RULES, most issues first


@dataclass(frozen=True)
class Totals:
    open: int
    approved: int
    withdrawn: int
    gate_runs: int
    gate_passed: int
    pass_rate: float | None  # gate_passed / gate_runs; None without a run
    versions_to_approval: float | None  # over every approved submission of the team


@dataclass(frozen=True)
class Dashboard:
    team_id: int
    team_name: str
    viewer_role: TeamRole
    # Those who sent anything for review (submitted, or blocked at the gate), by name.
    members: list[MemberFigures]
    top_rules: list[RuleCount]  # at most TEAM_TOP_RULES
    stuck: list[Stuck]  # longest runs first
    totals: Totals


async def dashboard_access(session: AsyncSession, viewer_id: int, team_id: int) -> TeamAccess:
    """The team, for its owner and reviewers. A member gets TeamRoleRequiredError; anyone
    outside the team, and an id of no team, TeamNotFoundError (the same for both)."""
    found = (
        await session.execute(
            select(Team.name, TeamMember.role)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.id == team_id, TeamMember.user_id == viewer_id)
        )
    ).one_or_none()
    if found is None:
        raise TeamNotFoundError
    name, role = found
    if role not in {TeamRole.OWNER, TeamRole.REVIEWER}:
        raise TeamRoleRequiredError(needed=TeamRole.REVIEWER)
    return TeamAccess(team_id=team_id, team_name=name, role=role)


async def team_dashboard(session: AsyncSession, viewer_id: int, team_id: int) -> Dashboard:
    """The figures of the module's docstring, for the team's owner and reviewers."""
    access = await dashboard_access(session, viewer_id, team_id)
    members = {
        user_id: (name, role)
        for user_id, name, role in await session.execute(
            select(TeamMember.user_id, TeamMember.display_name, TeamMember.role).where(
                TeamMember.team_id == team_id
            )
        )
    }
    submissions = await _submissions(session, team_id, members)
    rounds = await _rounds(session, team_id)
    runs = await _gate_runs(session, team_id, members)

    by_member: dict[int, list[MemberSubmission]] = defaultdict(list)
    for member_id, line in submissions:
        by_member[member_id].append(line)
    figures = [  # a member blocked at the gate every time counts too: they tried
        _member(members[user_id], by_member.get(user_id, []), rounds, runs.get(user_id, []))
        for user_id in by_member.keys() | runs.keys()
    ]
    figures.sort(key=lambda member: (member.display_name.casefold(), member.display_name))
    every_run = [run for member_runs in runs.values() for run in member_runs]
    lines = [line for _m, line in submissions]
    return Dashboard(
        team_id=team_id,
        team_name=access.team_name,
        viewer_role=access.role,
        members=figures,
        top_rules=gate_rules.top_rules(gate_rules.rule_counts(every_run), TEAM_TOP_RULES),
        stuck=gate_rules.stuck_runs({user: name for user, (name, _r) in members.items()}, runs),
        totals=Totals(
            open=sum(line.status.open for line in lines),
            approved=sum(line.status is SubmissionStatus.APPROVED for line in lines),
            withdrawn=sum(line.status is SubmissionStatus.WITHDRAWN for line in lines),
            gate_runs=len(every_run),
            gate_passed=sum(run.passed for run in every_run),
            pass_rate=gate_rules.pass_rate(every_run),
            versions_to_approval=_average_rounds(lines, rounds),
        ),
    )


async def _submissions(
    session: AsyncSession, team_id: int, members: dict[int, Any]
) -> list[tuple[int, MemberSubmission]]:
    """(member id, submission) of the team's current members, newest first."""
    rows = await session.execute(
        select(
            Submission.member_id,
            Submission.id,
            File.name,
            Submission.status,
            FileVersion.number,
            Submission.updated_at,
        )
        .join(File, File.id == Submission.file_id)
        .join(FileVersion, FileVersion.id == Submission.version_id)
        .where(Submission.team_id == team_id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    return [
        (member_id, MemberSubmission(submission_id, name, status, number, updated))
        for member_id, submission_id, name, status, number, updated in rows
        if member_id in members
    ]


async def _rounds(session: AsyncSession, team_id: int) -> dict[int, int]:
    """Review rounds (submitted and resubmitted events) per submission of the team."""
    rows = await session.execute(
        select(SubmissionEvent.submission_id, func.count())
        .join(Submission, Submission.id == SubmissionEvent.submission_id)
        .where(Submission.team_id == team_id, SubmissionEvent.status.in_(ROUND_STATUSES))
        .group_by(SubmissionEvent.submission_id)
    )
    return dict(rows.all())


async def _gate_runs(
    session: AsyncSession, team_id: int, members: dict[int, Any]
) -> dict[int, list[GatedRun]]:
    """The team's gate runs per current member, with the rules of their checks."""
    rows = await session.execute(
        select(
            GateRun.member_id,
            GateRun.file_id,
            File.name,
            FileVersion.number,
            GateRun.passed,
            Check.issues,
        )
        .join(File, File.id == GateRun.file_id)
        .join(FileVersion, FileVersion.id == GateRun.version_id)
        .outerjoin(Check, Check.id == GateRun.check_id)
        .where(GateRun.team_id == team_id)
        .order_by(GateRun.id)
    )
    runs: dict[int, list[GatedRun]] = defaultdict(list)
    for member_id, file_id, name, number, passed, issues in rows:
        if member_id in members:
            rules = Counter(str(issue["code"]) for issue in issues or ())
            runs[member_id].append(GatedRun(file_id, name, number, passed, rules))
    return runs


def _member(
    who: tuple[str, TeamRole],
    lines: list[MemberSubmission],
    rounds: dict[int, int],
    runs: list[GatedRun],
) -> MemberFigures:
    name, role = who
    return MemberFigures(
        display_name=name,
        role=role,
        submissions=lines,
        open_count=sum(line.status.open for line in lines),
        approved_count=sum(line.status is SubmissionStatus.APPROVED for line in lines),
        versions_to_approval=_average_rounds(lines, rounds),
        gate_runs=len(runs),
        gate_passed=sum(run.passed for run in runs),
        pass_rate=gate_rules.pass_rate(runs),
        top_rules=gate_rules.top_rules(gate_rules.rule_counts(runs), MEMBER_TOP_RULES),
    )


def _average_rounds(lines: Iterable[MemberSubmission], rounds: dict[int, int]) -> float | None:
    approved = [
        rounds.get(line.submission_id, 0)
        for line in lines
        if line.status is SubmissionStatus.APPROVED
    ]
    return sum(approved) / len(approved) if approved else None
