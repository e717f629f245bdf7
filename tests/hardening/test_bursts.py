"""Many people at once: every one of them is answered."""

import asyncio
from itertools import count

import pytest

from tests.support.app import BotApp
from tests.support.stack import SERVICES

_telegram_ids = count(8_200_001)


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_a_burst_of_two_hundred_people_is_answered_in_full(bot_app: BotApp) -> None:
    """Every update reads its FSM state from Redis: a burst larger than the connection pool
    waits for a connection instead of failing ("Something went wrong")."""
    people = [bot_app.telegram.user(next(_telegram_ids)) for _ in range(200)]
    await asyncio.gather(*(person.send_text("/help") for person in people))
    for person in people:
        answer = await person.next_screen(timeout=60)
        assert answer.text.startswith("I review Python files with ruff"), answer.text
