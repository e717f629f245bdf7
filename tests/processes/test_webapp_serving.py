"""The Mini App served by real `reviewbot` processes (WEBAPP_URL set): on WEBHOOK_HOST and
WEBHOOK_PORT in polling mode too, and beside the webhook on one port in webhook mode."""

import time
from pathlib import Path

import aiohttp
import pytest

from core.config import Settings
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import TEST_TOKEN
from tests.support.pipeline import seed_uploads, wait_until
from tests.support.processes import reviewbot_environment, reviewbot_process
from tests.support.smtp import free_port
from tests.support.stack import SERVICES
from tests.support.webapp_launch import signed_init_data
from tests.support.webhook import WEBHOOK_SECRET, WEBHOOK_URL, get, wait_for_webhooks

WEBAPP_URL = "https://reviewbot.test/app"
TELEGRAM_ID = 8_400_001


async def _files_as(address: str, telegram_id: int) -> tuple[int, str]:
    init_data = signed_init_data(
        TEST_TOKEN, user={"id": telegram_id, "first_name": "Ann"}, auth_date=int(time.time())
    )
    async with (
        aiohttp.ClientSession() as client,
        client.get(
            f"{address}/app/api/files", headers={"Authorization": f"tma {init_data}"}
        ) as answer,
    ):
        return answer.status, await answer.text()


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
@pytest.mark.parametrize(("command", "mode"), [("run", "polling"), ("bot", "webhook")])
async def test_run_serves_the_mini_app_on_the_webhook_port(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    tmp_path: Path,
    command: str,
    mode: str,
) -> None:
    await seed_uploads(session_factory, {"served.py": b"x = 1\n"}, telegram_id=TELEGRAM_ID)
    fake_telegram.user(TELEGRAM_ID, opened=True)  # `run` sends the check's result there
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "WEBAPP_URL": WEBAPP_URL,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    if mode == "webhook":
        environment |= {"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": WEBHOOK_SECRET}
    async with reviewbot_process(command, tmp_path, environment):
        await wait_until(
            lambda: bool(fake_telegram.calls("getMe")), "the process reached Telegram"
        )
        status, page = await get(f"{address}/app/files")
        assert status == 200, page
        assert "/app/static/app.js" in page
        assert await get(f"{address}/app/api/files") == (401, '{"error": "not_signed_in"}')
        status, files = await _files_as(address, TELEGRAM_ID)
        assert status == 200
        assert '"name": "served.py"' in files
        if mode == "webhook":
            await wait_for_webhooks(fake_telegram, 1)
            assert not fake_telegram.calls("getUpdates")
        else:
            await wait_until(lambda: bool(fake_telegram.calls("getUpdates")), "the process polls")
