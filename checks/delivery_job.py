"""The scheduled delivery job: send pending deliveries of the outbox and record what
happened. Opens its own sessions, loops until no work is left, and is safe to run twice at once
(delivery claims keep workers apart)."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from checks import outbox
from checks.outbox import ChannelUnavailable, DeliveryError, DeliveryTarget, RetryPolicy
from core.database import SessionFactory
from core.models import DeliveryChannel, DeliveryStatus

logger = logging.getLogger(__name__)


class ResultSender(Protocol):
    async def send(self, target: DeliveryTarget) -> None:
        """Return once the server accepted the result; raise DeliveryError otherwise, or
        ChannelUnavailable when the channel cannot send anything at all."""


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
