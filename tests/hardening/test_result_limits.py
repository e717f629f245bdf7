"""Results that do not fit one Telegram message: long issues, and delivery marks carrying long
errors. Every screen must still be one message Telegram accepts, saying what it left out."""

import asyncio
import re
from datetime import timedelta
from pathlib import Path

from checks.outbox import RetryPolicy
from checks.worker import Worker
from core.models import Delivery, DeliveryChannel, DeliveryStatus
from reviewbot.runtime import open_worker
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.pipeline import deliveries, ruff_oracle_count, wait_for_delivery
from tests.support.presses import button_data, press_again
from tests.support.results import assert_result, issues
from tests.support.smtp import body_text

ISSUE_LINE = re.compile(r"^F821 (\d+):\d+ Undefined name `")
# A retry this far away never comes during a test: a failed try stays on the mark.
NO_RETRY_SOON = RetryPolicy(base_delay=timedelta(hours=1))


def _undefined_names(letters: str) -> bytes:
    """Ten lines, each using an undefined name of the given letters: ten long F821 issues."""
    return "".join(f"v{n} = name_{n}_{letters}\n" for n in range(10)).encode()


def _issue_lines(screen: BotOutput) -> list[int]:
    """The line numbers of the issues the screen lists, in order."""
    found = (ISSUE_LINE.match(line) for line in screen.text.splitlines())
    return [int(match.group(1)) for match in found if match is not None]


def _assert_lists_the_first_issues_and_counts_the_rest(screen: BotOutput) -> None:
    shown = _issue_lines(screen)
    assert 1 <= len(shown) < 10, screen.text[:500]
    assert shown == list(range(1, len(shown) + 1))  # the first ones, in order
    assert f"…and {10 - len(shown)} more: the email lists every issue." in screen.text


async def _fewer_issues_fit(app: BotApp, person: Person, source: bytes, folder: Path) -> None:
    assert ruff_oracle_count(source, folder) == 10
    await person.upload("long.py", source)
    result = await person.chat.next_screen()  # accepted by Telegram, or it would not be here
    assert assert_result(result, "long.py", 1, issues(10)).rest
    _assert_lists_the_first_issues_and_counts_the_rest(result)
    assert result.has_button("Full report")

    mail = await app.smtp.wait_for(person.email, count=2)  # after the code's mail
    assert len([line for line in body_text(mail).splitlines() if "  F821  " in line]) == 10

    for channel in DeliveryChannel:
        await wait_for_delivery(app.session_factory, channel, DeliveryStatus.SENT)
    full_report = button_data(result, "Full report")
    report = await person.click(result, "Full report")
    assert report.text.startswith("Report for long.py, version 1\n")
    assert "\nEmail: sent " in report.text
    assert "\nChat: sent " in report.text
    await press_again(person, report, full_report)  # the screen shown is this very report
    # The report pages: the first lists the first issues, and Next shows the rest in order.
    first = _issue_lines(report)
    assert 1 <= len(first) < 10, report.text[:500]
    listed = first
    while report.has_button("Next »"):
        report = await person.click(report, "Next »")
        assert "\nEmail: sent " in report.text
        assert "\nChat: sent " in report.text
        listed += _issue_lines(report)
    assert listed == list(range(1, 11))
    assert app.telegram.refused == []


async def test_long_issues_the_result_lists_fewer_than_ten(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ann = await bot_app.registered("ann@example.com")
    await _fewer_issues_fit(bot_app, ann, _undefined_names("x" * 600), tmp_path)


async def test_issues_in_a_script_beyond_the_bmp_are_counted_as_telegram_counts(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    """Telegram counts UTF-16 code units: each of these letters is two of them."""
    bo = await bot_app.registered("bo@example.com")
    await _fewer_issues_fit(bot_app, bo, _undefined_names("𐐀" * 300), tmp_path)


async def _first_tries_done(app: BotApp) -> dict[DeliveryChannel, Delivery]:
    """Both deliveries of the only check, once each has been tried."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        found = await deliveries(app.session_factory)
        tried = {c: rows[0] for c, rows in found.items() if rows and rows[0].attempts >= 1}
        if len(tried) == len(DeliveryChannel):
            return tried
        await asyncio.sleep(0.05)
    raise AssertionError("the deliveries were not tried within 30 s")


async def _report_screen(person: Person) -> BotOutput:
    card = await person.click(await person.files(), "a.py · v1 · ✅")
    return await person.click(card, "Report")


CHAT_ERROR = "Internal Server Error: " + "<upstream & 'gateway'> timed out; " * 70
MAIL_ERROR = "4.3.0 " + "<greylisted & 'try later'> " * 80


async def test_marks_with_long_errors_still_fit_the_report_screen(bot_app: BotApp) -> None:
    cy = await bot_app.registered("cy@example.com")
    await cy.upload("a.py", b"import os\n")  # no worker yet: the faults below meet its result
    bot_app.telegram.fail_next("sendMessage", error_code=500, description=CHAT_ERROR)
    bot_app.smtp.refuse_next(f"451 {MAIL_ERROR}")
    async with open_worker(bot_app.resources, bot_app.bot, retry=NO_RETRY_SOON):
        tried = await _first_tries_done(bot_app)
    for delivery in tried.values():
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert delivery.last_error is not None
        assert len(delivery.last_error) == 2000

    report = await _report_screen(cy)
    assert report.text.startswith("Report for a.py, version 1\n")
    assert "F401 1:8 `os` imported but unused" in report.text
    # The mail server's words are the admins' (/stats): the person reads a plain reason.
    assert (
        "\nEmail: not sent yet (1 try failed: the mail server asked to try again later)\n"
    ) in report.text
    assert (
        "\nChat: not sent yet (1 try failed: Telegram server says - Internal Server Error: "
        "<upstream & 'gateway'> timed out; "
    ) in report.text
    assert report.text.endswith(")")  # the chat mark, closed: nothing cut off after it
    assert bot_app.telegram.refused == []


async def test_failed_marks_with_long_errors_still_fit_the_report_screen(
    bot_app: BotApp,
) -> None:
    dee = await bot_app.registered("dee@example.com")
    await dee.upload("a.py", b"import os\n")
    bot_app.telegram.fail_next(
        "sendMessage", error_code=400, description=f"Bad Request: {CHAT_ERROR}"
    )
    bot_app.smtp.refuse_next(f"550 {MAIL_ERROR}")
    async with open_worker(bot_app.resources, bot_app.bot, retry=NO_RETRY_SOON):
        for channel in DeliveryChannel:
            [failed] = await wait_for_delivery(
                bot_app.session_factory, channel, DeliveryStatus.FAILED
            )
            assert failed.last_error is not None
            assert len(failed.last_error) == 2000

    report = await _report_screen(dee)
    assert "F401 1:8 `os` imported but unused" in report.text
    assert "\nEmail: failed: the mail server refused this message\n" in report.text
    assert "\nChat: failed: Bad Request: Internal Server Error: <upstream & 'gateway'> " in (
        report.text
    )
    assert bot_app.telegram.refused == []
