"""The scheduled check job: claim pending versions in batches, run ruff once per batch and
configuration, write the checks with their outbox. Opens its own sessions, loops until no work
is left, and is safe to run twice at once (claims keep workers apart)."""

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from checks import claims
from checks.claims import CheckRetryPolicy, ClaimedVersion, RuffRun
from checks.ruff import RuffError, RuffRunner
from core.database import SessionFactory
from core.models import utcnow
from core.ruff_config import ReviewConfig

logger = logging.getLogger(__name__)


@dataclass
class CheckJob:
    session_factory: SessionFactory
    runner: RuffRunner
    worker_id: str
    batch_size: int = 50
    lease: timedelta = timedelta(minutes=5)
    retry: CheckRetryPolicy = field(default_factory=CheckRetryPolicy)
    # Called after a batch wrote checks (and so deliveries): wakes the delivery job.
    on_checked: Callable[[], Awaitable[None]] | None = None

    async def __call__(self) -> int:
        """Check everything that is due; returns how many versions were claimed."""
        claimed_total = 0
        while True:
            async with self.session_factory() as session:
                claimed = await claims.claim_versions(
                    session, worker_id=self.worker_id, batch_size=self.batch_size, lease=self.lease
                )
            if not claimed:
                return claimed_total
            claimed_total += len(claimed)
            # One ruff run per distinct configuration in the batch, never one per file.
            by_config: dict[ReviewConfig, list[ClaimedVersion]] = defaultdict(list)
            for version in claimed:
                by_config[version.config].append(version)
            for config, versions in by_config.items():
                await self._check(config, versions)
            if self.on_checked is not None:
                await self.on_checked()

    async def _check(self, config: ReviewConfig, versions: list[ClaimedVersion]) -> None:
        started_at = utcnow()
        ids = [version.version_id for version in versions]
        try:
            ruff_version = await self.runner.version()
            results = await self.runner.check_batch(
                {version.version_id: version.content for version in versions}, config
            )
        except RuffError as error:
            logger.warning("ruff failed on versions %s: %s", ids, error.reason)
            async with self.session_factory() as session:
                await claims.record_failure(
                    session,
                    worker_id=self.worker_id,
                    version_ids=ids,
                    run=RuffRun(config, await self._version_or_unknown(), started_at),
                    reason=error.reason,
                    policy=self.retry,
                )
            return
        async with self.session_factory() as session:
            written = await claims.record_results(
                session,
                worker_id=self.worker_id,
                run=RuffRun(config, ruff_version, started_at),
                results=results,
            )
        logger.info("checked %s versions with %s", len(written), config.describe())
        if len(written) < len(ids):
            logger.warning(
                "%s claims were lost before the results were written", len(ids) - len(written)
            )

    async def _version_or_unknown(self) -> str:
        try:
            return await self.runner.version()
        except RuffError:
            return "unknown"
