"""Mail refusals mean what the mail server means: a greylisting 450 delays an email, a 550 for
the recipient fails it with the server's reason, and a refused login (535) or policy (530) is
the operator's to fix: the email waits, untouched, and goes once it is fixed. Against a real
SMTP server (aiosmtpd) answering those codes."""

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from checks.check_job import CheckJob
from checks.delivery_job import DeliveryJob
from checks.outbox import RetryPolicy
from core.config import Settings, SmtpSecurity
from core.i18n import load_translations
from core.models import Delivery, DeliveryChannel, DeliveryStatus, utcnow
from infra.database import SessionFactory
from infra.mail.emails import EmailTemplates
from infra.mail.mailers import SmtpMailer
from infra.mail.results import EmailResultSender, MailOutage
from infra.ruff.runner import RuffRunner
from tests.fake_telegram import FakeTelegram
from tests.support.pipeline import deliveries, seed_uploads, wait_for_delivery, wait_until
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.refusing_smtp import PASSWORD, USERNAME, RefusingSmtp
from tests.support.stack import SERVICES
from tests.support.webhook import scrape, total, wait_for_health, with_metrics

# aiosmtpd itself sets the deprecated Session.login_data when a login succeeds.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Session.login_data is deprecated:DeprecationWarning"
)

RETRY = RetryPolicy(base_delay=timedelta(seconds=1), max_attempts=8)
TEMPLATES = EmailTemplates(sender="reviewbot@example.com", translations=load_translations())
RECIPIENT = "user99@example.com"  # seed_uploads's user


@pytest.fixture
def server() -> Iterator[RefusingSmtp]:
    with RefusingSmtp() as running:
        yield running


def _job(
    session_factory: SessionFactory,
    server: RefusingSmtp,
    *,
    password: str = PASSWORD,
    pause: float = 0.0,
) -> DeliveryJob:
    """The delivery job of the email channel, logging in to the server with this password.
    `pause`: how long a refusing server is left alone (0: asked again at every run)."""
    mailer = SmtpMailer(
        host="127.0.0.1",
        port=server.port,
        security=SmtpSecurity.NONE,
        login=(USERNAME, password),
        timeout=5,
    )
    sender = EmailResultSender(mailer, TEMPLATES, MailOutage(first_pause=pause))
    return DeliveryJob(
        session_factory=session_factory, senders={DeliveryChannel.EMAIL: sender}, retry=RETRY
    )


async def _result_waiting(session_factory: SessionFactory) -> None:
    """A file uploaded and checked: its result waits to be sent by email (and chat)."""
    await seed_uploads(session_factory, {"app.py": b"import os\n"})
    await CheckJob(session_factory=session_factory, runner=RuffRunner(), worker_id="test")()


async def _email(session_factory: SessionFactory) -> Delivery:
    [email] = (await deliveries(session_factory))[DeliveryChannel.EMAIL]
    return email


def _untouched(email: Delivery) -> tuple[object, ...]:
    return (email.status, email.attempts, email.last_error, email.claimed_until)


UNTOUCHED = (DeliveryStatus.PENDING, 0, None, None)


def _outages(kind: str) -> float:
    return REGISTRY.get_sample_value("reviewbot_mail_outages_total", {"kind": kind}) or 0.0


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_greylisting_delays_the_email_which_arrives_exactly_once(
    session_factory: SessionFactory, server: RefusingSmtp
) -> None:
    await _result_waiting(session_factory)
    server.refuse("RCPT", "450 4.7.1 Greylisted, please try again later", seconds=2)
    job = _job(session_factory, server)
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not server.messages:
        assert loop.time() - started < 40, "the greylisted email never arrived"
        await job()
        await asyncio.sleep(0.1)
    assert loop.time() - started >= 2
    assert server.asked("RCPT") >= 2  # refused at least once, then accepted
    for _ in range(3):  # later runs send nothing again
        await job()
    [message] = server.messages
    assert message["To"] == RECIPIENT
    email = await _email(session_factory)
    assert email.status is DeliveryStatus.SENT
    assert email.attempts >= 2


async def test_a_wrong_password_leaves_the_email_pending_until_fixed(
    session_factory: SessionFactory, server: RefusingSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    await _result_waiting(session_factory)
    outages = _outages("authentication")
    wrong = _job(session_factory, server, password="wrong-password")
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await wrong()
    assert server.asked("AUTH") >= 3  # asked at every run, refused every time
    assert _untouched(await _email(session_factory)) == UNTOUCHED
    assert server.messages == []
    [error] = _errors(caplog)  # one for the outage: not one per run
    assert "535" in error
    assert "SMTP_PASSWORD" in error
    assert "wrong-password" not in caplog.text
    assert _outages("authentication") == outages + 1

    # The operator fixes SMTP_PASSWORD and restarts: a new mailer and job.
    await _job(session_factory, server)()
    [message] = server.messages
    assert message["To"] == RECIPIENT
    email = await _email(session_factory)
    assert (email.status, email.attempts, email.last_error) == (DeliveryStatus.SENT, 1, None)


async def test_a_refusing_server_is_left_alone_for_a_while(
    session_factory: SessionFactory, server: RefusingSmtp
) -> None:
    await _result_waiting(session_factory)
    wrong = _job(session_factory, server, password="wrong-password", pause=60)
    await wrong()
    refused = server.asked("AUTH")
    assert refused > 0
    for _ in range(3):
        await wrong()
    assert server.asked("AUTH") == refused  # not a login attempt every few seconds
    assert _untouched(await _email(session_factory)) == UNTOUCHED


async def test_starttls_required_is_the_operators_problem_like_a_wrong_password(
    session_factory: SessionFactory, server: RefusingSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    await _result_waiting(session_factory)
    outages = _outages("policy")
    server.refuse("MAIL", "530 5.7.0 Must issue a STARTTLS command first")
    job = _job(session_factory, server)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await job()
        assert server.asked("MAIL") >= 3
        assert _untouched(await _email(session_factory)) == UNTOUCHED
        [error] = _errors(caplog)
        assert "530" in error
        assert "SMTP_SECURITY" in error
        assert _outages("policy") == outages + 1

        server.accept("MAIL")  # fixed on the server's side: the same job sends it
        await job()
    assert [m["To"] for m in server.messages] == [RECIPIENT]
    assert (await _email(session_factory)).status is DeliveryStatus.SENT
    assert "accepts mail again" in caplog.text
    assert len(_errors(caplog)) == 1


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("RCPT", "550 5.1.1 <user99@example.com>: Recipient address rejected"),
        ("DATA", "552 5.3.4 Message size exceeds fixed limit"),
    ],
)
async def test_a_refused_recipient_or_message_fails_at_once_with_the_reason(
    session_factory: SessionFactory, server: RefusingSmtp, stage: str, reply: str
) -> None:
    await _result_waiting(session_factory)
    server.refuse(stage, reply)
    await _job(session_factory, server)()
    email = await _email(session_factory)
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, 1)
    code, _, text = reply.partition(" ")
    assert email.last_error == f"SMTP {code}: {text}"
    assert server.messages == []


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("CONNECT", "421 4.3.2 Service not available, closing transmission channel"),
        ("HELO", "421 4.7.0 Too many connections"),
        ("AUTH", "454 4.7.0 Temporary authentication failure"),
        ("MAIL", "451 4.3.0 Local error in processing"),
        ("RCPT", "452 4.2.2 Mailbox full"),
        ("DATA", "451 4.7.1 Try again later"),
    ],
)
async def test_a_temporary_refusal_at_any_stage_is_tried_again_with_the_backoff(
    session_factory: SessionFactory,
    server: RefusingSmtp,
    caplog: pytest.LogCaptureFixture,
    stage: str,
    reply: str,
) -> None:
    await _result_waiting(session_factory)
    server.refuse(stage, reply)
    job = _job(session_factory, server)
    await job()
    email = await _email(session_factory)
    assert (email.status, email.attempts) == (DeliveryStatus.PENDING, 1)
    assert email.last_error is not None
    assert reply.partition(" ")[0] in email.last_error
    assert email.next_attempt_at > utcnow()  # the backoff: not at once
    assert _errors(caplog) == []

    server.accept(stage)
    await asyncio.sleep((email.next_attempt_at - utcnow()).total_seconds() + 0.1)
    await job()
    assert [m["To"] for m in server.messages] == [RECIPIENT]
    assert (await _email(session_factory)).status is DeliveryStatus.SENT


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
@pytest.mark.processes
async def test_a_worker_refused_by_the_mail_server_stays_healthy_and_sends_after_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    server: RefusingSmtp,
    tmp_path: Path,
) -> None:
    """`reviewbot worker` as an operator runs it, with a wrong SMTP_PASSWORD: the chat result
    goes, the email waits, /healthz stays 200, the log says it once and the metric counts it;
    restarted with the right password, it sends the email."""
    await seed_uploads(session_factory, {"app.py": b"import os\n"}, telegram_id=99)
    fake_telegram.user(99, opened=True)
    settings = settings.model_copy(update={"smtp_port": server.port})
    environment, port = with_metrics(reviewbot_environment(settings, fake_telegram))
    environment |= {"SMTP_USERNAME": USERNAME, "SMTP_PASSWORD": "wrong-password"}
    async with reviewbot_process("worker", tmp_path, environment, name="wrong"):
        await wait_for_delivery(
            session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT, timeout=60
        )
        await wait_until(lambda: server.asked("AUTH") > 0, "a login refused")
        await asyncio.sleep(3)  # three more runs of the delivery job
        assert await wait_for_health(port, 200) == "ok\n"
        samples = await scrape(port)
        assert total([samples], "reviewbot_mail_outages_total", kind="authentication") == 1
        assert _untouched(await _email(session_factory)) == UNTOUCHED
    log = (tmp_path / "reviewbot-wrong.log").read_text()
    assert log.count("the mail server refuses the bot") == 1, log
    # While the server is left alone, the email lane claims nothing: no "giving back" a run.
    assert log.count("claimed email deliveries, unsent") <= 1, log
    assert server.messages == []

    environment["SMTP_PASSWORD"] = PASSWORD
    async with reviewbot_process("worker", tmp_path, environment, name="fixed"):
        await wait_for_delivery(
            session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT, timeout=60
        )
    assert [m["To"] for m in server.messages] == [RECIPIENT]
