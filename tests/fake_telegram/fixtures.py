"""pytest fixture: a fresh fake Telegram per test that fails the test where Telegram would.

Register it in ``tests/conftest.py`` with
``from tests.fake_telegram.fixtures import fake_telegram``.

At the end of the test it fails when the bot:
- made a request Telegram would have refused (and the test did not announce it);
- left a callback query it received unanswered (the user would see a spinner);
- sent an ``<a href>`` Telegram would have silently dropped (the link would not work).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import pytest_asyncio

from tests.fake_telegram.server import FakeTelegram
from tests.fake_telegram.state import QUERY_LIFETIME

__all__ = ["ANSWER_GRACE", "TEST_TOKEN", "checked_telegram", "fake_telegram", "problems"]

# Shaped like a real token, so the bot's own start-up checks accept it.
TEST_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
# How long the end of a test waits for answers to callback queries still on their way.
ANSWER_GRACE = 5.0


def problems(fake: FakeTelegram) -> list[str]:
    """What Telegram would have held against the bot, one paragraph per kind."""
    found: list[str] = []
    if fake.refused:
        listing = "\n".join(f"  {request}" for request in fake.refused)
        found.append(
            f"Telegram would have refused {len(fake.refused)} request(s) of the bot:\n{listing}"
        )
    unanswered = fake.unanswered_queries()
    if unanswered:
        listing = "\n".join(f"  {query.describe()}" for query in unanswered)
        found.append(
            f"{len(unanswered)} callback query(ies) the bot received were never answered "
            f"(answerCallbackQuery), the user sees a spinner:\n{listing}"
        )
    if fake.dropped_links:
        listing = "\n".join(f"  {url!r}" for url in fake.dropped_links)
        found.append(
            f"Telegram would have dropped {len(fake.dropped_links)} invalid <a href> link(s), "
            f"showing plain text:\n{listing}"
        )
    return found


@asynccontextmanager
async def checked_telegram(
    *, answer_grace: float = ANSWER_GRACE, query_lifetime: float = QUERY_LIFETIME
) -> AsyncIterator[FakeTelegram]:
    """A started fake; on leaving the block (normally) it fails the test like the fixture does.

    Before judging, it waits up to ``answer_grace`` seconds for answers to callback queries
    that are still on their way.
    """
    fake = FakeTelegram(token=TEST_TOKEN, query_lifetime=query_lifetime)
    await fake.start()
    try:
        yield fake
        await fake.wait_for_answers(answer_grace)
    finally:
        await fake.stop()
    found = problems(fake)
    if found:
        pytest.fail("\n".join(found), pytrace=False)


@pytest_asyncio.fixture(loop_scope="session")
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with checked_telegram() as fake:
        yield fake
