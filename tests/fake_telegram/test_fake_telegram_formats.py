"""The fake Telegram reads links, explicit entities and reply keyboards as Telegram does
(tdlib's check_link, the Bot API's get_text_entity and get_reply_markup): what Telegram
refuses is refused with its words, what it silently drops is dropped and reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    ForceReply,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot
from tests.fake_telegram.fixtures import problems

pytestmark = pytest.mark.asyncio(loop_scope="session")
ANN = 1001
BOB = 1002
STRANGER = 4242


@asynccontextmanager
async def bot_for(fake: FakeTelegram, parse_mode: str | None = "HTML") -> AsyncIterator[Bot]:
    bot = make_bot(fake, parse_mode=parse_mode)
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_invalid_href_links_are_dropped_like_telegram_and_fail_the_test() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        fake.user(ANN, opened=True)
        bob = fake.user(BOB, opened=True)
        sent = await bot.send_message(
            ANN,
            '<a href="not-a-url">a</a> <a href="javascript:alert(1)">b</a> '
            '<a href="ftp://x.org">c</a> <a href="HTTPS://Example.COM">d</a> '
            f'<a href="x.org/p?q=1">e</a> <a href="tg://user?id={BOB}">f</a>',
        )
        with fake.expect_refusal("user not found"), pytest.raises(TelegramBadRequest):
            await bot.send_message(ANN, f'<a href="tg://user?id={STRANGER}">who</a>')
    assert sent.text == "a b c d e f"
    assert [e.model_dump(exclude_none=True) for e in sent.entities or []] == [
        {"type": "text_link", "offset": 6, "length": 1, "url": "https://example.com/"},
        {"type": "text_link", "offset": 8, "length": 1, "url": "http://x.org/p?q=1"},
        {"type": "text_mention", "offset": 10, "length": 1, "user": bob.user_dict},
    ]
    assert fake.dropped_links == ["not-a-url", "javascript:alert(1)", "ftp://x.org"]
    assert "dropped 3 invalid <a href> link(s)" in "\n".join(problems(fake))


async def test_explicit_entities_are_checked_and_kept_as_telegram_keeps_them() -> None:
    async with FakeTelegram() as fake, bot_for(fake, parse_mode=None) as bot:
        fake.user(ANN, opened=True)
        sent = await bot.send_message(
            ANN,
            " 😀 bold link Ann ",
            entities=[
                MessageEntity(type="bold", offset=4, length=4),
                MessageEntity(type="text_link", offset=9, length=4, url="X.org"),
                MessageEntity(type="url", offset=9, length=4),  # Telegram finds these itself
                MessageEntity(type="italic", offset=0, length=0),  # empty: dropped
                MessageEntity(
                    type="text_mention",
                    offset=14,
                    length=3,
                    user=User(id=ANN, is_bot=False, first_name="Ann"),
                ),
            ],
        )
    assert sent.text == "😀 bold link Ann"  # trimmed, entities moved along
    assert [(e.type, e.offset, e.length, e.url) for e in sent.entities or []] == [
        ("bold", 3, 4, None),
        ("text_link", 8, 4, "http://x.org/"),
        ("text_mention", 13, 3, None),
    ]
    assert fake.refused == []


def entity(kind: str, offset: float = 0, length: int = 1, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length, **extra}


async def post(fake: FakeTelegram, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """A raw Bot API call, for shapes aiogram's models would not let through."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.url}/bot{fake.token}/{method}", json=body) as response,
    ):
        answer: dict[str, Any] = await response.json()
        return answer


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def strict() -> AsyncIterator[FakeTelegram]:
    """One fake for the many refusal checks below, with Ann's chat open and a message in it."""
    async with FakeTelegram() as fake:
        fake.user(ANN, opened=True)
        assert (await post(fake, "sendMessage", {"chat_id": ANN, "text": "menu"}))["ok"]
        yield fake
    assert fake.refused == []  # each test announced the refusal it caused


Refusal = tuple[str, str, dict[str, Any], str]
REFUSALS: list[Refusal] = [
    ("unknown type", "sendMessage", {"text": "hello", "entities": [entity("bogus")]},
     "can't parse MessageEntity: Unsupported type specified"),
    ("begins after", "sendMessage", {"text": "hello", "entities": [entity("bold", 6)]},
     "entity begins after the end of the text at UTF-16 offset 6"),
    ("ends after", "sendMessage", {"text": "hello", "entities": [entity("bold", 2, 4)]},
     "entity beginning at UTF-16 offset 2 ends after the end of the text at UTF-16 offset 6"),
    ("negative", "sendMessage", {"text": "hello", "entities": [entity("bold", -1)]},
     "receive an entity with incorrect offset -1"),
    ("half emoji", "sendMessage", {"text": "😀x", "entities": [entity("bold", 1)]},
     "entity begins in a middle of a UTF-16 symbol at byte offset 4"),
    ("not integer", "sendMessage", {"text": "hello", "entities": [entity("bold", 1.5)]},
     'can\'t parse MessageEntity: Field "offset" must be a valid Number'),
    ("no url", "sendMessage", {"text": "hello", "entities": [entity("text_link")]},
     'can\'t parse MessageEntity: Can\'t find field "url"'),
    ("bad url", "sendMessage", {"text": "hi", "entities": [entity("text_link", url="localhost")]},
     "entity URL 'localhost' is invalid: Wrong HTTP URL"),
    ("no user", "sendMessage", {"text": "hello", "entities": [entity("text_mention")]},
     'can\'t parse MessageEntity: Can\'t find field "user"'),
    ("unknown user", "sendMessage",
     {"text": "hello", "entities": [entity("text_mention", user={"id": STRANGER})]},
     "user not found"),
    ("no emoji id", "sendMessage", {"text": "hello", "entities": [entity("custom_emoji")]},
     'can\'t parse MessageEntity: Can\'t find field "custom_emoji_id"'),
    ("language", "sendMessage", {"text": "hello", "entities": [entity("pre", language=[1])]},
     'can\'t parse MessageEntity: Field "language" must be of type String'),
    ("caption", "sendDocument",
     {"document": "x", "caption": "hi", "caption_entities": [entity("bold", 5)]},
     "entity begins after the end of the text at UTF-16 offset 5"),
    ("not json", "sendMessage", {"text": "k", "reply_markup": "{"},
     "can't parse reply keyboard markup JSON object"),
    ("not object", "sendMessage", {"text": "k", "reply_markup": ["Yes"]},
     "object expected as reply markup"),
    ("keyboard", "sendMessage", {"text": "k", "reply_markup": {"keyboard": "Yes"}},
     'field "keyboard" must be of type Array'),
    ("rows", "sendMessage", {"text": "k", "reply_markup": {"keyboard": ["Yes"]}},
     'field "keyboard" must be an Array of Arrays'),
    ("button", "sendMessage", {"text": "k", "reply_markup": {"keyboard": [[1]]}},
     "can't parse keyboard button: KeyboardButton must be a String or an Object"),
    ("no text", "sendMessage",
     {"text": "k", "reply_markup": {"keyboard": [[{"request_contact": True}]]}},
     'can\'t parse keyboard button: Can\'t find field "text"'),
    ("empty text", "sendMessage", {"text": "k", "reply_markup": {"keyboard": [[""]]}},
     "keyboard button text must be non-empty"),
    ("remove", "sendMessage", {"text": "k", "reply_markup": {"remove_keyboard": "yes"}},
     'field "remove_keyboard" must be of type Boolean'),
    ("force", "sendMessage", {"text": "k", "reply_markup": {"force_reply": 1}},
     'field "force_reply" must be of type Boolean'),
    ("edit", "editMessageText",
     {"message_id": 1, "text": "x", "reply_markup": {"keyboard": [["Yes"]]}},
     "inline keyboard expected"),
    ("button url", "sendMessage",
     {"text": "k", "reply_markup": {"inline_keyboard": [[{"text": "a", "url": "not-a-url"}]]}},
     "inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL"),
    ("empty data", "sendMessage",
     {"text": "k", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": ""}]]}},
     "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "body", "description"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
async def test_entities_and_keyboards_are_refused_like_telegram(
    strict: FakeTelegram, method: str, body: dict[str, Any], description: str
) -> None:
    with strict.expect_refusal(description):
        answer = await post(strict, method, {"chat_id": ANN, **body})
    assert answer == {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    assert (strict.requests[-1].method, strict.requests[-1].ok) == (method, False)


async def test_reply_keyboards_removal_and_force_reply_are_accepted() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        fake.user(ANN, opened=True)
        markups: list[ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply] = [
            ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(text="Yes"), KeyboardButton(text="No")]],
                resize_keyboard=True,
            ),
            ReplyKeyboardRemove(),
            ForceReply(),
        ]
        for markup in markups:
            sent = await bot.send_message(ANN, "question", reply_markup=markup)
            assert sent.reply_markup is None  # a Message carries inline keyboards only
        for raw in ({"keyboard": [["Yes", {"text": "No"}]]}, {}):  # {}: no markup, as Telegram
            body = {"chat_id": ANN, "text": "q", "reply_markup": raw}
            assert (await post(fake, "sendMessage", body))["ok"]
        empty = "keyboard button text must be non-empty"
        with fake.expect_refusal(empty), pytest.raises(TelegramBadRequest, match=empty):
            await bot.send_message(
                ANN,
                "empty",
                reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="")]]),
            )
    assert fake.refused == []
