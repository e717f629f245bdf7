"""Per-person limits on updates and uploads a minute: one slow-down answer per window, shared by
every bot process through Redis. Small limits keep the tests short."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from limits.aio.storage import RedisStorage
from sqlalchemy import select

from bot.throttling import RateLimits
from core.clock import Clock
from core.config import Settings
from core.models import File
from reviewbot.runtime import open_resources
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import checked_telegram
from tests.support.app import BotApp, polling_bot
from tests.support.stack import SERVICES

UPLOADS = 3
UPDATES = 20
SLOW_UPLOADS = f"Slow down, please: I take at most {UPLOADS} files a minute."
SLOW_UPDATES = "Slow down, please: you are sending me too much at once."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"uploads_per_minute": UPLOADS, "updates_per_minute": UPDATES}
    )


async def _stored_names(app: BotApp) -> list[str]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(File.name).order_by(File.id)))


async def test_the_upload_over_the_limit_gets_one_slow_down_answer_and_is_not_stored(
    bot_app: BotApp,
) -> None:
    fay = await bot_app.registered("fay@example.com")
    for number in range(UPLOADS):
        got = await fay.upload(f"ok_{number}.py", b"x = 1\n")
        assert f"Got ok_{number}.py." in got.text
    slow = await fay.upload("over_1.py", b"x = 1\n")
    assert SLOW_UPLOADS in slow.text
    assert "The files above that were not saved: send them again in " in slow.text
    wait = int(slow.text.rsplit(" in ", 1)[1].split()[0])
    assert 1 <= wait <= 60
    await fay.chat.send_document("over_2.py", b"x = 1\n")
    await fay.chat.no_output(within=1.0)  # one answer per window, not one per file
    assert await _stored_names(bot_app) == [f"ok_{number}.py" for number in range(UPLOADS)]
    # Other updates are still answered: only uploads are over their limit.
    assert "I review Python files" in (await fay.say("/help")).text


async def test_pasted_code_counts_as_an_upload(bot_app: BotApp) -> None:
    """A code block is stored like a document, so it is held to the same limit a minute."""
    kai = await bot_app.registered("kai@example.com")
    for number in range(UPLOADS - 1):
        assert "Got" in (await kai.upload(f"doc_{number}.py", b"x = 1\n")).text
    assert "Got snippet-1.py." in (await kai.say("```python\nx = 1\n```")).text
    slow = await kai.say("```python\ny = 2\n```")
    assert SLOW_UPLOADS in slow.text
    documents = [f"doc_{number}.py" for number in range(UPLOADS - 1)]
    assert await _stored_names(bot_app) == [*documents, "snippet-1.py"]
    # Plain text is no upload: it still gets its answer.
    assert "paste code as a code block" in (await kai.say("hello")).text


async def test_the_update_over_the_limit_gets_one_slow_down_answer_then_silence(
    bot_app: BotApp,
) -> None:
    gil = await bot_app.registered("gil@example.com")  # 3 updates
    await gil.upload("kept.py", b"x = 1\n")  # 4
    listing = await gil.files()  # 5
    for _ in range(UPDATES - 5):
        assert "I review Python files" in (await gil.say("/help")).text
    slow = await gil.say("/help")
    assert SLOW_UPDATES in slow.text
    assert "Try again in " in slow.text
    await gil.chat.send_text("/help")
    await gil.chat.no_output(within=1.0)
    # A pressed button gets no screen, but its spinner is closed.
    await gil.chat.click(listing, "kept.py · v1 · 🆕")
    closed = await gil.chat.next_output()
    assert (closed.kind, closed.text) == ("callback_answer", "")
    await gil.chat.no_output(within=1.0)
    assert not bot_app.telegram.unanswered_queries()


@asynccontextmanager
async def _second_bot_process(
    app: BotApp, telegram: FakeTelegram, clock: Clock
) -> AsyncIterator[None]:
    """Another bot process: its own resources (database and Redis connections) and its own
    Telegram connection, on the same database and Redis."""
    settings = app.settings.model_copy(update={"telegram_api_url": telegram.url})
    async with (
        open_resources(settings) as resources,
        polling_bot(replace(resources, clock=clock), telegram.token),
    ):
        yield


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_two_bot_processes_share_the_limits_through_redis(
    bot_app: BotApp, clock: Clock
) -> None:
    jo = await bot_app.registered("jo@example.com")
    for number in range(UPLOADS):
        assert "Got" in (await jo.upload(f"first_{number}.py", b"x = 1\n")).text
    async with (
        checked_telegram() as other_telegram,
        _second_bot_process(bot_app, other_telegram, clock),
    ):
        same_person = other_telegram.user(jo.chat.id)
        await same_person.send_document("second.py", b"x = 1\n")
        slow = await same_person.next_screen()
        assert SLOW_UPLOADS in slow.text
    assert await _stored_names(bot_app) == [f"first_{number}.py" for number in range(UPLOADS)]


async def test_limits_let_updates_through_when_redis_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = RedisStorage(
        "async+redis://127.0.0.1:1/0",
        implementation="redispy",
        wrap_exceptions=True,
        socket_connect_timeout=1,
    )
    limits = RateLimits(nowhere, updates=1, uploads=1)
    with caplog.at_level(logging.WARNING, logger="bot.throttling"):
        verdicts = [await limits.refusal(42, upload=True) for _ in range(3)]
    assert verdicts == [None, None, None]
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.throttling"]
    assert len(warnings) == 1, warnings  # one warning per outage, not one per update
    assert "letting updates through" in warnings[0]
