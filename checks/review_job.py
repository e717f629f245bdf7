"""The review notices' job: send the due rows of `review_notices` (status changes of
submissions, and versions the gate blocked) in chat and by email, and record what happened.

Like the delivery job (checks/delivery_job.py), but simpler, since notices are few: it claims a
batch of due notices with a short lease (renewed by a heartbeat while held), sends them
concurrently (chat messages one queue per chat, in the order claimed and paced by the sender;
emails over a few queues), and writes each mark as soon as its send was accepted, with the chat
message it became (a reviewer replies to it to comment). A crash repeats at most the notices on
their way, and loses none: their claims expire and the next run sends them. Safe to run twice
at once (claims keep workers apart). Before claiming, it runs `before` (the resubmissions'
step, which writes notices of its own), if given.
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from checks import notice_outbox
from checks.outbox import RetryPolicy
from core.delivery import ChannelUnavailable, DeliveryError
from core.limits import DEFAULT_PIPELINE_LIMITS, PipelineLimits
from core.models import DeliveryChannel, DeliveryStatus
from core.notice_delivery import NoticeSend, NoticeSender
from core.services.notices import Notice, read_notice
from infra import metrics
from infra.database import SessionFactory

logger = logging.getLogger(__name__)

NO_CHAT = "no Telegram account is linked to the user"
NO_GROUP_CHAT = "the team's group chat is no longer linked"
NO_ADDRESS = "a group chat's line has no email address"


@dataclass
class ReviewJob:
    session_factory: SessionFactory
    senders: dict[DeliveryChannel, NoticeSender]
    # The lease and its heartbeat, notices per claim (DELIVERIES_PER_CLAIM), email queues.
    limits: PipelineLimits = DEFAULT_PIPELINE_LIMITS
    worker_id: str = field(default_factory=lambda: f"reviews-{secrets.token_hex(4)}")
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Set when the process stops: the sends on their way finish and are recorded, nothing more
    # is claimed, and what is claimed but not sent is given back.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # Run first on every run (the resubmissions' step); what it returns counts as work done.
    before: Callable[[], Awaitable[int]] | None = None

    async def __call__(self) -> int:
        """Send every notice that is due; returns how many were handled."""
        done = 0
        if self.before is not None:
            done += await self.before()
        run = _Run(self)
        async with contextlib.AsyncExitStack() as stack:
            while not self.stopping.is_set():
                async with self.session_factory() as session:
                    ids = await notice_outbox.claim_notices(
                        session,
                        worker_id=self.worker_id,
                        max_notices=self.limits.deliveries_per_claim,
                        lease=self.limits.lease,
                        channels=set(self.senders) - run.unavailable,
                    )
                if not ids:
                    break
                done += len(ids)
                await run.batch(stack, ids)
        return done


class _Run:
    """One run of the job: the senders it opened, the channels that refused, what it holds."""

    def __init__(self, job: ReviewJob) -> None:
        self._job = job
        self._sends: dict[DeliveryChannel, NoticeSend] = {}
        self.unavailable: set[DeliveryChannel] = set()
        self._held: set[int] = set()

    async def batch(self, stack: contextlib.AsyncExitStack, ids: list[int]) -> None:
        self._held = set(ids)
        try:
            async with self._heartbeat():
                notices = await self._read(ids)
                for channel in {notice.channel for notice in notices}:
                    await self._open(stack, channel)
                queues: dict[Hashable, list[Notice]] = {}
                for position, notice in enumerate(notices):
                    queues.setdefault(self._queue(notice, position), []).append(notice)
                ended = await asyncio.gather(
                    *(self._drain(queue) for queue in queues.values()), return_exceptions=True
                )
            for outcome in ended:
                if isinstance(outcome, BaseException):
                    raise outcome
        finally:
            if self._held:
                await self._release()

    async def _read(self, ids: list[int]) -> list[Notice]:
        async with self._job.session_factory() as session:
            found = [await read_notice(session, notice_id) for notice_id in ids]
        notices = [notice for notice in found if notice is not None]
        # A notice deleted since it was claimed (with its submission or person): nothing left.
        self._held &= {notice.notice_id for notice in notices}
        return notices

    async def _open(self, stack: contextlib.AsyncExitStack, channel: DeliveryChannel) -> None:
        if channel in self._sends or channel in self.unavailable:
            return
        try:
            self._sends[channel] = await stack.enter_async_context(
                self._job.senders[channel].opened()
            )
        except ChannelUnavailable as error:
            logger.warning("%s notices wait: the channel refuses to send (%s)", channel, error)
            self.unavailable.add(channel)

    def _queue(self, notice: Notice, position: int) -> Hashable:
        if notice.channel is DeliveryChannel.TELEGRAM:
            return ("chat", notice.chat_id)
        return ("email", position % self._job.limits.email_queues)

    async def _drain(self, queue: list[Notice]) -> None:
        for notice in queue:
            if self._job.stopping.is_set() or notice.channel in self.unavailable:
                return  # left held: given back at the end of the batch
            await self._deliver(notice)

    async def _deliver(self, notice: Notice) -> None:
        try:
            message_id = await self._send(notice)
        except ChannelUnavailable:
            self.unavailable.add(notice.channel)
            return
        except DeliveryError as error:
            await self._failed(notice, error)
            return
        async with self._job.session_factory() as session:
            await notice_outbox.record_sent(
                session,
                notice.notice_id,
                chat_id=notice.chat_id if notice.channel is DeliveryChannel.TELEGRAM else None,
                message_id=message_id,
                worker_id=self._job.worker_id,
            )
        self._held.discard(notice.notice_id)
        metrics.REVIEW_NOTICES.labels(notice.channel, "sent").inc()

    async def _send(self, notice: Notice) -> int | None:
        if notice.channel is DeliveryChannel.TELEGRAM and notice.chat_id is None:
            raise DeliveryError(NO_GROUP_CHAT if notice.group else NO_CHAT, permanent=True)
        if notice.channel is DeliveryChannel.EMAIL and notice.email is None:
            raise DeliveryError(NO_ADDRESS, permanent=True)
        return await self._sends[notice.channel](notice)

    async def _failed(self, notice: Notice, error: DeliveryError) -> None:
        async with self._job.session_factory() as session:
            status = await notice_outbox.record_failure(
                session,
                notice.notice_id,
                error,
                self._job.retry,
                worker_id=self._job.worker_id,
            )
        self._held.discard(notice.notice_id)
        if status is None:
            return
        given_up = status is DeliveryStatus.FAILED
        metrics.REVIEW_NOTICES.labels(notice.channel, "failed" if given_up else "retry").inc()
        log = logger.error if status is DeliveryStatus.FAILED else logger.warning
        log(
            "review notice %s (%s, %s) not sent, now %s: %s",
            notice.notice_id,
            notice.kind,
            notice.channel,
            status,
            error.reason,
        )

    async def _release(self) -> None:
        held, self._held = sorted(self._held), set()
        logger.info("giving back %s claimed review notices, unsent", len(held))
        async with self._job.session_factory() as session:
            await notice_outbox.release(session, held, worker_id=self._job.worker_id)

    @contextlib.asynccontextmanager
    async def _heartbeat(self) -> AsyncIterator[None]:
        """The claims held renewed every `heartbeat_seconds` while the batch runs."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self._job.limits.heartbeat_seconds)
                if self._held:
                    async with self._job.session_factory() as session:
                        await notice_outbox.extend_claims(
                            session,
                            sorted(self._held),
                            self._job.limits.lease,
                            worker_id=self._job.worker_id,
                        )

        task = asyncio.create_task(renew(), name="review-notices-heartbeat")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
