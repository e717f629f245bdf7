"""The composition root: shared resources, the Telegram side, the worker, and the processes
(`run`, `bot`, `worker`) built from them. Everything is built in order and closed in reverse."""

import asyncio
import functools
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from babel.support import Translations
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Catalogues, build_bot, build_dispatcher, build_storage
from bot.in_flight import UpdatesInFlight
from bot.notify import TelegramResultSender
from bot.review_notify import TelegramNoticeSender
from checks.check_job import CheckJob
from checks.delivery_job import DeliveryJob
from checks.outbox import RetryPolicy
from checks.pruning import PRUNE_INTERVAL, PruningJob
from checks.resubmissions import ResubmissionStep
from checks.review_job import ReviewJob
from checks.worker import Worker
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.delivery import ResultSender
from core.i18n import load_translations
from core.limits import PipelineLimits
from core.models import DeliveryChannel, utcnow
from core.notice_delivery import NoticeSender
from core.ports import Mailer, Wakeup
from infra.database import SessionFactory, build_engine, build_session_factory
from infra.mail.emails import EmailTemplates
from infra.mail.mailers import build_mailer
from infra.mail.notices import EmailNoticeSender
from infra.mail.results import EmailResultSender, ReportLinks
from infra.pacing import Pacer
from infra.ruff.autofix import RuffFixer
from infra.ruff.gate import RuffGateChecker
from infra.ruff.rules import RuleCatalog
from infra.ruff.runner import RuffRunner
from infra.wakeup import build_wakeup
from reviewbot.supervisor import supervise
from reviewbot.telegram_side import ResultChannel, announce_mail, connect_bot, telegram_side
from reviewbot.web import serving_health

logger = logging.getLogger(__name__)

# Connections to Redis one process keeps at most (FSM, wake-ups, rate limits).
REDIS_MAX_CONNECTIONS = 50
REDIS_RETRIES = 2
# Once the bot stops taking updates, the ones it took get this long to finish (a stop still ends
# within 10 s: in `run` they finish meanwhile the worker stops).
UPDATES_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    redis: Redis | None
    mailer: Mailer
    translations: dict[str, Translations]
    email_templates: EmailTemplates
    wakeup: Wakeup
    clock: Clock = SYSTEM_CLOCK  # what the bot's services take for "now" (tests move their own)


@dataclass(frozen=True)
class BotRuntime:
    bot: Bot
    dispatcher: Dispatcher
    in_flight: UpdatesInFlight  # the updates being handled


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    engine = build_engine(settings.database_url)
    redis = (
        # A burst of updates waits for a free connection instead of failing past the limit.
        Redis.from_pool(
            BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=REDIS_MAX_CONNECTIONS,
                # A pooled connection that died with a Redis restart or a network cut is
                # reconnected on its next command instead of failing it.
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), REDIS_RETRIES),
            )
        )
        if settings.redis_url
        else None
    )
    try:
        translations = load_translations()
        yield Resources(
            settings=settings,
            engine=engine,
            session_factory=build_session_factory(engine),
            redis=redis,
            mailer=build_mailer(settings),
            translations=translations,
            email_templates=EmailTemplates(sender=settings.smtp_from, translations=translations),
            wakeup=build_wakeup(redis),
        )
    finally:
        if redis is not None:
            await redis.aclose()
        await engine.dispose()


@asynccontextmanager
async def open_bot(
    resources: Resources, token: str, *, grace: float = UPDATES_GRACE_SECONDS
) -> AsyncIterator[BotRuntime]:
    """The Bot and its Dispatcher with every handler; no request is made yet (the command menu
    is set once Telegram answers: see `Polling`). On leaving, the updates being handled get
    up to `grace` seconds to finish before the bot's HTTP session closes."""
    bot = build_bot(resources.settings, token)
    # Validates people's own configurations and computes autofix previews; the worker's
    # runner, which stores checks, is built in `open_worker` with the issue limit.
    ruff_runner = RuffRunner(ruff_path=resources.settings.ruff_path or None)
    in_flight = UpdatesInFlight()
    try:
        dispatcher = build_dispatcher(
            settings=resources.settings,
            session_factory=resources.session_factory,
            storage=build_storage(
                resources.redis, timedelta(hours=resources.settings.prune_after_hours)
            ),
            redis=resources.redis,  # rate limits shared by every bot process
            mailer=resources.mailer,
            email_templates=resources.email_templates,
            translations=resources.translations,
            wakeup=resources.wakeup,
            clock=resources.clock,
            ruff_runner=ruff_runner,
            fixer=RuffFixer(ruff_runner),
            # The gate stores its check like the worker's: with the same issue limit.
            gate_checker=RuffGateChecker(
                RuffRunner(
                    ruff_path=resources.settings.ruff_path or None,
                    max_issues=resources.settings.max_issues_per_check,
                )
            ),
            rule_catalog=RuleCatalog(),  # ruff's rule texts, read on first use
            in_flight=in_flight,
        )
        yield BotRuntime(bot=bot, dispatcher=dispatcher, in_flight=in_flight)
    finally:
        # Polling has stopped (or the webhook is no longer served): what was taken is finished
        # before the session (and then the database) closes under it.
        await in_flight.finish(grace)
        await bot.session.close()


@functools.cache
def worker_id() -> str:
    """This process's name on its claims: host and pid, and a random part, since a restarted
    container has the host name and pid of the process it replaces."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def pipeline_limits(settings: Settings) -> PipelineLimits:
    """The check and delivery jobs' limits: the settings operators tune, the rest defaults.
    Claims are short leases renewed by each job's heartbeat while held (checks/leases.py)."""
    return PipelineLimits(
        versions_per_claim=settings.check_versions_per_claim,
        bytes_per_claim=settings.check_bytes_per_claim,
        deliveries_per_claim=settings.deliveries_per_claim,
        lease=timedelta(seconds=settings.claim_lease_seconds),
    )


@asynccontextmanager
async def open_worker(
    resources: Resources,
    bot: Bot,
    *,
    runner: RuffRunner | None = None,
    retry: RetryPolicy | None = None,
    identity: str | None = None,
) -> AsyncIterator[Worker]:
    """The scheduler with the check, delivery and review notice jobs, started; stopped on
    exit."""
    settings = resources.settings
    # One pace for every chat message the worker sends: results and review notices.
    pacer = Pacer(
        per_second=settings.telegram_messages_per_second,
        chat_interval=settings.telegram_chat_interval_seconds,
    )
    catalogues = Catalogues(resources.translations)
    senders: dict[DeliveryChannel, ResultSender] = {
        DeliveryChannel.EMAIL: EmailResultSender(
            resources.mailer,
            resources.email_templates,
            links=ReportLinks.from_settings(settings, bot.token, resources.clock),
        ),
        DeliveryChannel.TELEGRAM: TelegramResultSender(
            bot, catalogues, pacer, webapp_url=settings.webapp_url
        ),
    }
    notice_senders: dict[DeliveryChannel, NoticeSender] = {
        DeliveryChannel.EMAIL: EmailNoticeSender(
            resources.mailer, resources.email_templates, resources.translations
        ),
        DeliveryChannel.TELEGRAM: TelegramNoticeSender(
            bot, catalogues, pacer, webapp_url=settings.webapp_url
        ),
    }
    stopping = asyncio.Event()  # set by Worker.stop: the jobs claim nothing more
    limits = pipeline_limits(settings)
    identity = identity or worker_id()
    delivery_job = DeliveryJob(
        session_factory=resources.session_factory,
        senders=senders,
        worker_id=identity,
        limits=limits,
        retry=retry or RetryPolicy(),
        stopping=stopping,
    )
    check_runner = runner or RuffRunner(
        ruff_path=settings.ruff_path or None, max_issues=settings.max_issues_per_check
    )
    review_job = ReviewJob(
        session_factory=resources.session_factory,
        senders=notice_senders,
        worker_id=identity,
        limits=limits,
        retry=retry or RetryPolicy(),
        stopping=stopping,
        # First the members' next versions under review: judged by their team's gate.
        before=ResubmissionStep(resources.session_factory, RuffGateChecker(check_runner)),
    )
    check_job = CheckJob(
        session_factory=resources.session_factory,
        runner=check_runner,
        worker_id=identity,
        limits=limits,
        stopping=stopping,
    )
    worker = Worker(
        check_job=check_job,
        delivery_job=delivery_job,
        review_job=review_job,
        check_interval=timedelta(seconds=settings.check_interval_seconds),
        delivery_interval=timedelta(seconds=settings.delivery_interval_seconds),
        wakeup=resources.wakeup,
        stopping=stopping,
    )
    check_job.on_checked = worker.wake_deliveries
    pruning = PruningJob(
        session_factory=resources.session_factory,
        keep=timedelta(hours=settings.prune_after_hours),
        mail_dir=None if settings.smtp_host else settings.mail_dir,
        clock=resources.clock,
    )
    worker.scheduler.add_job(
        pruning.run,
        "interval",
        seconds=PRUNE_INTERVAL.total_seconds(),
        id="pruning",
        next_run_time=utcnow(),  # at start too: a process that restarts often still prunes
    )
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


async def run_all(settings: Settings, token: str) -> None:
    """`reviewbot run`: the worker at once, the bot as soon as Telegram answers."""
    async with (
        open_resources(settings) as resources,
        serving_health(resources),
        open_bot(resources, token) as runtime,
    ):
        link = connect_bot(settings, runtime.bot)
        async with (
            telegram_side(runtime, link, resources) as side,
            open_worker(resources, runtime.bot),
        ):
            await supervise(link, side)


async def run_bot(settings: Settings, token: str) -> None:
    """`reviewbot bot`: only the Telegram side; uploads wake workers through Redis."""
    async with (
        open_resources(settings) as resources,
        serving_health(resources),
        open_bot(resources, token) as runtime,
    ):
        link = connect_bot(settings, runtime.bot)
        async with telegram_side(runtime, link, resources) as side:
            await supervise(link, side)


async def run_worker(settings: Settings, token: str) -> None:
    """`reviewbot worker`: only the scheduler (the Bot is used to send results)."""
    async with open_resources(settings) as resources, serving_health(resources):
        bot = build_bot(settings, token)
        link = connect_bot(settings, bot)
        try:
            async with open_worker(resources, bot):
                logger.info("worker %s running", worker_id())
                announce_mail(settings)
                await supervise(link, ResultChannel(bot, link))
        finally:
            await bot.session.close()
