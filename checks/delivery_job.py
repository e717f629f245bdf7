"""The scheduled delivery job: send pending deliveries of the outbox and record what
happened. Opens its own sessions, loops until no work is left, and is safe to run twice at once
(delivery claims keep workers apart).

Each channel has its own lane, and the lanes run side by side: email never waits for the pace
of chat messages. A lane keeps up to `deliveries_held` deliveries claimed, claiming more as they
are done, and sends them concurrently: chat results one queue per chat, so that a person's results
arrive in order (the sender paces them within Telegram's limits); emails over a few queues,
sharing the mailer's pooled connections. Claims are short leases renewed by a heartbeat while
held (checks/leases.py), so a long queue never outlives its lease and a dead process's claims
are taken over within seconds. A delivery is marked sent only after the server accepted it;
the marks are written together every `mark_interval_seconds`, so a crash repeats at most the
results of that moment (each once), and loses none.
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass, field

from checks import outbox
from checks.delivery_lane import DeliveryLane
from checks.outbox import RetryPolicy
from core.delivery import ResultSender
from core.limits import DEFAULT_PIPELINE_LIMITS, PipelineLimits
from core.models import DeliveryChannel
from infra.database import SessionFactory

logger = logging.getLogger(__name__)


@dataclass
class DeliveryJob:
    session_factory: SessionFactory
    senders: dict[DeliveryChannel, ResultSender]
    # Deliveries per claim and held per lane, email queues, the lease, the mark interval:
    # core/limits.py.
    limits: PipelineLimits = DEFAULT_PIPELINE_LIMITS
    # Whose claims these are: outcomes are written only for deliveries this worker still holds.
    worker_id: str = field(default_factory=lambda: f"deliveries-{secrets.token_hex(4)}")
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Set when the process stops: the sends on their way finish and are recorded, nothing more
    # is claimed, and what is claimed but not sent is given back.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        # Left by a run the database failed: sent deliveries whose marks were not written, and
        # claimed ones not sent. Written first by the next run, so that a lost connection
        # repeats no result and leaves none waiting for its lease.
        self._unmarked: set[int] = set()
        self._unreleased: set[int] = set()

    async def __call__(self) -> int:
        """Send every delivery that is due; returns how many were attempted."""
        await self.settle()
        reports = outbox.ReportCache(size=2 * self.limits.deliveries_held)
        lanes = [
            DeliveryLane(self, channel, sender, reports)
            for channel, sender in self.senders.items()
        ]
        # Every lane ends on its own (a lost database stops each at its next query), so that
        # none goes on unseen when this run is over.
        ended = await asyncio.gather(*(lane.run() for lane in lanes), return_exceptions=True)
        for outcome in ended:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(outcome for outcome in ended if isinstance(outcome, int))

    def keep_for_next_run(self, *, sent: list[int], held: set[int]) -> None:
        self._unmarked.update(sent)
        self._unreleased.update(held)

    async def settle(self) -> None:
        """Write the marks and give back the claims a lane left."""
        marks, self._unmarked = self._unmarked, set()
        releases, self._unreleased = self._unreleased - marks, set()
        try:
            if marks:
                async with self.session_factory() as session:
                    await outbox.record_sent(session, sorted(marks), worker_id=self.worker_id)
            if releases:
                async with self.session_factory() as session:
                    await outbox.release(session, sorted(releases), worker_id=self.worker_id)
        except BaseException:
            self._unmarked |= marks
            self._unreleased |= releases
            raise
