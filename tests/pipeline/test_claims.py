"""Claims keep workers apart: every version is checked exactly once, even when a worker dies."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from checks import claims
from checks.check_job import CheckJob
from checks.check_rows import RuffRun
from checks.claims import CheckRetryPolicy
from core.limits import PipelineLimits
from core.models import (
    Check,
    CheckResult,
    CheckState,
    Delivery,
    File,
    FileStatus,
    FileVersion,
    utcnow,
)
from infra.database import SessionFactory, build_engine, build_session_factory
from infra.ruff.runner import RuffRunner
from tests.support.pipeline import (
    checks_per_version,
    counting_ruff,
    failing_ruff,
    gated_ruff,
    seed_uploads,
)
from tests.support.stack import SERVICES, Stack

ClaimRow = tuple[int, CheckState, str | None, datetime | None, int]


async def _pending_versions(session_factory: SessionFactory, count: int) -> list[int]:
    """`count` uploaded versions waiting for a check, as the bot would store them."""
    sources = {f"m{n}.py": f"import os\nvalue_{n} = {n}\n".encode() for n in range(count)}
    return await seed_uploads(session_factory, sources)


# Several workers need PostgreSQL (SKIP LOCKED); on SQLite one worker runs.
@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_two_workers_check_two_hundred_versions_exactly_once(
    stack: Stack, session_factory: SessionFactory, tmp_path: Path
) -> None:
    versions = await _pending_versions(session_factory, 200)
    # Each ruff run waits until the other worker has a batch in ruff too: both take part.
    ruff_path, log = gated_ruff(tmp_path, parties=2)
    engines = [build_engine(stack.database_url) for _ in range(2)]
    try:
        jobs = [
            CheckJob(
                session_factory=build_session_factory(engine),
                runner=RuffRunner(ruff_path=ruff_path),
                worker_id=f"worker-{index}",
                limits=PipelineLimits(versions_per_claim=25),
            )
            for index, engine in enumerate(engines)
        ]
        claimed = await asyncio.gather(*(job() for job in jobs))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(claimed) == 200  # no version was claimed twice
    assert all(count > 0 for count in claimed), claimed
    assert await checks_per_version(session_factory) == dict.fromkeys(versions, 1)
    async with session_factory() as session:
        states = set(await session.scalars(select(FileVersion.check_state)))
        assert states == {CheckState.CHECKED}
        per_check = await session.execute(
            select(Delivery.check_id, func.count()).group_by(Delivery.check_id)
        )
        assert sorted(dict(per_check.all()).values()) == [2] * 200
    ruff_checks = [line for line in log.read_text().splitlines() if line.startswith("check")]
    assert len(ruff_checks) == 200 // 25  # one ruff process per batch


async def test_versions_of_a_dead_worker_are_checked_once_after_the_lease(
    session_factory: SessionFactory,
) -> None:
    versions = await _pending_versions(session_factory, 3)
    async with session_factory() as session:
        taken = await claims.claim_versions(
            session, worker_id="dies", max_versions=10, lease=timedelta(minutes=5)
        )
    assert [v.version_id for v in taken] == versions
    async with session_factory() as session:
        statuses = set(await session.scalars(select(File.status)))
    assert statuses == {FileStatus.CHECKING}
    survivor = CheckJob(session_factory=session_factory, runner=RuffRunner(), worker_id="survivor")
    assert await survivor() == 0  # the lease still holds

    await _expire_leases(session_factory)  # as if the five minutes had passed
    async with session_factory() as session:
        retaken = await claims.claim_versions(
            session, worker_id="survivor", max_versions=10, lease=timedelta(minutes=5)
        )
    assert [v.version_id for v in retaken] == versions
    claims_before = await _claims(session_factory)
    assert {(state, holder) for _id, state, holder, _expiry, _tries in claims_before} == {
        (CheckState.CLAIMED, "survivor")
    }

    # The dead worker comes back with results while the survivor holds its own claim.
    async with session_factory() as session:
        late = await claims.record_results(
            session,
            worker_id="dies",
            run=RuffRun(taken[0].config, "0", utcnow()),
            results={v.version_id: [] for v in taken},
        )
    async with session_factory() as session:
        late_failure = await claims.record_failure(
            session,
            worker_id="dies",
            version_ids=versions,
            run=RuffRun(taken[0].config, "0", utcnow()),
            reason="late",
            policy=CheckRetryPolicy(max_attempts=1),
        )
    assert (late, late_failure) == ([], [])
    assert await checks_per_version(session_factory) == {}
    assert await _delivery_count(session_factory) == 0
    assert await _claims(session_factory) == claims_before
    async with session_factory() as session:
        assert set(await session.scalars(select(File.status))) == {FileStatus.CHECKING}

    found = await RuffRunner().check_batch(
        {v.version_id: v.content for v in retaken}, taken[0].config
    )
    run = RuffRun(taken[0].config, await RuffRunner().version(), utcnow())
    async with session_factory() as session:
        written = await claims.record_results(
            session, worker_id="survivor", run=run, results=found
        )
    assert len(written) == 3
    async with session_factory() as session:
        again = await claims.record_results(session, worker_id="survivor", run=run, results=found)
    assert again == []
    assert await checks_per_version(session_factory) == dict.fromkeys(versions, 1)
    assert await _delivery_count(session_factory) == 6
    assert all(found.values())  # ruff finds the unused import in each
    async with session_factory() as session:
        rows = await session.execute(select(Check.version_id, Check.result, Check.issue_count))
    # The survivor's findings, not the dead worker's "passed".
    assert sorted(rows.all()) == [(v, CheckResult.FAILED, len(found[v])) for v in versions]


async def _expire_leases(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        await session.execute(
            update(FileVersion)
            .where(FileVersion.check_state == CheckState.CLAIMED)
            .values(claim_expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()


async def _claims(session_factory: SessionFactory) -> list[ClaimRow]:
    """Every version's claim: state, holder, expiry and attempts."""
    async with session_factory() as session:
        rows = await session.execute(
            select(
                FileVersion.id,
                FileVersion.check_state,
                FileVersion.claimed_by,
                FileVersion.claim_expires_at,
                FileVersion.check_attempts,
            ).order_by(FileVersion.id)
        )
        return list(rows.all())


async def _delivery_count(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(Delivery)) or 0


async def test_one_ruff_process_checks_a_batch_of_fifty(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    await _pending_versions(session_factory, 50)
    ruff_path, log = counting_ruff(tmp_path)
    job = CheckJob(
        session_factory=session_factory,
        runner=RuffRunner(ruff_path=ruff_path),
        worker_id="one",
        limits=PipelineLimits(versions_per_claim=50),
    )
    assert await job() == 50
    calls = log.read_text().splitlines()
    assert len([line for line in calls if line.startswith("check")]) == 1
    assert len(await checks_per_version(session_factory)) == 50


async def test_ruff_failure_marks_error_retries_then_reports_it(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    [version_id] = await _pending_versions(session_factory, 1)
    job = CheckJob(
        session_factory=session_factory,
        runner=RuffRunner(ruff_path=failing_ruff(tmp_path)),
        worker_id="broken",
        retry=CheckRetryPolicy(delay=timedelta(seconds=30), max_attempts=2),
    )
    await job()
    async with session_factory() as session:
        version = await session.get_one(FileVersion, version_id)
        file = await session.get_one(File, version.file_id)
        first = list(await session.scalars(select(Check)))
        assert (version.check_state, version.check_attempts) == (CheckState.PENDING, 1)
        assert version.check_after is not None
        assert file.status is FileStatus.ERROR
        assert [(c.result, c.error) for c in first] == [
            (CheckResult.ERROR, "ruff failed with exit code 2: ruff: internal error")
        ]
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 0
        version.check_after = utcnow()  # the retry is due now
        await session.commit()

    await job()
    async with session_factory() as session:
        version = await session.get_one(FileVersion, version_id)
        assert version.check_state is CheckState.FAILED
        assert await session.scalar(select(func.count()).select_from(Check)) == 2
        # The last failure is final: the person is told, by chat and by email.
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 2
