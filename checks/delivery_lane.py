"""One channel's deliveries while the delivery job (checks/delivery_job.py) runs: claimed
while there is room, sent concurrently (chat results one queue per chat, emails over a few
queues), their marks written every `mark_interval_seconds` and their claims renewed by a
heartbeat; what a stopped or failed lane did not send is given back."""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING, Protocol

from checks import outbox
from core.delivery import ChannelUnavailable, DeliveryError, DeliveryTarget, ResultSender, Send
from core.models import DeliveryChannel, DeliveryStatus, utcnow
from infra import log_context, metrics

if TYPE_CHECKING:
    from checks.delivery_job import DeliveryJob

logger = logging.getLogger(__name__)


class DeliveryLane:
    """The deliveries of one channel while the job runs."""

    def __init__(
        self,
        job: "DeliveryJob",
        channel: DeliveryChannel,
        sender: ResultSender,
        reports: outbox.ReportCache,
    ) -> None:
        self._job = job
        self._reports = reports
        self._channel = channel
        self._sender = sender
        self._queues: dict[Hashable, deque[DeliveryTarget]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: set[int] = set()  # claimed, neither sent nor recorded as failed yet
        self._sent: list[int] = []  # accepted, not marked yet
        self._recording = asyncio.Lock()
        self._room = asyncio.Event()
        self._unavailable = False
        self._failed = False
        self._crash: BaseException | None = None
        self._claimed = 0

    async def run(self) -> int:
        try:
            return await self._run()
        except ChannelUnavailable:  # the sender refused before anything was claimed
            return 0

    async def _run(self) -> int:
        async with self._sender.opened() as send, self._background():
            try:
                await self._feed(send)
            except BaseException:
                self._failed = True
                for task in self._tasks:
                    task.cancel()
                raise
            finally:
                await self._finish()
        return self._claimed

    async def _feed(self, send: Send) -> None:
        """Claim while there is room and work; return once idle and nothing more is due."""
        drained, last_claim = False, 0
        while not self._halted:
            if self._crash is not None:
                raise self._crash
            per_claim = self._job.limits.deliveries_per_claim
            want = min(per_claim, self._job.limits.deliveries_held - len(self._held))
            if not drained and (want == per_claim or not self._held) and want > 0:
                last_claim = await self._claim(send, want)
                drained = last_claim < want
                continue
            if not self._tasks:
                if drained and last_claim == 0:
                    return
                drained = False  # idle: look once more for work that came meanwhile
                continue
            await self._room.wait()
            self._room.clear()

    @property
    def _halted(self) -> bool:
        """No more sends: the channel refuses them, or the process is stopping."""
        return self._unavailable or self._job.stopping.is_set()

    async def _claim(self, send: Send, want: int) -> int:
        async with self._job.session_factory() as session:
            ids = await outbox.claim_deliveries(
                session,
                worker_id=self._job.worker_id,
                max_deliveries=want,
                lease=self._job.limits.lease,
                channel=self._channel,
            )
            targets = await outbox.delivery_targets(session, ids, self._reports)
        self._held.update(target.delivery_id for target in targets)
        self._claimed += len(ids)
        for position, target in enumerate(targets):
            self._enqueue(send, target, position)
        return len(ids)

    def _enqueue(self, send: Send, target: DeliveryTarget, position: int) -> None:
        key: Hashable
        if self._channel is DeliveryChannel.TELEGRAM:
            key = ("chat", target.chat_id)
        else:
            key = ("queue", position % self._job.limits.email_queues)
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(target)
            return
        self._queues[key] = deque([target])
        task = asyncio.create_task(self._drain(send, key), name=f"deliveries-{self._channel}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._crash is None:
            self._crash = task.exception()
        self._room.set()

    async def _drain(self, send: Send, key: Hashable) -> None:
        """One queue's deliveries, one after another, in the order claimed."""
        queue = self._queues[key]
        try:
            while queue and not self._halted:
                await self._deliver(send, queue.popleft())
                self._room.set()
        finally:
            del self._queues[key]

    async def _deliver(self, send: Send, target: DeliveryTarget) -> None:
        report = target.report
        with log_context.bound(
            delivery_id=target.delivery_id, check_id=report.check_id, file_id=report.file_id
        ):
            await self._deliver_logged(send, target)

    async def _deliver_logged(self, send: Send, target: DeliveryTarget) -> None:
        try:
            await self._send(send, target)
        except ChannelUnavailable:
            # Nothing is held against this channel's deliveries: they wait, untouched, for a
            # process that can send (Telegram refused the token: this one is stopping, see
            # reviewbot/supervisor.py), or for a later run (the mail server refuses the bot's
            # login or policy: see infra/mail/results.py).
            self._unavailable = True
            return
        except DeliveryError as error:
            async with self._job.session_factory() as session:
                status = await outbox.record_failure(
                    session,
                    target.delivery_id,
                    error,
                    self._job.retry,
                    worker_id=self._job.worker_id,
                )
            self._held.discard(target.delivery_id)
            if status is None:  # deleted with its user, or taken over: nothing left to record
                return
            given_up = status is DeliveryStatus.FAILED
            metrics.DELIVERIES.labels(self._channel, "failed" if given_up else "retry").inc()
            log = logger.error if given_up else logger.warning
            log(
                "delivery %s (%s) not sent, now %s: %s",
                target.delivery_id,
                target.channel,
                status,
                error.reason,
            )
            return
        self._held.discard(target.delivery_id)
        self._sent.append(target.delivery_id)
        metrics.DELIVERIES.labels(self._channel, "sent").inc()
        latency = (utcnow() - target.report.finished_at).total_seconds()
        metrics.DELIVERY_LATENCY.labels(self._channel).observe(max(0.0, latency))

    async def _send(self, send: Send, target: DeliveryTarget) -> None:
        if self._channel is DeliveryChannel.TELEGRAM and target.chat_id is None:
            raise DeliveryError("no Telegram account is linked to the user", permanent=True)
        await send(target)

    @contextlib.asynccontextmanager
    async def _background(self) -> AsyncIterator[None]:
        """Marks written every `mark_interval_seconds`, claims renewed every heartbeat."""
        tasks = [
            asyncio.create_task(
                self._every(self._job.limits.mark_interval_seconds, self._record_sent)
            ),
            asyncio.create_task(
                self._every(self._job.limits.heartbeat_seconds, self._renew_claims)
            ),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _every(self, seconds: float, action: "_Action") -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await action()
            except Exception as error:  # handed to the lane, which raises it
                if self._crash is None:
                    self._crash = error
                self._room.set()
                return

    async def _record_sent(self) -> None:
        # One write at a time, and `_finish` waits for it (see there).
        async with self._recording:
            sent, self._sent = self._sent, []
            if sent:
                try:
                    async with self._job.session_factory() as session:
                        await outbox.record_sent(session, sent, worker_id=self._job.worker_id)
                except BaseException:
                    self._sent = sent + self._sent  # kept for the lane's end, or the next run
                    raise

    async def _renew_claims(self) -> None:
        if self._held:
            async with self._job.session_factory() as session:
                await outbox.extend_claims(
                    session,
                    sorted(self._held),
                    self._job.limits.lease,
                    worker_id=self._job.worker_id,
                )

    async def _finish(self) -> None:
        """Let the deliveries on their way end, write their marks, and give back what a
        stopped (or failed) lane did not send; what cannot be written now is left to the job's
        next run."""
        if self._tasks:
            await asyncio.wait(self._tasks)
        # A periodic write of marks on its way ends first: cancelled with the background tasks
        # after this, its marks would be lost and the results sent again after their lease.
        async with self._recording:
            given_back = self._held if self._halted or self._failed else set()
            if given_back:
                logger.info(
                    "giving back %s claimed %s deliveries, unsent", len(given_back), self._channel
                )
            self._job.keep_for_next_run(sent=self._sent, held=given_back)
            self._sent, self._held = [], self._held - given_back
        await self._job.settle()


class _Action(Protocol):
    async def __call__(self) -> None: ...
