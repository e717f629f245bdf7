"""The scheduler that runs both jobs, and its wake-ups.

APScheduler runs the check job every CHECK_INTERVAL_SECONDS and the delivery job every
DELIVERY_INTERVAL_SECONDS, one instance of each at a time, coalescing missed runs. An upload's
wake-up (and a finished check, for deliveries) runs a job at once; a wake-up that comes while
the job is running makes it go round once more instead of being lost.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.exceptions import RedisError

from core.models import utcnow
from core.wakeup import Wakeup

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[int]]
STOP_GRACE_SECONDS = 30


class RepeatingJob:
    """Runs a job until no wake-up arrived during its run."""

    def __init__(self, name: str, job: Job) -> None:
        self.name = name
        self._job = job
        self._again = False
        self.idle = asyncio.Event()
        self.idle.set()

    def request(self) -> None:
        self._again = True

    async def run(self) -> None:
        self.idle.clear()
        try:
            while True:
                self._again = False
                done = await self._job()
                if done:
                    logger.debug("%s job handled %s items", self.name, done)
                if not self._again:
                    return
        finally:
            self.idle.set()


class Worker:
    def __init__(
        self,
        *,
        check_job: Job,
        delivery_job: Job,
        check_interval: timedelta,
        delivery_interval: timedelta,
        wakeup: Wakeup,
    ) -> None:
        self._checks = RepeatingJob("checks", check_job)
        self._deliveries = RepeatingJob("deliveries", delivery_job)
        self._wakeup = wakeup
        self._listener: asyncio.Task[None] | None = None
        self.scheduler = AsyncIOScheduler(
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        )
        for job, interval in (
            (self._checks, check_interval),
            (self._deliveries, delivery_interval),
        ):
            # A bound coroutine method: APScheduler runs only coroutine functions on the loop.
            self.scheduler.add_job(
                job.run,
                "interval",
                seconds=interval.total_seconds(),
                id=job.name,
                next_run_time=utcnow(),
            )

    def start(self) -> None:
        self.scheduler.start()
        self._listener = asyncio.create_task(self._listen(), name="wakeup-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        # Let running jobs finish their round; a job cut short is safe too (claims expire).
        self.scheduler.pause()
        for job in (self._checks, self._deliveries):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.idle.wait(), timeout=STOP_GRACE_SECONDS)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # let the scheduler's cancelled tasks unwind

    async def wake_checks(self) -> None:
        self._wake(self._checks)

    async def wake_deliveries(self) -> None:
        self._wake(self._deliveries)

    def _wake(self, job: RepeatingJob) -> None:
        job.request()
        scheduled = self.scheduler.get_job(job.name)
        if scheduled is not None:
            scheduled.modify(next_run_time=utcnow())

    async def _listen(self) -> None:
        while True:
            try:
                async for _signal in self._wakeup.signals():
                    self._wake(self._checks)
            except (RedisError, OSError) as error:
                logger.warning("wake-up channel lost (%s); the schedule still runs", error)
                await asyncio.sleep(1)
