"""The fake Telegram refuses what Telegram refuses: each rule here would let a bot bug through
if the fake were lenient. A real aiogram Bot talks to the fake over HTTP."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from tests import conftest
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot, polling
from tests.fake_telegram.fixtures import checked_telegram

pytestmark = pytest.mark.asyncio(loop_scope="session")
ANN = 1001
BOB = 1002
STRANGER = 4242


def keyboard(text: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)]]
    )


@asynccontextmanager
async def bot_for(fake: FakeTelegram, parse_mode: str | None = "HTML") -> AsyncIterator[Bot]:
    bot = make_bot(fake, parse_mode=parse_mode)
    try:
        yield bot
    finally:
        await bot.session.close()


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"condition not met within {seconds}s"
        await asyncio.sleep(0.01)


def polls_served_beyond(fake: FakeTelegram, count: int) -> Callable[[], bool]:
    return lambda: fake.world.polls.served > count


# --- 1. every callback query the bot receives must be answered, in time --------------------


async def leave_a_received_query_unanswered() -> None:
    async with checked_telegram(answer_grace=0.2) as fake, bot_for(fake) as bot:
        ann = fake.user(ANN, opened=True)
        sent = await bot.send_message(ANN, "pick", reply_markup=keyboard("Go", "go"))
        await ann.click(sent.message_id, "Go")
        (update,) = await bot.get_updates()
        assert update.callback_query is not None
        assert [q.data for q in fake.unanswered_queries()] == ["go"]


async def test_a_received_callback_query_left_unanswered_fails_the_test() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"never answered[^\n]*\n  query \d+ \(data"):
        await leave_a_received_query_unanswered()


async def test_queries_the_bot_never_received_and_answered_ones_pass() -> None:
    async with checked_telegram(answer_grace=0.2) as fake, bot_for(fake) as bot:
        ann = fake.user(ANN, opened=True)
        sent = await bot.send_message(ANN, "pick", reply_markup=keyboard("Go", "go"))
        await ann.click(sent.message_id, "Go")  # never fetched: the bot cannot answer it
        assert fake.unanswered_queries() == []
        await ann.click(sent.message_id, "Go")
        updates = await bot.get_updates()
        assert [u.callback_query.data for u in updates if u.callback_query] == ["go", "go"]
        for update in updates:
            assert update.callback_query is not None
            await bot.answer_callback_query(update.callback_query.id)
        assert fake.unanswered_queries() == []


async def test_answers_still_on_their_way_when_the_test_ends_are_waited_for() -> None:
    bot = None
    answering: asyncio.Task[bool] | None = None
    async with checked_telegram() as fake:
        bot = make_bot(fake)
        ann = fake.user(ANN, opened=True)
        sent = await bot.send_message(ANN, "pick", reply_markup=keyboard("Go", "go"))
        await ann.click(sent.message_id, "Go")
        (update,) = await bot.get_updates()
        assert update.callback_query is not None
        answering = asyncio.create_task(bot.answer_callback_query(update.callback_query.id))
    assert answering is not None
    assert await answering
    assert fake.calls("answerCallbackQuery")[0].ok
    await bot.session.close()


async def test_answering_after_the_query_lifetime_is_refused() -> None:
    assert FakeTelegram().world.query_lifetime == 15.0  # Telegram's, for every other test
    async with FakeTelegram(query_lifetime=0) as fake, bot_for(fake) as bot:
        ann = fake.user(ANN, opened=True)
        sent = await bot.send_message(ANN, "pick", reply_markup=keyboard("Go", "go"))
        await ann.click(sent.message_id, "Go")
        (update,) = await bot.get_updates()
        assert update.callback_query is not None
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(update.callback_query.id)
    assert [r.error for r in fake.refused] == [
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    ]


# --- 2. one getUpdates at a time ----------------------------------------------------------


async def test_a_second_getupdates_terminates_the_waiting_one_with_409() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as first, bot_for(fake) as second:
        fake.world.polls.grace = 0.2  # the first client is alive: no disconnect to wait for
        waiting = asyncio.create_task(first.get_updates(timeout=30))
        await until(lambda: fake.world.polls.served == 1)
        assert await second.get_updates() == []
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
            await waiting
    assert [(r.method, r.error_code, r.error) for r in fake.refused] == [
        (
            "getUpdates",
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    ]


async def test_a_long_poll_its_client_gave_up_is_no_conflict() -> None:
    async with FakeTelegram() as fake:
        fake.world.polls.grace = 60  # only the disconnect itself may end the old request
        async with bot_for(fake) as bot:
            waiting = asyncio.create_task(bot.get_updates(timeout=30))
            await until(lambda: fake.world.polls.served == 1)
            waiting.cancel()
            with suppress(asyncio.CancelledError):
                await waiting
            assert await asyncio.wait_for(bot.get_updates(), 10) == []
        for _ in range(2):  # polling stopped and started again, as fixtures do between tests
            served = fake.world.polls.served
            async with polling(Dispatcher(), make_bot(fake)):
                # its getUpdates got past the one the previous polling gave up
                await until(polls_served_beyond(fake, served))
    assert fake.refused == []


# --- 3. the bot can write only to people who opened the chat ------------------------------


async def test_the_bot_writes_only_to_people_who_opened_the_chat() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        ann, bob = fake.user(ANN), fake.user(BOB)
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(ANN, "hello?")
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_chat_action(BOB, "typing")
        assert (ann.chat_opened, bob.chat_opened) == (False, False)
        await ann.send_text("/start")  # writing to the bot opens the chat
        await bot.send_message(ANN, "hi")
        bob.open_chat()  # Bob started the bot before the test
        await bot.send_document(BOB, BufferedInputFile(b"x", "x.txt"))
        assert fake.user(STRANGER, opened=True).chat_opened
        await bot.send_message(STRANGER, "welcome back")
    assert [(r.method, r.error) for r in fake.refused] == [
        ("sendMessage", "Bad Request: chat not found"),
        ("sendChatAction", "Bad Request: chat not found"),
    ]


# --- 4. a user who blocked the bot refuses everything ---------------------------------------

BlockedCall = Callable[[Bot, int, str], Awaitable[Any]]
BLOCKED_CALLS: list[tuple[str, BlockedCall]] = [
    ("sendMessage", lambda bot, m, q: bot.send_message(BOB, "hi")),
    ("sendDocument", lambda bot, m, q: bot.send_document(BOB, BufferedInputFile(b"x", "x.txt"))),
    ("sendChatAction", lambda bot, m, q: bot.send_chat_action(BOB, "typing")),
    ("editMessageText", lambda bot, m, q: bot.edit_message_text("new", chat_id=BOB, message_id=m)),
    (
        "editMessageReplyMarkup",
        lambda bot, m, q: bot.edit_message_reply_markup(chat_id=BOB, message_id=m),
    ),
    ("deleteMessage", lambda bot, m, q: bot.delete_message(BOB, m)),
    ("answerCallbackQuery", lambda bot, m, q: bot.answer_callback_query(q)),
]


@pytest.mark.parametrize("call", [c[1] for c in BLOCKED_CALLS], ids=[c[0] for c in BLOCKED_CALLS])
async def test_a_user_who_blocked_the_bot_refuses_every_action(call: BlockedCall) -> None:
    async with checked_telegram(answer_grace=0) as fake, bot_for(fake) as bot:
        bob = fake.user(BOB, opened=True)
        sent = await bot.send_message(BOB, "menu", reply_markup=keyboard("Go", "go"))
        query = await bob.click(sent.message_id, "Go")
        await bot.get_updates()
        fake.block(BOB)
        with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
            await call(bot, sent.message_id, str(query["id"]))
        assert [m.text for m in bob.messages] == ["menu"]
        assert fake.refused == []  # announced by block(), as a test of a blocked bot does
        fake.unblock(BOB)
        if fake.unanswered_queries():
            await bot.answer_callback_query(str(query["id"]))


# --- 5. links, entities and reply keyboards: tests/fake_telegram/test_fake_telegram_formats.py ---


# --- 6. the red banner counts only tests skipped for missing services ----------------------


def skipped(reason: str) -> pytest.TestReport:
    location = ("tests/test_x.py", 1, "test_y")
    longrepr = ("tests/test_x.py", 1, f"Skipped: {reason}")
    return pytest.TestReport("tests/test_x.py::test_y", location, {}, "skipped", longrepr, "setup")


async def test_services_banner_counts_only_tests_skipped_for_missing_services(
    pytestconfig: pytest.Config,
) -> None:
    output = io.StringIO()
    reporter = pytest.TerminalReporter(pytestconfig, file=output)
    reporter.stats = {"skipped": [skipped("not on Windows")] * 3}
    conftest.pytest_terminal_summary(reporter)
    assert output.getvalue() == ""
    reporter.stats["skipped"] += [
        skipped("SKIPPED SERVICE: PostgreSQL is not running"),
        skipped("SKIPPED SERVICE: PostgreSQL is not running"),
        skipped("SKIPPED SERVICE: Redis is not running"),
    ]
    conftest.pytest_terminal_summary(reporter)
    banner = output.getvalue()
    assert "SERVICES NOT TESTED" in banner
    assert "3 tests skipped for missing services" in banner
    assert "6 tests" not in banner
    assert banner.count("PostgreSQL is not running") == 1
    assert "Redis is not running" in banner
