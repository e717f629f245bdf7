"""pytest fixture: a fresh fake Telegram per test that fails the test on any refusal.

Register it in ``tests/conftest.py`` with
``from tests.fake_telegram.fixtures import fake_telegram``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.fake_telegram.server import FakeTelegram

__all__ = ["TEST_TOKEN", "fake_telegram"]

# Shaped like a real token, so the bot's own start-up checks accept it.
TEST_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest_asyncio.fixture(loop_scope="session")
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(token=TEST_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    if fake.refused:
        listing = "\n".join(f"  {request}" for request in fake.refused)
        pytest.fail(
            f"Telegram would have refused {len(fake.refused)} request(s) of the bot:\n{listing}",
            pytrace=False,
        )
