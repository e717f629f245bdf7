"""Claiming pending versions for a check, and recording what the check found.

A claim is a lease: the version is `claimed` by one worker until `claim_expires_at`. On
PostgreSQL the claim query uses `FOR UPDATE SKIP LOCKED`, so workers never take the same
versions; a version whose worker died is taken again once its lease has expired. Results are
written only while the claim is still the writer's, in one transaction with the check row and
its two deliveries (the outbox), so every claimed version is checked exactly once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    Check,
    CheckResult,
    CheckState,
    Delivery,
    DeliveryChannel,
    File,
    FileStatus,
    FileVersion,
    ReviewConfigText,
    User,
    utcnow,
)
from core.review import Issue
from core.ruff_config import ReviewConfig
from core.services.rules import review_config

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class ClaimedVersion:
    version_id: int
    config: ReviewConfig  # the owner's rules at the time of the claim
    content: bytes


@dataclass(frozen=True)
class RuffRun:
    """One ruff run over a batch: what every check row of that batch shares."""

    config: ReviewConfig
    ruff_version: str
    started_at: datetime


@dataclass(frozen=True)
class CheckRetryPolicy:
    """A ruff failure is retried after `delay * attempt`, up to `max_attempts` in all."""

    delay: timedelta = timedelta(seconds=60)
    max_attempts: int = 3


async def claim_versions(
    session: AsyncSession, *, worker_id: str, batch_size: int, lease: timedelta
) -> list[ClaimedVersion]:
    now = utcnow()
    due = or_(
        and_(
            FileVersion.check_state == CheckState.PENDING,
            or_(FileVersion.check_after.is_(None), FileVersion.check_after <= now),
        ),
        and_(FileVersion.check_state == CheckState.CLAIMED, FileVersion.claim_expires_at < now),
    )
    query = (
        select(FileVersion)
        .join(File, File.id == FileVersion.file_id)
        .where(due, File.status != FileStatus.DELETED)
        .order_by(FileVersion.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=FileVersion)
    versions = list(await session.scalars(query))
    if not versions:
        await session.rollback()
        return []
    rule_rows = await session.execute(
        select(FileVersion.id, User.rule_preset, User.muted_rules, ReviewConfigText.text)
        .join(File, File.id == FileVersion.file_id)
        .join(User, User.id == File.user_id)
        .outerjoin(ReviewConfigText, ReviewConfigText.hash == User.ruff_config_hash)
        .where(FileVersion.id.in_([v.id for v in versions]))
    )
    configs = {
        version_id: review_config(preset, muted, custom)
        for version_id, preset, muted, custom in rule_rows.all()
    }
    for version in versions:
        version.check_state = CheckState.CLAIMED
        version.claimed_by = worker_id
        version.claim_expires_at = now + lease
    await _set_file_status(session, versions, FileStatus.CHECKING)
    await session.commit()
    return [
        ClaimedVersion(version_id=v.id, config=configs[v.id], content=v.content) for v in versions
    ]


async def _set_file_status(
    session: AsyncSession, versions: list[FileVersion], status: FileStatus
) -> None:
    """The status a person sees follows the file's current version only."""
    files = await session.scalars(
        select(File)
        .where(File.id.in_({v.file_id for v in versions}))
        .order_by(File.id)  # one locking order for every worker: no deadlocks between them
        .with_for_update()
    )
    current = {(v.file_id, v.number) for v in versions}
    for file in files:
        if (file.id, file.current_version) in current and file.status != FileStatus.DELETED:
            file.status = status


async def _still_mine(
    session: AsyncSession, worker_id: str, version_ids: list[int]
) -> list[FileVersion]:
    """The versions whose claim this worker still holds, locked for the rest of the write."""
    return list(
        await session.scalars(
            select(FileVersion)
            .where(
                FileVersion.id.in_(version_ids),
                FileVersion.check_state == CheckState.CLAIMED,
                FileVersion.claimed_by == worker_id,
            )
            .with_for_update()
        )
    )


def _release(version: FileVersion, state: CheckState) -> None:
    version.check_state = state
    version.claimed_by = None
    version.claim_expires_at = None


async def record_results(
    session: AsyncSession,
    *,
    worker_id: str,
    run: RuffRun,
    results: Mapping[int, list[Issue]],
) -> list[int]:
    """Write a check and its two deliveries for every version still claimed; their check ids."""
    versions = await _still_mine(session, worker_id, list(results))
    finished_at = utcnow()
    checks: list[Check] = []
    for version in versions:
        issues = results[version.id]
        result = CheckResult.FAILED if issues else CheckResult.PASSED
        checks.append(_check_row(version.id, run, finished_at, result, issues=issues))
        _release(version, CheckState.CHECKED)
    await _write_with_outbox(session, checks)
    await _set_file_status(session, versions, FileStatus.CHECKED)
    await session.commit()
    return [check.id for check in checks]


async def record_failure(
    session: AsyncSession,
    *,
    worker_id: str,
    version_ids: list[int],
    run: RuffRun,
    reason: str,
    policy: CheckRetryPolicy,
) -> list[int]:
    """Log a failed run; retry later, or give up after the last attempt and tell the person.

    Returns the ids of the checks that are final (and so have deliveries).
    """
    versions = await _still_mine(session, worker_id, version_ids)
    now = utcnow()
    final: list[Check] = []
    for version in versions:
        version.check_attempts += 1
        check = _check_row(version.id, run, now, CheckResult.ERROR, error=reason)
        if version.check_attempts >= policy.max_attempts:
            _release(version, CheckState.FAILED)
            final.append(check)
        else:
            _release(version, CheckState.PENDING)
            version.check_after = now + policy.delay * version.check_attempts
            session.add(check)
    await _write_with_outbox(session, final)
    await _set_file_status(session, versions, FileStatus.ERROR)
    await session.commit()
    return [check.id for check in final]


def _check_row(
    version_id: int,
    run: RuffRun,
    finished_at: datetime,
    result: CheckResult,
    *,
    issues: list[Issue] | None = None,
    error: str | None = None,
) -> Check:
    found = issues or []
    return Check(
        version_id=version_id,
        preset=run.config.preset,
        config_hash=run.config.config_hash,
        muted_rules=list(run.config.muted),
        ruff_version=run.ruff_version,
        started_at=run.started_at,
        finished_at=finished_at,
        result=result,
        issue_count=len(found),
        issues=[issue.to_json() for issue in found],
        error=error[:MAX_ERROR_LENGTH] if error is not None else None,
    )


async def _write_with_outbox(session: AsyncSession, checks: list[Check]) -> None:
    session.add_all(checks)
    await session.flush()
    session.add_all(
        Delivery(check_id=check.id, channel=channel)
        for check in checks
        for channel in (DeliveryChannel.EMAIL, DeliveryChannel.TELEGRAM)
    )
