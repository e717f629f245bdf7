"""Delivery marks tell a person why a mail did not go in plain words of their language; the
mail server's own answer (its host names, internal addresses) stays with the admins (issue 18)."""

import pytest

from checks.worker import Worker
from core.models import DeliveryChannel, DeliveryStatus
from infra.mail.smtp_replies import PlainReason, plain_reason
from tests.support.app import BotApp, Person
from tests.support.pipeline import wait_for_delivery
from tests.support.smtp import code_in

REFUSAL = "550 5.1.1 <x@internal.corp>: mailbox unavailable (mx1.internal.corp)"
INTERNAL = ("internal.corp", "mx1", "x@", "550", "5.1.1", "mailbox unavailable")


async def _registered(app: BotApp, email: str, language: str) -> Person:
    person = app.person(email, language_code=language)
    await person.say("/start")
    await person.say(email)
    await person.say(code_in(await app.smtp.wait_for(email)))
    return person


@pytest.mark.parametrize(
    ("language", "log_mark", "report_mark"),
    [
        ("en", "✉️ failed", "Email: failed: the mail server refused this address"),
        ("ru", "✉️ не доставлено", "Почта: ошибка: почтовый сервер отклонил этот адрес"),
    ],
)
async def test_a_refused_address_is_shown_plainly_without_the_servers_words(
    bot_app: BotApp, worker: Worker, language: str, log_mark: str, report_mark: str
) -> None:
    person = await _registered(bot_app, f"{language}@example.com", language)
    bot_app.smtp.refuse_next(REFUSAL)
    await person.upload("a.py", b"import os\n")
    await person.chat.next_screen()  # the chat result
    [email] = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.FAILED
    )
    assert email.last_error is not None
    assert "mx1.internal.corp" in email.last_error  # kept for the admins

    log = await person.say("/report")
    report = await person.click(log, "1. ❌ a.py v1")
    for screen in (log, report):
        for word in INTERNAL:
            assert word not in screen.text, screen.text
    assert log_mark in log.text
    assert f"\n{report_mark}\n" in report.text


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("SMTP 550: 5.1.1 <x@internal.corp>: mailbox unavailable", PlainReason.ADDRESS_REFUSED),
        ("SMTP 550 5.1.1 <x@internal.corp>: mailbox unavailable", PlainReason.ADDRESS_REFUSED),
        ("SMTP 553: sorry, that domain isn't in my list", PlainReason.ADDRESS_REFUSED),
        ("SMTP 552: 5.3.4 Message size exceeds fixed limit", PlainReason.TOO_LARGE),
        ("SMTP 554: 5.2.3 message too big for mx1", PlainReason.TOO_LARGE),
        ("SMTP 554: 5.7.1 rejected as spam by 10.0.0.7", PlainReason.MESSAGE_REFUSED),
        ("SMTP 451: 4.7.1 greylisted, try later", PlainReason.TRY_LATER),
        (
            "SMTP unreachable: [Errno 111] Connect call failed ('10.0.0.5', 25)",
            PlainReason.UNREACHABLE,
        ),
        ("SMTP: SMTPUTF8 not supported by mx1.internal.corp", PlainReason.MESSAGE_REFUSED),
        ("[Errno 28] No space left on device: '/srv/mail'", PlainReason.OTHER),
    ],
)
def test_stored_mail_errors_are_sorted_by_code_and_prefix(
    stored: str, reason: PlainReason
) -> None:
    assert plain_reason(stored) is reason
