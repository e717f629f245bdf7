from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from core.config import Settings
from tests.support.app import BotApp
from tests.support.webapp import WEBAPP_URL, MiniApp, serving_mini_app


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webapp_url": WEBAPP_URL})


@pytest_asyncio.fixture
async def mini_app(bot_app: BotApp) -> AsyncIterator[MiniApp]:
    """The bot polling the fake Bot API server, and the Mini App served beside it on loopback
    (add the `worker` fixture for checks and results)."""
    async with serving_mini_app(bot_app) as served:
        yield served
