"""A bot that stops finishes the updates it has taken: long polling moves Telegram's offset
past an update as soon as it is handed over, so one cut off by the stop would be lost for good
(bot/in_flight.py; the webhook answers an update only once it was handled)."""

import asyncio
import time

from sqlalchemy import select

from core.models import File, FileVersion
from infra.database import SessionFactory
from reviewbot.runtime import Resources
from tests.fake_telegram import FakeTelegram
from tests.support.app import running_bot_app
from tests.support.people import seeded
from tests.support.smtp import SmtpSink

STARVED_LOOP_GRACE = 15.0


async def _stored(session_factory: SessionFactory) -> list[tuple[str, bytes]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(File.name, FileVersion.content).join(
                FileVersion, FileVersion.file_id == File.id
            )
        )
    return [(name, content) for name, content in rows]


async def test_an_upload_taken_just_before_the_stop_is_stored_and_answered(
    resources: Resources,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
) -> None:
    # The production grace (2 s) is far more than the handler needs, but a test worker beside
    # three others starting `reviewbot` processes can starve this loop that long (seen in CI):
    # the subject is that the bot waits at all, which a grace of 0 shows red.
    async with running_bot_app(
        resources, session_factory, fake_telegram, smtp_server, grace=STARVED_LOOP_GRACE
    ) as app:
        ann = await seeded(app, "ann@example.com")
        fake_telegram.delay = 0.1  # each request of the upload's handler: it is still running
        await ann.chat.send_document("late.py", b"x = 1\n")
        update_id = ann.chat.last_update_id
        deadline = time.monotonic() + 10
        # Taken: its handler has begun (it asked for the file). Handed over by the server is
        # not enough: a getUpdates answer cut off on its way is sent again after a restart
        # (its offset was never confirmed), so that update is not the bot's yet.
        while not fake_telegram.calls("getFile"):
            assert time.monotonic() < deadline, "the bot never took the upload"
            await asyncio.sleep(0.01)
        assert update_id in fake_telegram.world.delivered_at
    # The bot has stopped: the upload it took was finished first, not cut off.
    assert await _stored(session_factory) == [("late.py", b"x = 1\n")]
    replies = [output.text for output in ann.chat.consume_all()]
    assert any("Got late.py." in text for text in replies), replies
