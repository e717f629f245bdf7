"""The scheduled check job: claim pending versions in batches, run ruff once per batch and
configuration, write the checks with their outbox. Opens its own sessions, loops until no work
is left, and is safe to run twice at once (claims keep workers apart).

The job is a pipeline around ruff: two batches are in ruff at once, and when one is done the
job claims the next and starts it before writing the results, so ruff never waits for the
database. The database work stays in this one coroutine, one transaction at a time (SQLite
allows one writer), and a worker holds at most two batches' claims.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from checks import claims, leases
from checks.check_rows import RuffRun
from checks.claims import CheckRetryPolicy, ClaimedVersion
from core.limits import DEFAULT_PIPELINE_LIMITS, PipelineLimits
from core.models import Check, CheckResult, utcnow
from core.review import FoundIssues
from core.ruff_config import ReviewConfig
from infra import metrics
from infra.database import SessionFactory, is_outage
from infra.ruff.runner import RuffError, RuffRunner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """What one ruff run over the versions of one configuration gave: issues, or a failure."""

    config: ReviewConfig
    version_ids: list[int]
    started_at: datetime
    ruff_version: str
    results: dict[int, FoundIssues] | None  # None: ruff failed
    reason: str = ""
    line_counts: dict[int, int] = field(default_factory=dict)  # by version id


@dataclass
class CheckJob:
    session_factory: SessionFactory
    runner: RuffRunner
    worker_id: str
    # Versions and bytes per claim, runs in flight, the lease (renewed while held: see
    # checks/leases.py): core/limits.py.
    limits: PipelineLimits = DEFAULT_PIPELINE_LIMITS
    retry: CheckRetryPolicy = field(default_factory=CheckRetryPolicy)
    # Called after a batch wrote checks (and so deliveries): wakes the delivery job.
    on_checked: Callable[[], Awaitable[None]] | None = None
    # Set when the process stops: no more claims; the batches in ruff are finished.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # Claims a run could not give back (the database was out of reach): the next run does.
    _unreleased: set[int] = field(default_factory=set, init=False, repr=False)

    async def __call__(self) -> int:
        """Check everything that is due; returns how many versions were claimed. Once
        `stopping` is set, claims no more: the batches already in ruff are finished."""
        if self._unreleased:
            await self._release([])
        claimed_total = 0
        in_ruff: set[asyncio.Task[list[RunOutcome]]] = set()
        unwritten: dict[asyncio.Task[list[RunOutcome]], list[int]] = {}  # claims still held
        heartbeat = asyncio.create_task(self._renew_every_heartbeat(unwritten))
        try:
            more = True
            while more or in_ruff:
                finished: set[asyncio.Task[list[RunOutcome]]] = set()
                in_flight = self.limits.ruff_runs_in_flight
                if in_ruff and (not more or len(in_ruff) == in_flight):
                    # With a slot free, uploads that came meanwhile are claimed now and then
                    # while a batch is in ruff: a slow batch (a file with a million issues)
                    # does not hold up everyone else's.
                    free = len(in_ruff) < in_flight and not self.stopping.is_set()
                    finished, _ = await asyncio.wait(
                        in_ruff,
                        timeout=self.limits.claim_again_seconds if free else None,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    in_ruff -= finished
                    more = more or free
                more = more and not self.stopping.is_set()
                if more:  # the next batch goes into ruff before the finished one is written
                    batch = await self._claim()
                    if batch:
                        claimed_total += len(batch)
                        task = asyncio.create_task(self._check(batch))
                        in_ruff.add(task)
                        unwritten[task] = [version.version_id for version in batch]
                    more = bool(batch)
                    del batch  # its content lives in ruff's task only, until written to files
                for task in finished:
                    await self._record(task.result())
                    del unwritten[task]
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            for task in in_ruff:  # stopped, or the database failed
                task.cancel()
            for task in in_ruff:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if unwritten:
                await self._release([i for ids in unwritten.values() for i in ids])
        return claimed_total

    async def _release(self, version_ids: list[int]) -> None:
        """Give back claims whose results were not written: another run takes them at once.
        When the database is out of reach, they are given back by the next run (or expire with
        their lease, if this process stops first)."""
        version_ids = sorted(self._unreleased.union(version_ids))
        self._unreleased.clear()
        try:
            async with self.session_factory() as session:
                released = await claims.release_claims(
                    session, worker_id=self.worker_id, version_ids=version_ids
                )
        except Exception as error:
            self._unreleased.update(version_ids)
            if not is_outage(error):
                raise
            logger.warning("%s claimed versions not given back yet (%s)", len(version_ids), error)
            return
        if released:
            logger.info("gave back %s claimed versions, unchecked", released)

    async def _renew_every_heartbeat(
        self, held: dict[asyncio.Task[list[RunOutcome]], list[int]]
    ) -> None:
        """Keep the claims of the batches in ruff or being written this worker's: one UPDATE
        per heartbeat. A renewal that fails (the database away) is tried at the next one."""
        while True:
            await asyncio.sleep(self.limits.heartbeat_seconds)
            ids = [i for version_ids in list(held.values()) for i in version_ids]
            try:
                async with self.session_factory() as session:
                    kept = await leases.renew_claims(
                        session,
                        worker_id=self.worker_id,
                        version_ids=ids,
                        lease=self.limits.lease,
                    )
            except Exception as error:
                if not is_outage(error):
                    raise
                logger.warning("claims not renewed (%s)", error)
                continue
            if kept < len(ids):
                lost = len(ids) - kept
                logger.warning("%s claims were taken over before they were renewed", lost)

    async def _claim(self) -> list[ClaimedVersion]:
        async with self.session_factory() as session:
            failed = await leases.fail_abandoned(
                session, policy=self.retry, max_versions=self.limits.abandoned_per_scan
            )
        if failed:
            logger.error(
                "%s versions failed for good: their checks were cut short %s times",
                len(failed),
                self.retry.max_attempts,
                extra={"check_ids": failed},
            )
            if self.on_checked is not None:
                await self.on_checked()
        async with self.session_factory() as session:
            return await claims.claim_versions(
                session,
                worker_id=self.worker_id,
                max_versions=self.limits.versions_per_claim,
                lease=self.limits.lease,
                max_bytes=self.limits.bytes_per_claim,
                max_attempts=self.retry.max_attempts,
            )

    async def _check(self, batch: list[ClaimedVersion]) -> list[RunOutcome]:
        """One ruff run per distinct configuration in the batch, never one per file."""
        by_config: dict[ReviewConfig, dict[int, bytes]] = defaultdict(dict)
        for version in batch:
            by_config[version.config][version.version_id] = version.content
        return [
            outcome
            for config, sources in by_config.items()
            for outcome in await self._run(config, sources)
        ]

    async def _run(self, config: ReviewConfig, sources: dict[int, bytes]) -> list[RunOutcome]:
        """One run for the sources; when ruff exits with an error, is killed or times out on
        several, each half again, so one file that crashes ruff (a stack overflow on a
        10,000-term expression) or keeps it busy past the timeout fails alone and its
        neighbours are checked. The halves run one after the other: ruff uses every core, so
        halves side by side would only share them, and a batch of slow files (every one a
        million issues) would time out at every level, with twice the processes and memory
        each time. A ruff that cannot start fails the batch as a whole."""
        started_at = utcnow()
        ids = list(sources)
        metrics.RUFF_BATCH_SIZE.observe(len(ids))
        try:
            with metrics.CHECK_DURATION.time():
                ruff_version = await self.runner.version()
                results = await self.runner.check_batch(sources, config)
        except RuffError as error:
            logger.warning(
                "ruff failed on versions %s: %s", ids, error.reason, extra={"version_ids": ids}
            )
            if (error.exited or error.timed_out) and len(ids) > 1:
                half = len(ids) // 2
                first = {key: sources[key] for key in ids[:half]}
                rest = {key: sources[key] for key in ids[half:]}
                del sources  # each half holds its own
                return [*await self._run(config, first), *await self._run(config, rest)]
            version = await self._version_or_unknown()
            return [RunOutcome(config, ids, started_at, version, None, error.reason)]
        lines = {key: len(content.splitlines()) for key, content in sources.items()}
        return [RunOutcome(config, ids, started_at, ruff_version, results, line_counts=lines)]

    async def _record(self, outcomes: list[RunOutcome]) -> None:
        for outcome in outcomes:
            run = RuffRun(outcome.config, outcome.ruff_version, outcome.started_at)
            async with self.session_factory() as session:
                if outcome.results is None:
                    final = await claims.record_failure(
                        session,
                        worker_id=self.worker_id,
                        version_ids=outcome.version_ids,
                        run=run,
                        reason=outcome.reason,
                        policy=self.retry,
                    )
                    metrics.CHECKS.labels(CheckResult.ERROR, outcome.config.preset).inc(len(final))
                    continue
                written = await claims.record_results(
                    session,
                    worker_id=self.worker_id,
                    run=run,
                    results=outcome.results,
                    line_counts=outcome.line_counts,
                )
            await self._count(outcome, outcome.results, written)
            ids = {"version_ids": outcome.version_ids, "check_ids": written}  # log context
            logger.info(
                "checked %s versions with %s", len(written), outcome.config.describe(), extra=ids
            )
            if len(written) < len(outcome.version_ids):
                lost = len(outcome.version_ids) - len(written)
                logger.warning(
                    "%s claims were lost before the results were written", lost, extra=ids
                )
        if self.on_checked is not None:
            await self.on_checked()

    async def _count(
        self, outcome: RunOutcome, results: dict[int, FoundIssues], check_ids: list[int]
    ) -> None:
        """The written checks in the metrics, by result (read back when some claims were lost:
        only the database knows which versions those were)."""
        counts: dict[CheckResult, int] = defaultdict(int)
        if len(check_ids) == len(results):
            for issues in results.values():
                counts[CheckResult.FAILED if issues else CheckResult.PASSED] += 1
        elif check_ids:
            async with self.session_factory() as session:
                rows = await session.execute(
                    select(Check.result, func.count())
                    .where(Check.id.in_(check_ids))
                    .group_by(Check.result)
                )
                counts.update(dict(rows.all()))
        for result, count in counts.items():
            metrics.CHECKS.labels(result, outcome.config.preset).inc(count)

    async def _version_or_unknown(self) -> str:
        try:
            return await self.runner.version()
        except RuffError:
            return "unknown"
