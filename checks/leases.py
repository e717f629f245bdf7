"""Short leases on claimed work, renewed by a heartbeat while the work is held.

A worker claims versions and deliveries for `PipelineLimits.lease` (core/limits.py: 15 s;
`CLAIM_LEASE_SECONDS`) and renews what it holds every third of that (`heartbeat_seconds`, 5 s),
one UPDATE for its versions and one for its deliveries, each limited to what it still owns
(`claimed_by`). A process that dies stops renewing, and its work is taken by the next worker to
look once the lease has run out: within about a lease. A renewal that finds a claim taken over
leaves it alone, and the late worker's results for it are dropped (claims.record_results,
outbox.record_sent).

A version whose claims died `max_attempts` times (each claim counts an attempt) is not claimed
again: `fail_abandoned` fails it for good and tells the person, as a last ruff failure does.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from checks.check_rows import RuffRun, check_row, write_with_outbox
from checks.claims import (
    CheckRetryPolicy,
    among,
    due_with_rules,
    set_file_status,
    still_claimed,
)
from core.limits import DEFAULT_PIPELINE_LIMITS
from core.models import (
    CheckState,
    FileStatus,
    FileVersion,
    utcnow,
)
from core.ruff_config import ReviewConfig

ABANDONED_REASON = "the check was cut short {attempts} times (the process checking it stopped)"


async def renew_claims(
    session: AsyncSession, *, worker_id: str, version_ids: Collection[int], lease: timedelta
) -> int:
    """Extend the claims this worker still holds among `version_ids` by `lease` from now; how
    many it still holds."""
    if not version_ids:
        return 0
    renewed = await session.execute(
        update(FileVersion)
        .where(*still_claimed(session, worker_id, list(version_ids)))
        .values(claim_expires_at=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return int(renewed.rowcount)  # type: ignore[attr-defined]


async def fail_abandoned(
    session: AsyncSession,
    *,
    policy: CheckRetryPolicy,
    max_versions: int = DEFAULT_PIPELINE_LIMITS.abandoned_per_scan,
) -> list[int]:
    """Fail for good (at most `max_versions` of) the due versions that used their last attempt
    on claims that died: a check row with the error and its deliveries each ("could not be
    checked"); the checks' ids."""
    now = utcnow()
    query = (
        due_with_rules(session, now, FileVersion.check_attempts)
        .where(FileVersion.check_attempts >= policy.max_attempts)
        .limit(max_versions)
    )
    rows = list(await session.execute(query))
    if not rows:
        await session.rollback()
        return []
    checks: list[dict[str, Any]] = []
    for row in rows:
        config = ReviewConfig.stored(row.rule_preset, row.muted_rules, row.text)
        reason = ABANDONED_REASON.format(attempts=row.check_attempts)
        checks.append(check_row(row.id, RuffRun(config, "unknown", now), now, error=reason))
    check_ids = await write_with_outbox(session, checks)
    await session.execute(
        update(FileVersion)
        .where(among(session, FileVersion.id, [row.id for row in rows]))
        .values(check_state=CheckState.FAILED, claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    await set_file_status(session, ((row.file_id, row.number) for row in rows), FileStatus.ERROR)
    await session.commit()
    return check_ids
