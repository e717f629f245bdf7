"""The fake Telegram server, driven by a real aiogram Bot and Dispatcher."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fake_telegram import BotOutput, FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot, polling
from tests.fake_telegram.fixtures import fake_telegram
from tests.fake_telegram.html import parse_html

__all__ = ["fake_telegram"]  # the fixture is used by name

pytestmark = pytest.mark.asyncio(loop_scope="session")
ANN = 1001
BOB = 1002
MB = 1024 * 1024


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def demo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Hello, <b>friend</b> &amp; welcome!", reply_markup=keyboard(
            ("Delete", "del:1"), ("Keep", "keep:1")
        ))  # fmt: skip

    @dp.callback_query(F.data == "del:1")
    async def delete(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Deleted by <i>{query.from_user.id}</i>")

    @dp.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        downloaded = await bot.download(message.document)
        assert downloaded is not None
        content = downloaded.read()
        await message.answer(f"Got <code>{html.escape(content.decode())}</code>")
        await message.answer_document(BufferedInputFile(content.upper(), filename="review.txt"))

    return dp


async def test_text_round_trip_and_callback_edit(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(ANN, first_name="Ann", username="ann")
    async with polling(demo_dispatcher(), make_bot(fake_telegram)):
        await ann.send_text("/start")
        out = await ann.next_output()
        assert (out.kind, out.text) == ("message", "Hello, friend & welcome!")
        assert out.html == "Hello, <b>friend</b> &amp; welcome!"
        assert out.parse_mode == "HTML"
        assert out.button_texts() == ["Delete", "Keep"]
        assert out.has_button("Keep")
        assert out.entities == [{"offset": 7, "length": 6, "type": "bold"}]

        with pytest.raises(AssertionError, match="'Delete', 'del:1'"):
            await ann.click(out, "Remove")
        await ann.click(out, "Delete")
        answer = await ann.next_output()
        assert (answer.kind, answer.text, answer.message_id) == ("callback_answer", "", None)
        edit = await ann.next_screen()
        assert (edit.kind, edit.message_id, edit.text) == (
            "edit",
            out.message_id,
            "Deleted by 1001",
        )
        assert edit.buttons == []  # editMessageText without reply_markup removes the keyboard
        assert [m.text for m in ann.messages] == ["Deleted by 1001"]
        await ann.no_output(within=0.2)
        with pytest.raises(AssertionError, match="Nothing new from the bot"):
            await ann.next_output(timeout=0.1)
    assert len(fake_telegram.calls("sendmessage")) == 1
    assert fake_telegram.calls("answerCallbackQuery")[0].ok


async def test_documents_both_ways(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(ANN)
    async with polling(demo_dispatcher(), make_bot(fake_telegram)):
        await ann.send_document("a.py", b"print('<1>')\n", mime_type="text/x-python")
        got = await ann.next_output()
        assert got.text == "Got print('<1>')"  # Telegram trims the trailing newline
        sent = await ann.next_output()
        assert (sent.kind, sent.filename, sent.document) == (
            "document",
            "review.txt",
            b"PRINT('<1>')\n",
        )
    (get_file,) = fake_telegram.calls("getFile")
    assert get_file.ok
    assert fake_telegram.calls("downloadFile")[0].ok


@dataclass
class Env:
    fake: FakeTelegram
    bot: Bot
    text_id: int
    document_id: int
    file_id: str
    big_file_id: str


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def env() -> AsyncIterator[Env]:
    """One fake and bot shared by the many refusal checks (closing a bot costs 0.25 s)."""
    fake = FakeTelegram()
    await fake.start()
    bot = make_bot(fake)
    ann = fake.user(ANN, opened=True)
    fake.user(BOB, opened=True)
    text = await bot.send_message(ANN, "menu", reply_markup=keyboard(("A", "a")))
    small = await ann.send_document("a.txt", b"abc")
    big = await ann.send_document("big.bin", b"x", file_size=20 * MB + 1)
    document = await bot.send_document(ANN, small["document"]["file_id"], caption="doc")
    yield Env(
        fake,
        bot,
        text.message_id,
        document.message_id,
        small["document"]["file_id"],
        big["document"]["file_id"],
    )
    await bot.session.close()
    await fake.stop()
    assert fake.refused == []


Call = Callable[[Env], Awaitable[Any]]
REFUSALS: list[tuple[str, Call, str]] = [
    ("empty", lambda e: e.bot.send_message(ANN, "<b> </b>\n"), "message text is empty"),
    ("long", lambda e: e.bot.send_message(ANN, "😀" * 2049), "message is too long"),
    (
        "caption",
        lambda e: e.bot.send_document(ANN, e.file_id, caption="c" * 1025),
        "message caption is too long",
    ),
    (
        "bare <",
        lambda e: e.bot.send_message(ANN, "a < b"),
        'can\'t parse entities: Unsupported start tag "" at byte offset 2',
    ),
    (
        "bare &",
        lambda e: e.bot.send_message(ANN, "Q&A"),
        "can't parse entities: Character '&' is reserved",
    ),
    (
        "unclosed",
        lambda e: e.bot.send_message(ANN, "<b>bold"),
        'Can\'t find end tag corresponding to start tag "b"',
    ),
    (
        "unknown tag",
        lambda e: e.bot.send_message(ANN, "héllo <foo>x</foo>"),
        'Unsupported start tag "foo" at byte offset 7',
    ),
    (
        "stray end",
        lambda e: e.bot.send_message(ANN, "x</b>"),
        "Unexpected end tag at byte offset 1",
    ),
    (
        "mismatch",
        lambda e: e.bot.send_message(ANN, "<b>x</i>"),
        'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
    ),
    (
        "65 bytes",
        lambda e: e.bot.send_message(ANN, "k", reply_markup=keyboard(("k", "x" * 65))),
        "BUTTON_DATA_INVALID",
    ),
    (
        "33 x é",
        lambda e: e.bot.send_message(ANN, "k", reply_markup=keyboard(("k", "é" * 33))),
        "BUTTON_DATA_INVALID",
    ),
    (
        "text button",
        lambda e: e.bot.send_message(
            ANN,
            "k",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="k")]]),
        ),
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    ),
    (
        "edit unknown",
        lambda e: e.bot.edit_message_text("x", chat_id=ANN, message_id=999),
        "message to edit not found",
    ),
    (
        "not modified",
        lambda e: e.bot.edit_message_text(
            "menu", chat_id=ANN, message_id=e.text_id, reply_markup=keyboard(("A", "a"))
        ),
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message",
    ),
    (
        "edit document",
        lambda e: e.bot.edit_message_text("x", chat_id=ANN, message_id=e.document_id),
        "there is no text in the message to edit",
    ),
    (
        "unknown query",
        lambda e: e.bot.answer_callback_query("12345"),
        "query is too old and response timeout expired or query ID is invalid",
    ),
    ("no chat", lambda e: e.bot.send_message(4242, "hi"), "chat not found"),
    ("bad file", lambda e: e.bot.get_file("nope"), "invalid file_id"),
    ("big file", lambda e: e.bot.get_file(e.big_file_id), "file is too big"),
    ("delete", lambda e: e.bot.delete_message(ANN, 999), "message to delete not found"),
    (
        "reply",
        lambda e: e.bot.send_message(ANN, "re", reply_to_message_id=999),
        "message to be replied not found",
    ),
    (
        "command",
        lambda e: e.bot.set_my_commands([BotCommand(command="Start", description="go")]),
        "BOT_COMMAND_INVALID",
    ),
]


@pytest.mark.parametrize(
    ("call", "description"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
async def test_refusals_match_telegram(env: Env, call: Call, description: str) -> None:
    with env.fake.expect_refusal(description), pytest.raises(TelegramBadRequest) as caught:
        await call(env)
    assert caught.value.message.startswith("Bad Request: ")
    assert description in caught.value.message


async def test_callback_answers_once_and_short(env: Env) -> None:
    bob = env.fake.user(BOB)
    sent = await env.bot.send_message(BOB, "pick", reply_markup=keyboard(("Go", "go")))
    query = await bob.click(sent.message_id, "go")
    with env.fake.expect_refusal("MESSAGE_TOO_LONG"), pytest.raises(TelegramBadRequest):
        await env.bot.answer_callback_query(query["id"], text="x" * 201)
    assert await env.bot.answer_callback_query(query["id"], text="x" * 200, show_alert=True)
    with env.fake.expect_refusal("query is too old"), pytest.raises(TelegramBadRequest):
        await env.bot.answer_callback_query(query["id"])
    forged = await bob.click_data(None, "del:1")
    assert (forged["data"], forged["message"]["message_id"]) == ("del:1", sent.message_id)
    shown = [o for o in bob.outputs if o.kind == "callback_answer"]
    assert shown[-1].show_alert
    assert len(shown[-1].text) == 200


async def test_accepts_valid_html_and_64_byte_data(env: Env) -> None:
    text = (
        '<b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a> <code>c</code>\n'
        '<pre><code class="language-python">print(1)</code></pre><tg-spoiler>s</tg-spoiler>'
        '<span class="tg-spoiler">t</span><blockquote expandable>q</blockquote> '
        "&lt;&gt;&amp;&quot;&#65;&#x42; 😀<u>u</u>"
    )
    await env.bot.send_message(ANN, text, reply_markup=keyboard(("k", "x" * 64)))
    out = env.fake.user(ANN).messages[-1]
    assert out.text == 'bold both link c\nprint(1)stq <>&"AB 😀u'
    assert out.buttons[0][0].callback_data == "x" * 64
    assert {"offset": 10, "length": 4, "type": "text_link", "url": "https://x.org/?a=1&b=2"} in (
        out.entities
    )
    assert {"offset": 17, "length": 8, "type": "pre", "language": "python"} in out.entities
    assert {"offset": 38, "length": 1, "type": "underline"} in out.entities  # emoji = 2 units
    assert parse_html("😀<b>x</b>")[1] == [{"offset": 2, "length": 1, "type": "bold"}]


async def test_forbidden_retry_after_and_auth(env: Env) -> None:
    env.fake.fail_next("sendMessage", retry_after=2)
    with pytest.raises(TelegramRetryAfter) as flood:
        await env.bot.send_message(ANN, "hi")
    assert flood.value.retry_after == 2
    assert "Too Many Requests: retry after 2" in flood.value.message
    env.fake.block(BOB)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await env.bot.send_message(BOB, "hi")
    env.fake.unblock(BOB)
    wrong = make_bot(env.fake, token="999:wrong")
    with env.fake.expect_refusal("Unauthorized"), pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.session.close()
    assert (await env.bot.get_me()).is_bot


async def test_updates_long_polling_and_commands(env: Env) -> None:
    earlier = await env.bot.get_updates()  # updates left by the other tests of this module
    offset = earlier[-1].update_id + 1 if earlier else None
    await env.fake.user(BOB).send_text("one")
    await env.fake.user(BOB).send_text("two")
    first = await env.bot.get_updates(offset=offset, limit=1)
    assert [u.message.text for u in first if u.message] == ["one"]
    rest = await env.bot.get_updates(offset=first[0].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["two"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await env.bot.get_updates(offset=rest[-1].update_id + 1, timeout=1) == []
    assert loop.time() - started >= 0.9
    assert await env.bot.set_my_commands([BotCommand(command="start", description="Go")])
    assert [c.command for c in await env.bot.get_my_commands()] == ["start"]
    await env.bot.send_chat_action(ANN, "typing")


async def test_downloads_and_sends_existing_file(env: Env) -> None:
    downloaded = await env.bot.download(env.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"abc"
    await env.bot.send_document(BOB, env.file_id)
    assert env.fake.user(BOB).messages[-1].document == b"abc"
    assert env.fake.user(BOB).messages[-1].filename == "a.txt"


async def test_markup_edits_deletes_and_multipart_keyboards(env: Env) -> None:
    bob = env.fake.user(BOB)
    bob.consume_all()  # what earlier tests of this module left, when they ran here first
    sent = await env.bot.send_document(
        BOB,
        BufferedInputFile(b"x", "r.txt"),
        caption="<b>c</b>",
        reply_markup=keyboard(("A", "a")),
    )
    assert (await bob.next_output()).buttons[0][0].callback_data == "a"
    await env.bot.edit_message_reply_markup(chat_id=BOB, message_id=sent.message_id)
    edit = await bob.next_output()
    assert (edit.kind, edit.text, edit.buttons) == ("edit", "c", [])
    env.fake.expect_refusal("message is not modified")  # a plain call lasts for the test
    with pytest.raises(TelegramBadRequest):
        await env.bot.edit_message_reply_markup(chat_id=BOB, message_id=sent.message_id)
    env.fake.forget_refusal("message is not modified")
    assert await env.bot.delete_message(BOB, sent.message_id)
    assert (await bob.next_output()).kind == "delete"
    assert all(m.message_id != sent.message_id for m in bob.messages)


async def test_raw_json_requests(env: Env) -> None:
    body = {
        "chat_id": ANN,
        "text": "<i>json</i>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Site", "url": "https://x.org"}]]},
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{env.fake.url}/bot{env.fake.token}/sendMessage", json=body) as ok:
            assert (await ok.json())["result"]["text"] == "json"
        with env.fake.expect_refusal("Not Found"):
            async with http.post(f"{env.fake.url}/bot{env.fake.token}/sendPigeon", json={}) as no:
                assert no.status == 404
                assert await no.json() == {
                    "ok": False,
                    "error_code": 404,
                    "description": "Not Found",
                }
    last = env.fake.calls("sendMessage")[-1]
    assert last.params["chat_id"] == ANN
    assert env.fake.user(ANN).messages[-1].buttons[0][0].url == "https://x.org"


async def test_unannounced_refusals_are_recorded() -> None:
    async with FakeTelegram() as fake:
        bot = make_bot(fake)
        with pytest.raises(TelegramAPIError):
            await bot.send_message(ANN, "nobody is there")
        await bot.session.close()
    assert [(r.method, r.error) for r in fake.refused] == [
        ("sendMessage", "Bad Request: chat not found")
    ]


async def test_outputs_render_helpfully() -> None:
    out = BotOutput(kind="callback_answer", chat_id=1, text="hi", show_alert=True)
    assert out.describe() == "callback_answer 'hi' show_alert"
    assert out.button_texts() == []
