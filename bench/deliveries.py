"""Benchmark 2, delivery throughput: the delivery job sends a burst of finished checks' results.

`--checks` finished checks of `--users` people (each person's checks one after another) are
seeded in a fresh PostgreSQL database migrated with Alembic, each with its two pending
deliveries. The delivery job then sends all of them: email to a local aiosmtpd server that
requires STARTTLS and a login (a self-signed certificate made for the run, trusted through the
mailer's TLS context), chat results to the fake Bot API server with `--delay` seconds added to
every request. The baseline, measured first in the same run, is a plain aiosmtplib loop sending
the same emails over one connection. The pacing is checked from the fake's own timestamps:
never more than 30 sendMessage in any second, nor more than one a second to a chat.

Prints emails/s of both, chat messages/s, the highest rates seen in any one-second window, and
last `ratio: X` = our emails/s ÷ the plain loop's (target ≥ 0.5; chat target ≥ 25 messages/s).

    .venv/bin/python -m bench.deliveries [--checks 500] [--users 100] [--delay 0.03]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from bench._deliveries_seed import person_ids, seed_finished_checks
from bench._deliveries_smtp import (
    PASSWORD,
    USERNAME,
    TlsSmtpServer,
    client_context,
    make_certificate,
    plain_loop,
)
from bot.app import Catalogues
from bot.notify import TelegramResultSender
from checks import outbox
from checks.delivery_job import DeliveryJob
from core.config import SmtpSecurity
from core.delivery import ResultSender
from core.i18n import load_translations, pick_locale
from core.models import Delivery, DeliveryChannel, DeliveryStatus
from infra.database import SessionFactory, build_engine, build_session_factory
from infra.mail.emails import EmailTemplates
from infra.mail.mailers import SmtpMailer
from infra.mail.results import EmailResultSender
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.support.databases import fresh_postgres_database, migrate

SENDER = "reviewbot@localhost"
MAX_PER_SECOND = 30
MAX_PER_CHAT_SECOND = 1


@dataclass(frozen=True)
class Figures:
    plain_emails_per_second: float
    emails_per_second: float
    chat_per_second: float
    max_chat_per_second: int
    max_one_chat_per_second: int

    @property
    def ratio(self) -> float:
        return self.emails_per_second / self.plain_emails_per_second


def max_in_window(moments: Sequence[float], window: float = 1.0) -> int:
    """The most moments in any half-open window [t, t + window)."""
    ordered = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def _email_messages(
    session_factory: SessionFactory, templates: EmailTemplates
) -> list[EmailMessage]:
    """Every email delivery's message, as the job would compose it."""
    async with session_factory() as session:
        ids = list(
            await session.scalars(
                select(Delivery.id)
                .where(Delivery.channel == DeliveryChannel.EMAIL)
                .order_by(Delivery.id)
            )
        )
        targets = [await outbox.delivery_target(session, delivery_id) for delivery_id in ids]
    return [
        templates.check_report(
            locale=pick_locale(target.locale), recipient=target.email, report=target.report
        )
        for target in targets
    ]


async def _unsent(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        statuses = list(await session.scalars(select(Delivery.status)))
    return sum(1 for status in statuses if status is not DeliveryStatus.SENT)


async def _measure(
    database_url: str, folder: Path, *, checks: int, users: int, delay: float
) -> Figures:
    certificate, key = make_certificate(folder)
    context = client_context(certificate)
    engine = build_engine(database_url)
    session_factory = build_session_factory(engine)
    translations = load_translations()
    templates = EmailTemplates(sender=SENDER, translations=translations)
    try:
        await seed_finished_checks(session_factory, checks=checks, users=users)
        messages = await _email_messages(session_factory, templates)
        with TlsSmtpServer(certificate, key) as smtp:
            plain_seconds = await plain_loop(smtp, context, messages)
            async with FakeTelegram(token=TEST_TOKEN, delay=delay) as telegram:
                for telegram_id in person_ids(users):
                    telegram.user(telegram_id, opened=True)
                bot = make_bot(telegram)
                mailer = SmtpMailer(
                    host="127.0.0.1",
                    port=smtp.port,
                    security=SmtpSecurity.STARTTLS,
                    login=(USERNAME, PASSWORD),
                    timeout=30,
                    tls_context=context,
                )
                senders: dict[DeliveryChannel, ResultSender] = {
                    DeliveryChannel.EMAIL: EmailResultSender(mailer, templates),
                    DeliveryChannel.TELEGRAM: TelegramResultSender(bot, Catalogues(translations)),
                }
                job = DeliveryJob(session_factory=session_factory, senders=senders)
                try:
                    started = time.monotonic()
                    await job()
                finally:
                    await bot.session.close()
                emails = smtp.accepted_since(started)
                sends = telegram.calls("sendMessage")
        unsent = await _unsent(session_factory)
    finally:
        await engine.dispose()
    if unsent or len(emails) != checks or len(sends) != checks:
        raise SystemExit(
            f"not every result was delivered: {unsent} deliveries unsent, "
            f"{len(emails)} emails and {len(sends)} chat messages of {checks}"
        )
    refused = [send for send in sends if not send.ok]
    if refused:
        raise SystemExit(f"Telegram refused {len(refused)} messages, first: {refused[0]}")
    by_chat: dict[object, list[float]] = defaultdict(list)
    for send in sends:
        by_chat[send.params.get("chat_id")].append(send.at)
    return Figures(
        plain_emails_per_second=len(messages) / plain_seconds,
        emails_per_second=len(emails) / (max(emails) - started),
        chat_per_second=len(sends) / (max(send.at for send in sends) - started),
        max_chat_per_second=max_in_window([send.at for send in sends]),
        max_one_chat_per_second=max(max_in_window(moments) for moments in by_chat.values()),
    )


async def run(checks: int, users: int, delay: float) -> Figures:
    with tempfile.TemporaryDirectory(prefix="bench-deliveries-") as folder:
        async with fresh_postgres_database() as database_url:
            await migrate(database_url)
            return await _measure(
                database_url, Path(folder), checks=checks, users=users, delay=delay
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.03, help="seconds added per request")
    options = parser.parse_args(argv)
    figures = asyncio.run(run(options.checks, options.users, options.delay))
    print(f"checks: {options.checks} of {options.users} people (1 email + 1 chat message each)")
    print(f"plain aiosmtplib loop, one connection: {figures.plain_emails_per_second:.1f} emails/s")
    print(f"delivery job: {figures.emails_per_second:.1f} emails/s")
    print(f"delivery job: {figures.chat_per_second:.1f} chat messages/s (target >= 25)")
    print(
        f"most chat messages in any second: {figures.max_chat_per_second} overall "
        f"(limit {MAX_PER_SECOND}), {figures.max_one_chat_per_second} to one chat "
        f"(limit {MAX_PER_CHAT_SECOND})"
    )
    paced = (
        figures.max_chat_per_second <= MAX_PER_SECOND
        and figures.max_one_chat_per_second <= MAX_PER_CHAT_SECOND
    )
    print(f"pacing within Telegram's limits: {'yes' if paced else 'NO'}")
    print(f"ratio: {figures.ratio:.2f}")
    return 0 if paced else 1


if __name__ == "__main__":
    sys.exit(main())
