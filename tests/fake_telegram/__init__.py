"""A local fake Telegram Bot API server for end-to-end tests of the bot.

Usage (``make_bot``/``polling`` live in ``tests.fake_telegram.aiogram_helpers``)::

    fake = FakeTelegram(token="123456:TEST-token")
    await fake.start()
    async with polling(dispatcher, make_bot(fake)):
        user = fake.user(1001)
        await user.send_text("/start")
        out = await user.next_screen()
    await fake.stop()

Every refusal is recorded in ``fake.refused`` (unless announced with ``expect_refusal``,
``fail_next`` or ``block``); the ``fake_telegram`` fixture fails the test if any remain.
"""

from tests.fake_telegram.models import BotOutput, Button, RecordedRequest
from tests.fake_telegram.server import FakeTelegram
from tests.fake_telegram.users import TelegramUser

__all__ = ["BotOutput", "Button", "FakeTelegram", "RecordedRequest", "TelegramUser"]
