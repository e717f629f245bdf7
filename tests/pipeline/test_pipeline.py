"""A person's upload is checked by ruff and the result reaches them twice: chat and email."""

import asyncio
import re
from pathlib import Path

from checks.worker import Worker
from core.models import (
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
)
from core.review import SYNTAX_ERROR_CODE
from reviewbot.runtime import open_worker
from tests.conftest import FAST_RETRY
from tests.fake_telegram import RecordedRequest
from tests.support.app import BotApp, Person
from tests.support.pipeline import (
    checks,
    deliveries,
    ruff_oracle_count,
    wait_for_delivery,
    wait_until_past,
)
from tests.support.results import PASSED, assert_result, result_name
from tests.support.smtp import body_text

MESSY = b"import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return undefined\n"


async def test_result_arrives_in_chat_and_by_email_with_delivery_marks(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    uma = await bot_app.registered("uma@example.com")
    expected = ruff_oracle_count(MESSY, tmp_path)
    assert expected >= 3

    await uma.upload("messy.py", MESSY)
    result = await uma.chat.next_screen()
    assert assert_result(result, "messy.py", 1).status.startswith("❌ ")
    assert f"{expected} issues" in result.text
    assert "F401 1:8 `os` imported but unused" in result.text
    assert result.has_button("Full report")

    mail = await bot_app.smtp.wait_for("uma@example.com", count=2)  # after the code's mail
    assert mail["Subject"] == f"reviewbot: messy.py v1 has {expected} issues"
    text = body_text(mail)
    assert "1:8  F401  `os` imported but unused  [safe fix: Remove unused import: `os`]" in text
    issue_lines = [line for line in text.splitlines() if re.match(r"\d+:\d+  ", line)]
    assert len(issue_lines) == expected

    sent = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT
    )
    [chat_delivery] = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT
    )
    assert sent[0].sent_at is not None
    assert chat_delivery.sent_at is not None
    [check] = await checks(bot_app.session_factory)
    assert (check.result, check.issue_count, check.preset.value) == (
        CheckResult.FAILED,
        expected,
        "default",
    )
    assert check.ruff_version.count(".") == 2
    assert check.started_at <= check.finished_at

    report = await uma.click(result, "Full report")
    assert "Report for messy.py, version 1" in report.text
    assert f"{expected} issues" in report.text
    assert "Email: sent " in report.text
    assert "Chat: sent " in report.text
    card = await uma.click(report, "« Back")
    assert "Status: ✅ checked" in card.text
    assert f"Last check: v1, ❌ {expected} issues" in card.text


async def test_clean_syntax_error_and_replacement_each_get_their_own_result(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    vic = await bot_app.registered("vic@example.com")
    broken_source = b"def f(:\n    pass\n"
    broken_count = ruff_oracle_count(broken_source, tmp_path)
    await vic.upload("clean.py", b'"""A clean module."""\n\nVALUE = 1\n')
    assert_result(await vic.chat.next_screen(), "clean.py", 1, PASSED)

    await vic.upload("broken.py", broken_source)
    broken = await vic.chat.next_screen()
    assert_result(broken, "broken.py", 1)
    assert f"{SYNTAX_ERROR_CODE} 1:" in broken.text

    await vic.upload("clean.py", b"import os\n")
    replaced = await vic.chat.next_screen()
    assert_result(replaced, "clean.py", 2)
    assert "F401" in replaced.text

    await bot_app.smtp.wait_for("vic@example.com", count=4, timeout=30)  # the code, 3 reports
    subjects = [m["Subject"] for m in bot_app.smtp.messages if "vic@" in str(m["To"])]
    assert sorted(subjects[1:]) == sorted(
        [
            "reviewbot: clean.py v1 passed",
            f"reviewbot: broken.py v1 has {broken_count} issues",
            "reviewbot: clean.py v2 has 1 issue",
        ]
    )
    results = [(c.result, c.issue_count) for c in await checks(bot_app.session_factory)]
    assert results == [
        (CheckResult.PASSED, 0),
        (CheckResult.FAILED, broken_count),
        (CheckResult.FAILED, 1),
    ]


async def test_smtp_down_keeps_the_email_pending_until_it_returns(
    bot_app: BotApp, worker: Worker
) -> None:
    wes = await bot_app.registered("wes@example.com")
    bot_app.smtp.down()
    try:
        await wes.upload("a.py", b"import os\n")
        assert_result(await wes.chat.next_screen(), "a.py")  # chat is unaffected
        # Past the last try a failing email has: a server out of reach never gives it up.
        email = await _wait_for_attempts(bot_app, FAST_RETRY.max_attempts + 1)
        assert email.status is DeliveryStatus.PENDING
        assert email.last_error is not None
        assert "unreachable" in email.last_error
    finally:
        bot_app.smtp.up()
    [sent] = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT
    )
    assert sent.attempts >= 3
    await _later_report_arrives(bot_app, wes, "b.py", mail_number=3)
    assert _report_subjects(bot_app, wes) == [
        "reviewbot: a.py v1 has 1 issue",
        "reviewbot: b.py v1 has 1 issue",
    ]


async def _wait_for_attempts(app: BotApp, attempts: int) -> Delivery:
    """The email delivery once it has failed `attempts` times."""
    for _ in range(600):
        emails = (await deliveries(app.session_factory))[DeliveryChannel.EMAIL]
        if emails and emails[0].attempts >= attempts:
            return emails[0]
        await asyncio.sleep(0.05)
    raise AssertionError("the email delivery was not retried")


async def _later_report_arrives(app: BotApp, person: Person, name: str, mail_number: int) -> None:
    """Another upload's review reaches the chat and the mailbox (the `mail_number`-th mail to
    the person): the delivery job has run again since, so a repeat would have come by now."""
    await person.upload(name, b"import os\n")
    assert_result(await person.chat.next_screen(), name, 1)
    mail = await app.smtp.wait_for(person.email, count=mail_number, timeout=30)
    assert mail["Subject"] == f"reviewbot: {name} v1 has 1 issue"


def _report_subjects(app: BotApp, person: Person) -> list[str]:
    """Subjects of the reports mailed to the person (not the registration code)."""
    subjects = [str(m["Subject"]) for m in app.smtp.messages if person.email in str(m["To"])]
    return [subject for subject in subjects if subject.startswith("reviewbot: ")]


async def test_smtp_refusal_fails_the_email_at_once(bot_app: BotApp, worker: Worker) -> None:
    ada = await bot_app.registered("ada@example.com")
    bot_app.smtp.refuse_next("550 5.1.1 Mailbox unavailable")
    await ada.upload("a.py", b"import os\n")
    assert_result(await ada.chat.next_screen(), "a.py")  # chat is unaffected
    [email] = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.FAILED
    )
    assert email.attempts == 1
    assert email.last_error is not None
    assert "550" in email.last_error
    # Past the time a retry would have been due, another report goes out; a.py's does not.
    await wait_until_past(email.next_attempt_at)
    await _later_report_arrives(bot_app, ada, "b.py", mail_number=2)
    assert _report_subjects(bot_app, ada) == ["reviewbot: b.py v1 has 1 issue"]
    # The check log marks it failed; the report says why.
    log = await ada.say("/report")
    a_entry = log.text.split("\n2. ")[1]
    assert a_entry.startswith("a.py v1 "), log.text
    assert "\n    ✉️ failed · 💬 sent " in a_entry, log.text
    report = await ada.click(log, "2. ❌ a.py v1")
    assert "\nEmail: failed: the mail server refused this address\n" in report.text
    [email, _later] = (await deliveries(bot_app.session_factory))[DeliveryChannel.EMAIL]
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, 1)


async def test_an_email_refused_for_now_every_time_fails_after_the_last_attempt(
    bot_app: BotApp, worker: Worker
) -> None:
    bea = await bot_app.registered("bea@example.com")
    for _ in range(FAST_RETRY.max_attempts):
        bot_app.smtp.refuse_next("451 4.3.0 Try again later")
    await bea.upload("a.py", b"import os\n")
    assert_result(await bea.chat.next_screen(), "a.py")
    [email] = await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.FAILED, timeout=30
    )
    assert email.attempts == FAST_RETRY.max_attempts
    assert email.last_error is not None
    assert "451" in email.last_error
    # The server would take the next try (no refusal is left): there is none.
    await wait_until_past(email.next_attempt_at)
    await _later_report_arrives(bot_app, bea, "b.py", mail_number=2)
    assert _report_subjects(bot_app, bea) == ["reviewbot: b.py v1 has 1 issue"]
    [email, _later] = (await deliveries(bot_app.session_factory))[DeliveryChannel.EMAIL]
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, FAST_RETRY.max_attempts)


async def test_telegram_429_is_waited_out_and_the_result_arrives_once(bot_app: BotApp) -> None:
    xia = await bot_app.registered("xia@example.com")
    await xia.upload("slow.py", b"import os\n")
    settings = bot_app.settings
    retry_after = 3  # longer than both intervals: no scheduled run explains so long a pause
    assert retry_after > max(settings.check_interval_seconds, settings.delivery_interval_seconds)
    bot_app.telegram.fail_next(
        "sendMessage",
        error_code=429,
        description=f"Too Many Requests: retry after {retry_after}",
        retry_after=retry_after,
    )
    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY):
        result = await xia.chat.next_screen(timeout=retry_after + 20)
        assert_result(result, "slow.py", 1)
        [chat] = await wait_for_delivery(
            bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT
        )
        await _later_report_arrives(bot_app, xia, "later.py", mail_number=3)
    assert chat.attempts == 1  # the wait Telegram asked for is not a failed try
    refused, accepted = _result_requests(bot_app, xia, "slow.py")
    assert (refused.ok, refused.error_code, accepted.ok) == (False, 429, True)
    waited = accepted.at - refused.at
    assert waited >= retry_after, f"tried again {waited:.2f} s after the 429"


def _result_requests(app: BotApp, person: Person, name: str) -> list[RecordedRequest]:
    """Every sendMessage of the file's review to the person, accepted or refused, in order."""
    return [
        request
        for request in app.telegram.calls("sendMessage")
        if request.params.get("chat_id") == person.chat.id
        and result_name(str(request.params.get("text", ""))) == name
    ]


async def test_blocked_bot_fails_the_chat_delivery_at_once(bot_app: BotApp) -> None:
    yan = await bot_app.registered("yan@example.com")
    await yan.upload("b.py", b"import os\n")
    bot_app.telegram.block(yan.chat.id)
    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY):
        [chat] = await wait_for_delivery(
            bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.FAILED
        )
        await wait_for_delivery(
            bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT
        )
        # Past the time a retry would have been due, the person unblocks the bot and uploads
        # again: that review arrives, b.py's is not tried again.
        await wait_until_past(chat.next_attempt_at)
        bot_app.telegram.unblock(yan.chat.id)
        await _later_report_arrives(bot_app, yan, "c.py", mail_number=3)
    assert chat.attempts == 1
    assert chat.last_error is not None
    assert "blocked" in chat.last_error
    assert [(r.ok, r.error_code) for r in _result_requests(bot_app, yan, "b.py")] == [(False, 403)]


async def test_long_reports_fit_telegram_and_hostile_names_are_escaped(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    zoe = await bot_app.registered("zoe@example.com")
    # 600 unused imports: far more issues than one message can hold.
    source = "".join(f"import module_{n} as m_{n}  # <b>&amp;\n" for n in range(600)).encode()
    expected = ruff_oracle_count(source, tmp_path)
    assert expected >= 600
    await zoe.upload("<b>a&b<i>.py", source)
    result = await zoe.chat.next_screen()
    assert_result(result, "<b>a&b<i>.py", 1)
    assert f"{expected} issues" in result.text
    assert "more: see the full report." in result.text  # more than an email lists
    assert len(result.text) <= 4096

    report = await zoe.click(result, "Full report")
    assert "Report for <b>a&b<i>.py" in report.text
    assert len(report.text) <= 4096
    assert "Email: " in report.text

    mail = await bot_app.smtp.wait_for("zoe@example.com", count=2)
    text_lines = [line for line in body_text(mail).splitlines() if re.match(r"\d+:\d+  ", line)]
    assert len(text_lines) == 500  # MAX_EMAIL_ISSUES; the rest are counted
    assert f"…and {expected - 500} more issues: the full report is in the chat." in body_text(mail)
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert "&lt;b&gt;a&amp;b&lt;i&gt;.py" in str(html.get_content())
