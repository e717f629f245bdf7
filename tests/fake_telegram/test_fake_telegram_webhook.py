"""The fake Telegram's webhook is as strict as Telegram's: HTTPS on the allowed ports, a valid
secret, no getUpdates while a webhook is set, and updates posted with the secret header until
the bot answers 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot
from tests.fake_telegram.fixtures import checked_telegram
from tests.support.smtp import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")
URL = "https://bot.example.com/hook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with checked_telegram() as telegram:
        yield telegram


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    made = make_bot(fake)
    try:
        yield made
    finally:
        await made.session.close()


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://bot.example.com/hook", "An HTTPS URL must be provided for webhook"),
        ("https://bot.example.com:8081/hook", "only on ports 80, 88, 443 or 8443"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    fake: FakeTelegram, bot: Bot, url: str, refusal: str
) -> None:
    with fake.expect_refusal(refusal), pytest.raises(TelegramBadRequest, match=refusal):
        await bot.set_webhook(url)
    with fake.expect_refusal("unallowed characters"), pytest.raises(TelegramBadRequest):
        await bot.set_webhook(URL, secret_token="not allowed!")
    assert fake.webhook is None


async def test_no_get_updates_while_a_webhook_is_set(fake: FakeTelegram, bot: Bot) -> None:
    await fake.user(1).send_text("hello")
    assert await bot.set_webhook(URL, secret_token="s3cret", drop_pending_updates=False)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (URL, 1)
    with fake.expect_refusal("webhook is active"), pytest.raises(TelegramConflictError):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=False)
    assert (await bot.get_webhook_info()).url == ""
    assert len(await bot.get_updates()) == 1  # the update waited


async def test_updates_are_posted_with_the_secret_until_answered(
    fake: FakeTelegram, bot: Bot
) -> None:
    seen: list[tuple[str, int]] = []
    answers = [500, 200]

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        seen.append((request.headers["X-Telegram-Bot-Api-Secret-Token"], update["update_id"]))
        return web.Response(status=answers.pop(0))

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await bot.set_webhook(URL, secret_token="s3cret")
        await fake.user(1).send_text("hello")
        [failed] = await fake.deliver_webhook(f"http://127.0.0.1:{port}")
        assert (failed.status, failed.acknowledged) == (500, False)
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message == "Wrong response from the webhook: 500"
        [done] = await fake.deliver_webhook(f"http://127.0.0.1:{port}")
        assert done.acknowledged
        assert (await bot.get_webhook_info()).pending_update_count == 0
    finally:
        await runner.cleanup()
    assert [secret for secret, _id in seen] == ["s3cret", "s3cret"]
    assert seen[0][1] == seen[1][1]  # the same update, posted again
