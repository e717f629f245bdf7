"""Claiming pending versions for a check, and recording what the check found.

A claim is a lease: the version is `claimed` by one worker until `claim_expires_at`, a short
lease its worker renews while it holds the version (see checks/leases.py). On PostgreSQL the
claim query uses `FOR UPDATE SKIP LOCKED`, so workers never take the same versions; a version
whose worker died is taken again once its lease has expired. Results are written only while the
claim is still the writer's, in one transaction with the check row and its two deliveries (the
outbox), so every claimed version is checked exactly once.

A claim counts an attempt (`check_attempts`), given back when the claim is released unchecked:
a version whose claims keep dying with their process (a file that makes it run out of memory)
reaches the retry policy's last attempt like one that makes ruff fail.

A batch is written in bulk (one INSERT of its checks returning their ids, one of the deliveries,
one UPDATE of the versions); a version's content is read once, after its claim is taken.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, defer

from checks import baseline_rows
from checks.check_rows import CHECKS, RuffRun, check_row, write_with_outbox
from core.limits import DEFAULT_PIPELINE_LIMITS
from core.models import (
    CheckState,
    File,
    FileStatus,
    FileVersion,
    ReviewConfigText,
    User,
    utcnow,
)
from core.review import Issue
from core.ruff_config import ReviewConfig


@dataclass(frozen=True)
class ClaimedVersion:
    version_id: int
    config: ReviewConfig  # the owner's rules at the time of the claim
    content: bytes


@dataclass(frozen=True)
class CheckRetryPolicy:
    """A ruff failure is retried after `delay * attempt`, up to `max_attempts` in all."""

    delay: timedelta = timedelta(seconds=60)
    max_attempts: int = 3


async def claim_versions(
    session: AsyncSession,
    *,
    worker_id: str,
    max_versions: int,
    lease: timedelta,
    max_bytes: int = DEFAULT_PIPELINE_LIMITS.bytes_per_claim,
    max_attempts: int = CheckRetryPolicy.max_attempts,
) -> list[ClaimedVersion]:
    """Claim up to `max_versions` due versions (and at most about `max_bytes` of content) with
    their owners' rules, counting an attempt for each; their content is read once the claim is
    committed. Versions that had `max_attempts` already are left to `leases.fail_abandoned`."""
    now = utcnow()
    query = (
        due_with_rules(session, now, FileVersion.size)
        .where(FileVersion.check_attempts < max_attempts)
        .limit(max_versions)
    )
    taken: list[Any] = []
    total_bytes = 0
    for row in await session.execute(query):
        if taken and total_bytes + row.size > max_bytes:
            break  # the rest stays pending (its row locks end with this transaction)
        taken.append(row)
        total_bytes += row.size
    if not taken:
        await session.rollback()
        return []
    ids = [row.id for row in taken]
    await session.execute(
        update(FileVersion)
        .where(among(session, FileVersion.id, ids))
        .values(
            check_state=CheckState.CLAIMED,
            claimed_by=worker_id,
            claim_expires_at=now + lease,
            check_attempts=FileVersion.check_attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await set_file_status(
        session, ((row.file_id, row.number) for row in taken), FileStatus.CHECKING
    )
    await session.commit()
    # Stored content never changes, so it is read after the claim's locks are released.
    stored = await session.execute(
        select(FileVersion.id, FileVersion.content).where(among(session, FileVersion.id, ids))
    )
    contents: dict[int, bytes] = dict(stored.all())
    await session.rollback()
    configs: dict[tuple[Any, ...], ReviewConfig] = {}
    claimed: list[ClaimedVersion] = []
    for row in taken:
        if row.id not in contents:
            continue  # gone with its owner meanwhile: nothing left to check
        key = (row.rule_preset, tuple(row.muted_rules or ()), row.text)
        if key not in configs:
            configs[key] = ReviewConfig.stored(row.rule_preset, row.muted_rules, row.text)
        claimed.append(ClaimedVersion(row.id, configs[key], contents[row.id]))
    return claimed


def due_with_rules(session: AsyncSession, now: datetime, *columns: Any) -> Select[Any]:
    """Due versions of files not deleted, oldest first, as (id, file_id, number, *columns,
    rule_preset, muted_rules, text): their owners' rules with them. On PostgreSQL the rows are
    locked, skipping those another worker holds."""
    query = (
        select(
            FileVersion.id,
            FileVersion.file_id,
            FileVersion.number,
            *columns,
            User.rule_preset,
            User.muted_rules,
            ReviewConfigText.text,
        )
        .join(File, File.id == FileVersion.file_id)
        .join(User, User.id == File.user_id)
        .outerjoin(ReviewConfigText, ReviewConfigText.hash == User.ruff_config_hash)
        .where(due(now), File.status != FileStatus.DELETED)
        .order_by(FileVersion.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=FileVersion)
    return query


def due(now: datetime) -> ColumnElement[bool]:
    """Versions to check now: pending and due, or claimed by a worker whose lease ran out."""
    return or_(
        and_(
            FileVersion.check_state == CheckState.PENDING,
            or_(FileVersion.check_after.is_(None), FileVersion.check_after <= now),
        ),
        and_(FileVersion.check_state == CheckState.CLAIMED, FileVersion.claim_expires_at < now),
    )


def among(
    session: AsyncSession, column: InstrumentedAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `= ANY` of one array parameter: rendering a parameter
    per id cost more than the query itself."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def still_claimed(
    session: AsyncSession, worker_id: str, version_ids: list[int]
) -> tuple[ColumnElement[bool], ...]:
    """Those of the versions whose claim this worker still holds."""
    claimed = FileVersion.check_state == CheckState.CLAIMED
    return (
        among(session, FileVersion.id, version_ids),
        claimed,
        FileVersion.claimed_by == worker_id,
    )


async def set_file_status(
    session: AsyncSession, versions: Iterable[tuple[int, int]], status: FileStatus
) -> None:
    """The status a person sees follows the file's current version only. `versions` are
    (file id, version number) pairs."""
    current = set(versions)
    files = await session.execute(
        select(File.id, File.current_version, File.status)
        .where(among(session, File.id, {file_id for file_id, _number in current}))
        .order_by(File.id)  # one locking order for every worker: no deadlocks between them
        .with_for_update()
    )
    following = [
        file_id
        for file_id, number, shown in files
        if (file_id, number) in current and shown != FileStatus.DELETED
    ]
    if following:
        await session.execute(
            update(File)
            .where(among(session, File.id, following))
            .values(status=status)
            .execution_options(synchronize_session=False)
        )


async def record_results(
    session: AsyncSession,
    *,
    worker_id: str,
    run: RuffRun,
    results: Mapping[int, list[Issue]],
    line_counts: Mapping[int, int] | None = None,
) -> list[int]:
    """Write a check and its two deliveries for every version still claimed; their check ids.
    `line_counts`: the lines of each version, by id."""
    mine = await session.execute(
        select(FileVersion.id, FileVersion.file_id, FileVersion.number)
        .where(*still_claimed(session, worker_id, list(results)))
        .with_for_update()  # the claims stay this worker's for the rest of the write
    )
    versions = list(mine.all())
    if not versions:
        await session.rollback()
        return []
    finished_at = utcnow()
    ids = [version_id for version_id, _file_id, _number in versions]
    # Files with a baseline: their new issues only fail the check (docs/baselines.md).
    judgements = await baseline_rows.judge_batch(session, versions, results)
    rows = [
        baseline_rows.apply(
            check_row(
                version_id,
                run,
                finished_at,
                issues=results[version_id],
                line_count=(line_counts or {}).get(version_id, 0),
            ),
            judgements.get(version_id),
        )
        for version_id in ids
    ]
    check_ids = await write_with_outbox(session, rows)
    await session.execute(
        update(FileVersion)
        .where(among(session, FileVersion.id, ids))
        .values(check_state=CheckState.CHECKED, claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    await set_file_status(
        session, ((file_id, number) for _id, file_id, number in versions), FileStatus.CHECKED
    )
    await session.commit()
    return check_ids


async def release_claims(session: AsyncSession, *, worker_id: str, version_ids: list[int]) -> int:
    """Give back the versions this worker still holds, unchecked, to be claimed again at once
    (a stopping worker's unfinished batch); how many were given back. The claim's attempt is
    given back too: none is counted. Their files keep showing "checking": they are, shortly."""
    released = await session.execute(
        update(FileVersion)
        .where(*still_claimed(session, worker_id, version_ids))
        .values(
            check_state=CheckState.PENDING,
            claimed_by=None,
            claim_expires_at=None,
            check_attempts=FileVersion.check_attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return int(released.rowcount)  # type: ignore[attr-defined]


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
    The attempt was counted when the version was claimed.

    Returns the ids of the checks that are final (and so have deliveries).
    """
    versions = list(
        await session.scalars(
            select(FileVersion)
            .options(defer(FileVersion.content, raiseload=True))
            .where(*still_claimed(session, worker_id, version_ids))
            .with_for_update()
        )
    )
    now = utcnow()
    final: list[dict[str, Any]] = []
    retried: list[dict[str, Any]] = []
    for version in versions:
        check = check_row(version.id, run, now, error=reason)
        version.claimed_by = version.claim_expires_at = None
        if version.check_attempts >= policy.max_attempts:
            version.check_state = CheckState.FAILED
            final.append(check)
        else:
            version.check_state = CheckState.PENDING
            version.check_after = now + policy.delay * version.check_attempts
            retried.append(check)
    if retried:
        await session.execute(insert(CHECKS), retried)
    check_ids = await write_with_outbox(session, final)
    await set_file_status(session, ((v.file_id, v.number) for v in versions), FileStatus.ERROR)
    await session.commit()
    return check_ids
