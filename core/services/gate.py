"""The gate before human review: a version is judged under its team's rules, and passes with at
most the team's number of issues.

The check it is judged on is the person's own check of that version when it ran with exactly
the team's rules (nothing muted), or an earlier gate check of that version under the same rules;
otherwise ruff runs once more and the result is logged as a check of its own (`Check.gate`, with
the team), like every check. ruff runs with no database transaction open."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Check, CheckResult, FileVersion, ReviewConfigText, RulePreset, utcnow
from core.review import FoundIssues, Issue
from core.ruff_config import ReviewConfig
from core.team_models import GateRun, Team

MAX_GATE_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class GateReview:
    """What ruff found in one source under a team's rules: the issues, or why it could not run."""

    issues: FoundIssues
    ruff_version: str
    error: str | None = None


class GateChecker(Protocol):
    async def review(self, source: bytes, config: ReviewConfig) -> GateReview:
        """Check `source` with `config`; never raises for ruff's own failures (`error`)."""


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    issue_count: int
    max_issues: int
    check_id: int
    issues: tuple[Issue, ...]  # those kept of the check, in file order
    error: str | None  # ruff could not check it: the gate does not pass
    rules: ReviewConfig


async def team_rules(session: AsyncSession, team: Team) -> ReviewConfig:
    custom = None
    if team.preset is RulePreset.CUSTOM and team.config_hash is not None:
        custom = await session.scalar(
            select(ReviewConfigText.text).where(ReviewConfigText.hash == team.config_hash)
        )
    return ReviewConfig.stored(team.preset, [], custom)


async def judge_version(
    session: AsyncSession, checker: GateChecker, *, team_id: int, version_id: int
) -> GateVerdict:
    """The verdict of the team's gate on a version, from a check that ran with the team's rules
    (found or made now, see the module's docstring). Ends the session's transaction before ruff
    runs; a new check is added to the next one, and the caller commits it with the gate's run
    (so a judgement that loses a race leaves no check behind either)."""
    team = await session.get_one(Team, team_id)
    rules = await team_rules(session, team)
    max_issues = team.gate_max_issues
    check = await _check_with_rules(session, version_id, rules)
    if check is None:
        content = await session.scalar(
            select(FileVersion.content).where(FileVersion.id == version_id)
        )
        await session.commit()  # no transaction open while ruff runs
        started = utcnow()
        review = await checker.review(content or b"", rules)
        check = Check(
            version_id=version_id,
            preset=rules.preset,
            config_hash=rules.config_hash,
            muted_rules=[],
            ruff_version=review.ruff_version,
            started_at=started,
            finished_at=utcnow(),
            result=_result(review),
            issue_count=review.issues.total,
            issues=[issue.to_json() for issue in review.issues],
            issues_truncated=review.issues.truncated,
            error=review.error[:MAX_GATE_ERROR_LENGTH] if review.error else None,
            gate=True,
            team_id=team_id,
            line_count=len((content or b"").splitlines()),
        )
        session.add(check)
        await session.flush()
    issues = tuple(Issue.from_json(dict(item)) for item in check.issues)
    return GateVerdict(
        passed=check.result is not CheckResult.ERROR and check.issue_count <= max_issues,
        issue_count=check.issue_count,
        max_issues=max_issues,
        check_id=check.id,
        issues=issues,
        error=check.error if check.result is CheckResult.ERROR else None,
        rules=rules,
    )


def record_gate_run(
    session: AsyncSession,
    verdict: GateVerdict,
    *,
    team_id: int,
    member_id: int,
    file_id: int,
    version_id: int,
    submission_id: int | None,
) -> GateRun:
    run = GateRun(
        team_id=team_id,
        member_id=member_id,
        file_id=file_id,
        version_id=version_id,
        submission_id=submission_id,
        check_id=verdict.check_id,
        passed=verdict.passed,
        issue_count=verdict.issue_count,
    )
    session.add(run)
    return run


async def _check_with_rules(
    session: AsyncSession, version_id: int, rules: ReviewConfig
) -> Check | None:
    """The newest finished check of the version that ran with exactly `rules`."""
    candidates: Sequence[Check] = (
        await session.scalars(
            select(Check)
            .where(
                Check.version_id == version_id,
                Check.result != CheckResult.ERROR,
                Check.preset == rules.preset,
            )
            .order_by(Check.id.desc())
        )
    ).all()
    for check in candidates:
        if check.config_hash == rules.config_hash and not check.muted_rules:
            return check
    return None


def _result(review: GateReview) -> CheckResult:
    if review.error is not None:
        return CheckResult.ERROR
    return CheckResult.FAILED if review.issues.total else CheckResult.PASSED
