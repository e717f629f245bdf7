"""The scheduler that runs the jobs, and its wake-ups.

APScheduler runs the check job every CHECK_INTERVAL_SECONDS, and the delivery job and the review
notices' job every DELIVERY_INTERVAL_SECONDS, one instance of each at a time, coalescing missed
runs. A wake-up signal runs the check job and the review job at once (an upload, or a status
change of a submission), a finished check runs the delivery and review jobs; a wake-up that
comes while a job is running makes it go round once more instead of being lost.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.exceptions import RedisError

from core.models import utcnow
from core.ports import Wakeup
from infra.database import is_outage

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[int]]
# On SIGTERM, running batches get this long to finish, then their claims are given back within
# RELEASE_GRACE_SECONDS: the process is gone within 10 s (a crash is safe too: claims expire).
STOP_GRACE_SECONDS = 6.0
RELEASE_GRACE_SECONDS = 2.0
# A wake-up channel that listened this long before it was lost counts as a new outage.
LISTENER_RESET_SECONDS = 5.0


class RepeatingJob:
    """Runs a job until no wake-up arrived during its run (or the process is stopping). A run
    that loses the database ends with one warning; the schedule runs it again."""

    def __init__(self, name: str, job: Job, stopping: asyncio.Event) -> None:
        self.name = name
        self._job = job
        self._stopping = stopping
        self._again = False
        self._running: asyncio.Task[object] | None = None
        self._failing = False
        self.idle = asyncio.Event()
        self.idle.set()

    def request(self) -> None:
        self._again = True

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()

    async def run(self) -> None:
        self.idle.clear()
        self._running = asyncio.current_task()
        try:
            while not self._stopping.is_set():
                self._again = False
                try:
                    done = await self._job()
                except asyncio.CancelledError:
                    if not self._stopping.is_set():
                        raise
                    return  # cut short by `Worker.stop`: the job gave its claims back
                except Exception as error:
                    if not is_outage(error):
                        raise
                    self._lost_connection(error)
                    return
                if self._failing:
                    logger.info("the %s job runs again", self.name)
                    self._failing = False
                if done:
                    logger.debug("%s job handled %s items", self.name, done)
                if not self._again:
                    return
        finally:
            self._running = None
            self.idle.set()

    def _lost_connection(self, error: Exception) -> None:
        if self._failing:
            logger.debug("the %s job failed again: %s", self.name, error)
            return
        self._failing = True
        logger.warning(
            "the %s job lost its connection (%s: %s); it runs again on its schedule, and "
            "nothing it had not finished is lost",
            self.name,
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
        )


class Worker:
    def __init__(
        self,
        *,
        check_job: Job,
        delivery_job: Job,
        review_job: Job | None = None,
        check_interval: timedelta,
        delivery_interval: timedelta,
        wakeup: Wakeup,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self._stopping = stopping or asyncio.Event()
        self._checks = RepeatingJob("checks", check_job, self._stopping)
        self._deliveries = RepeatingJob("deliveries", delivery_job, self._stopping)
        self._reviews = (
            None if review_job is None else RepeatingJob("reviews", review_job, self._stopping)
        )
        self._wakeup = wakeup
        self._listener: asyncio.Task[None] | None = None
        self.scheduler = AsyncIOScheduler(
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        )
        for job, interval in (
            (self._checks, check_interval),
            (self._deliveries, delivery_interval),
            *(() if self._reviews is None else ((self._reviews, delivery_interval),)),
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
        """Claim nothing more; let the running batches finish (or, past the grace time, cut
        them short and give their claims back), then stop the scheduler."""
        self._stopping.set()
        logger.info("stopping: no new work is claimed; the running batch finishes")
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        self.scheduler.pause()
        jobs = self._jobs
        if not await _all_idle(jobs, STOP_GRACE_SECONDS):
            logger.warning(
                "stopping: the running batch did not finish in time; its claims are given back"
            )
            for job in jobs:
                job.cancel()
            await _all_idle(jobs, RELEASE_GRACE_SECONDS)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # let the scheduler's cancelled tasks unwind

    async def wake_checks(self) -> None:
        self._wake(self._checks)

    async def wake_deliveries(self) -> None:
        """A batch of checks is done: its results, and the review notices it led to."""
        self._wake(self._deliveries)
        self._wake_reviews()

    async def wake_reviews(self) -> None:
        self._wake_reviews()

    @property
    def _jobs(self) -> tuple[RepeatingJob, ...]:
        others = () if self._reviews is None else (self._reviews,)
        return (self._checks, self._deliveries, *others)

    def _wake_reviews(self) -> None:
        if self._reviews is not None:
            self._wake(self._reviews)

    def _wake(self, job: RepeatingJob) -> None:
        job.request()
        scheduled = self.scheduler.get_job(job.name)
        if scheduled is not None:
            scheduled.modify(next_run_time=utcnow())

    async def _listen(self) -> None:
        """Wake the check and review jobs on each signal; while the channel is lost (Redis
        away), the schedule alone runs the jobs, and one warning says so."""
        loop = asyncio.get_running_loop()
        lost = False
        while True:
            listening_since = loop.time()
            try:
                async for _signal in self._wakeup.signals():
                    self._wake(self._checks)
                    self._wake_reviews()
            except (RedisError, OSError) as error:
                if loop.time() - listening_since > LISTENER_RESET_SECONDS:
                    lost = False  # it had been listening: this is a new outage
                if not lost:
                    logger.warning("wake-up channel lost (%s); the schedule still runs", error)
                lost = True
                await asyncio.sleep(1)


async def _all_idle(jobs: tuple[RepeatingJob, ...], timeout: float) -> bool:  # noqa: ASYNC109
    try:
        async with asyncio.timeout(timeout):
            for job in jobs:
                await job.idle.wait()
    except TimeoutError:
        return False
    return True
