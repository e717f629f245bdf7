"""The two scheduled jobs: check pending versions, and send pending deliveries.

Both open their own sessions, loop until no work is left, and are safe to run twice at once
(claims keep them apart).
"""

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from checks import claims, outbox
from checks.claims import CheckRetryPolicy, ClaimedVersion, RuffRun
from checks.outbox import ChannelUnavailable, DeliveryError, DeliveryTarget, RetryPolicy
from checks.ruff import RuffError, RuffRunner
from core.database import SessionFactory
from core.models import DeliveryChannel, DeliveryStatus, utcnow
from core.ruff_config import ReviewConfig

logger = logging.getLogger(__name__)


class ResultSender(Protocol):
    async def send(self, target: DeliveryTarget) -> None:
        """Return once the server accepted the result; raise DeliveryError otherwise, or
        ChannelUnavailable when the channel cannot send anything at all."""


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


@dataclass
class DeliveryJob:
    session_factory: SessionFactory
    senders: dict[DeliveryChannel, ResultSender]
    batch_size: int = 50
    lease: timedelta = timedelta(minutes=2)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    async def __call__(self) -> int:
        """Send every delivery that is due; returns how many were attempted."""
        attempted = 0
        while True:
            async with self.session_factory() as session:
                ids = await outbox.claim_deliveries(
                    session, batch_size=self.batch_size, lease=self.lease
                )
            if not ids:
                return attempted
            for sent, delivery_id in enumerate(ids):
                try:
                    await self._deliver(delivery_id)
                except ChannelUnavailable:
                    # Nothing is held against these deliveries: they wait, untouched, for a
                    # process that can send (this one is stopping, see reviewbot/supervisor.py).
                    async with self.session_factory() as session:
                        await outbox.release(session, ids[sent:])
                    return attempted + sent
            attempted += len(ids)

    async def _deliver(self, delivery_id: int) -> None:
        async with self.session_factory() as session:
            target = await outbox.delivery_target(session, delivery_id)
        try:
            await self._send(target)
        except DeliveryError as error:
            async with self.session_factory() as session:
                status = await outbox.record_failure(session, delivery_id, error, self.retry)
            log = logger.error if status is DeliveryStatus.FAILED else logger.warning
            log(
                "delivery %s (%s) not sent, now %s: %s",
                delivery_id,
                target.channel,
                status,
                error.reason,
            )
            return
        async with self.session_factory() as session:
            await outbox.record_sent(session, delivery_id)

    async def _send(self, target: DeliveryTarget) -> None:
        if target.channel is DeliveryChannel.TELEGRAM and target.chat_id is None:
            raise DeliveryError("no Telegram account is linked to the user", permanent=True)
        await self.senders[target.channel].send(target)
