"""Claims are short leases renewed while held, they carry their owner, and each counts an
attempt: what the recovery after a crash (tests/processes/test_recovery.py) rests on."""

import asyncio
from datetime import timedelta
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select, update

from checks import claims, outbox
from checks.check_job import CheckJob
from checks.outbox import RetryPolicy
from core.delivery import DeliveryError
from core.limits import PipelineLimits
from core.models import CheckState, Delivery, DeliveryStatus, FileVersion, utcnow
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from tests.support.pipeline import checks_per_version, seed_uploads

LEASE = timedelta(seconds=15)


async def _attempts(session_factory: SessionFactory) -> list[tuple[CheckState, int]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(FileVersion.check_state, FileVersion.check_attempts).order_by(FileVersion.id)
        )
        return [(state, attempts) for state, attempts in rows]


async def _expire(session_factory: SessionFactory) -> None:
    """As if the holder had died a lease ago."""
    past = utcnow() - timedelta(seconds=1)
    async with session_factory() as session:
        await session.execute(update(FileVersion).values(claim_expires_at=past))
        await session.execute(
            update(Delivery).where(Delivery.claimed_until.is_not(None)).values(claimed_until=past)
        )
        await session.commit()


async def test_a_claim_counts_an_attempt_and_giving_it_back_uncounts_it(
    session_factory: SessionFactory,
) -> None:
    [version_id] = await seed_uploads(session_factory, {"a.py": b"import os\n"})
    async with session_factory() as session:
        await claims.claim_versions(session, worker_id="one", max_versions=5, lease=LEASE)
    assert await _attempts(session_factory) == [(CheckState.CLAIMED, 1)]
    async with session_factory() as session:
        await claims.release_claims(session, worker_id="one", version_ids=[version_id])
    assert await _attempts(session_factory) == [(CheckState.PENDING, 0)]

    for worker in ("dies", "dies too"):  # each claim dies with its process
        async with session_factory() as session:
            await claims.claim_versions(session, worker_id=worker, max_versions=5, lease=LEASE)
        await _expire(session_factory)
    assert await _attempts(session_factory) == [(CheckState.CLAIMED, 2)]
    async with session_factory() as session:  # the third claim is the last attempt
        taken = await claims.claim_versions(session, worker_id="last", max_versions=5, lease=LEASE)
    assert [v.version_id for v in taken] == [version_id]
    await _expire(session_factory)
    async with session_factory() as session:  # no fourth
        assert (
            await claims.claim_versions(session, worker_id="x", max_versions=5, lease=LEASE) == []
        )


async def test_a_delivery_taken_over_is_never_marked_by_its_old_holder(
    session_factory: SessionFactory,
) -> None:
    await seed_uploads(session_factory, {"a.py": b"import os\n"})
    assert await CheckJob(session_factory, RuffRunner(), worker_id="checker")() == 1
    async with session_factory() as session:
        held = await outbox.claim_deliveries(
            session, worker_id="old", max_deliveries=5, lease=LEASE
        )
    assert len(held) == 2
    await _expire(session_factory)
    async with session_factory() as session:
        taken = await outbox.claim_deliveries(
            session, worker_id="new", max_deliveries=5, lease=LEASE
        )
    assert sorted(taken) == sorted(held)

    failure = DeliveryError("Telegram answered 500")
    async with session_factory() as session:
        await outbox.record_sent(session, held, worker_id="old")
        assert (
            await outbox.record_failure(session, held[0], failure, RetryPolicy(), worker_id="old")
            is None
        )
        assert await outbox.extend_claims(session, held, LEASE, worker_id="old") == 0
        await outbox.release(session, held, worker_id="old")
    async with session_factory() as session:
        rows = (await session.execute(select(Delivery.status, Delivery.claimed_by))).all()
    assert rows == [(DeliveryStatus.PENDING, "new")] * 2

    async with session_factory() as session:
        await outbox.record_sent(session, taken, worker_id="new")
        sent = (await session.execute(select(Delivery.status, Delivery.attempts))).all()
    assert sent == [(DeliveryStatus.SENT, 1)] * 2


async def test_the_heartbeat_keeps_a_long_check_claimed_past_its_lease(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    versions = await seed_uploads(session_factory, {"a.py": b"import os\n", "b.py": b"x = 1\n"})
    slow = tmp_path / "slow-ruff.sh"
    slow.write_text(
        f'#!/bin/sh\nif [ "$1" = check ]; then sleep 5; fi\nexec "{find_ruff_bin()}" "$@"\n'
    )
    slow.chmod(0o755)
    job = CheckJob(
        session_factory,
        RuffRunner(ruff_path=str(slow)),
        worker_id="alive",
        limits=PipelineLimits(lease=timedelta(seconds=1.5)),  # renewed every 0.5 s
    )
    running = asyncio.create_task(job())
    await asyncio.sleep(3.5)  # past two leases
    async with session_factory() as session:
        stolen = await claims.claim_versions(
            session, worker_id="other", max_versions=5, lease=LEASE
        )
    assert stolen == []  # still held: the claims were renewed
    assert await asyncio.wait_for(running, timeout=60) == 2
    assert await checks_per_version(session_factory) == dict.fromkeys(versions, 1)
    assert await _attempts(session_factory) == [(CheckState.CHECKED, 1)] * 2
