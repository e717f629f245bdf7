"""Replies obey Telegram's limits: a 429 on a reply, an edit or a callback answer is waited out
and the request made once more; nobody is told that something failed when it did not."""

import asyncio

import pytest
from sqlalchemy import select

from core.models import File
from tests.fake_telegram import BotOutput, RecordedRequest
from tests.support.app import BotApp, Person

FAILURE = "Something went wrong"


def _flood(app: BotApp, method: str, seconds: int) -> None:
    app.telegram.fail_next(
        method,
        error_code=429,
        description=f"Too Many Requests: retry after {seconds}",
        retry_after=seconds,
    )


async def _stored_names(app: BotApp) -> list[str]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(File.name).order_by(File.id)))


def _calls(app: BotApp, method: str, since: int) -> list[RecordedRequest]:
    return [r for r in app.telegram.requests[since:] if r.method.lower() == method.lower()]


def _no_failure_told(person: Person) -> None:
    told = [output.text for output in person.chat.outputs]
    assert not any(FAILURE in text for text in told), told


async def test_a_429_on_the_got_file_reply_is_waited_out_and_the_file_is_kept(
    bot_app: BotApp,
) -> None:
    ada = await bot_app.registered("ada@example.com")
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "sendMessage", 2)
    got = await ada.upload("flood.py", b"import os\n")
    assert "Got flood.py. It is queued for review." in got.text
    await ada.chat.no_output(within=1.0)  # no second reply, and no failure message
    _no_failure_told(ada)
    assert await _stored_names(bot_app) == ["flood.py"]
    refused, accepted = _calls(bot_app, "sendMessage", since)
    assert (refused.ok, refused.error_code, accepted.ok) == (False, 429, True)
    assert accepted.at - refused.at >= 2, "tried again before Telegram's wait was over"


async def test_a_429_longer_than_a_reply_waits_is_not_told_as_a_failure(
    bot_app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    """A wait over TELEGRAM_RETRY_AFTER_MAX_SECONDS is not waited out: the reply is lost, the
    upload is kept, and no "something went wrong" follows (it would be false)."""
    ada = await bot_app.registered("ada@example.com")
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "sendMessage", 600)
    await ada.chat.send_document("late.py", b"import os\n")
    await ada.chat.no_output(within=2.0)
    # Given up at once, not waiting the 600 s out: the error handler has logged it already.
    assert "its reply was refused with a 600 s wait" in caplog.text
    _no_failure_told(ada)
    assert await _stored_names(bot_app) == ["late.py"]
    [refused] = _calls(bot_app, "sendMessage", since)
    assert refused.error_code == 429


async def _card(person: Person) -> BotOutput:
    listing = await person.files()
    return await person.click(listing, "kept.py · v1 · 🆕")


async def test_a_429_on_an_edit_is_waited_out(bot_app: BotApp) -> None:
    bo = await bot_app.registered("bo@example.com")
    await bo.upload("kept.py", b"x = 1\n")
    listing = await bo.files()
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "editMessageText", 1)
    card = await bo.click(listing, "kept.py · v1 · 🆕")
    assert card.kind == "edit"
    assert "kept.py" in card.text
    await bo.chat.no_output(within=0.5)
    _no_failure_told(bo)
    refused, accepted = _calls(bot_app, "editMessageText", since)
    assert (refused.error_code, accepted.ok) == (429, True)
    assert accepted.at - refused.at >= 1


async def test_a_429_on_a_document_is_waited_out_and_the_document_arrives_once(
    bot_app: BotApp,
) -> None:
    flo = await bot_app.registered("flo@example.com")
    await flo.upload("kept.py", b"x = 1\n")
    card = await _card(flo)
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "sendDocument", 1)
    document = await flo.click(card, "Download")
    assert (document.kind, document.filename, document.document) == (
        "document",
        "kept.py",
        b"x = 1\n",
    )
    await flo.chat.no_output(within=0.5)
    _no_failure_told(flo)
    refused, accepted = _calls(bot_app, "sendDocument", since)
    assert (refused.error_code, accepted.ok) == (429, True)
    assert accepted.at - refused.at >= 1


async def test_a_429_on_a_callback_answer_is_waited_out_while_the_query_lives(
    bot_app: BotApp,
) -> None:
    cy = await bot_app.registered("cy@example.com")
    await cy.upload("kept.py", b"x = 1\n")
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "answerCallbackQuery", 1)
    card = await _card(cy)
    assert "kept.py" in card.text
    refused, accepted = _calls(bot_app, "answerCallbackQuery", since)
    assert (refused.error_code, accepted.ok) == (429, True)
    assert accepted.at - refused.at >= 1
    assert not bot_app.telegram.unanswered_queries()
    _no_failure_told(cy)


async def test_a_callback_answer_telegram_delays_past_the_query_s_life_is_given_up(
    bot_app: BotApp,
) -> None:
    """Waiting 30 s would answer a query Telegram expired after 15 s: the bot does not wait,
    does not try again, and goes on with the screen; the spinner ends by itself."""
    di = await bot_app.registered("di@example.com")
    await di.upload("kept.py", b"x = 1\n")
    since = len(bot_app.telegram.requests)
    _flood(bot_app, "answerCallbackQuery", 30)
    card = await _card(di)
    assert "kept.py" in card.text
    await di.chat.no_output(within=1.0)
    [refused] = _calls(bot_app, "answerCallbackQuery", since)
    assert refused.error_code == 429
    _no_failure_told(di)


async def test_two_albums_of_ten_documents_are_all_accepted_and_answered(
    bot_app: BotApp,
) -> None:
    eve = await bot_app.registered("eve@example.com")
    names = [f"module_{number:02d}.py" for number in range(20)]
    await asyncio.gather(
        *(
            eve.chat.send_document(name, b"import os\n", media_group_id=f"album-{index // 10}")
            for index, name in enumerate(names)
        )
    )
    answers = [await eve.chat.next_screen(timeout=30) for _ in names]
    got = sorted(answer.text.split()[1].removesuffix(".") for answer in answers)
    assert got == names, [answer.text for answer in answers]
    await eve.chat.no_output(within=0.5)
    assert sorted(await _stored_names(bot_app)) == names
