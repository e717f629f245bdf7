"""The fake Telegram refuses Mini App buttons where Telegram does: an inline `web_app` button
only in a private chat, only to an https:// address, with a text; the chat menu button (the
bot's default one and a chat's own) read and written as the Bot API does. A real aiogram Bot
talks to the fake over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)

from tests.fake_telegram import Button, FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")
ANN = 1001
BOB = 1002
STRANGER = 4242
GROUP = -100_500
APP = "https://app.example.com/mini"


def web_app_keyboard(url: str, text: str = "🌐 Open") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, web_app=WebAppInfo(url=url))]]
    )


@asynccontextmanager
async def bot_for(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(fake)
    try:
        yield bot
    finally:
        await bot.session.close()


def refusals(fake: FakeTelegram) -> list[tuple[str, str | None]]:
    return [(r.method, r.error) for r in fake.refused]


def shown(button: object) -> dict[str, Any]:
    """A menu button as aiogram reads it: its class and fields (aiogram's answers carry the
    bot, so the models themselves do not compare)."""
    assert isinstance(button, MenuButtonDefault | MenuButtonCommands | MenuButtonWebApp)
    return {"class": type(button).__name__, **button.model_dump(exclude_none=True)}


async def post(fake: FakeTelegram, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """A raw Bot API call, for shapes aiogram's models would not let through."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.url}/bot{fake.token}/{method}", json=body) as response,
    ):
        answer: dict[str, Any] = await response.json()
        return answer


# --- inline web_app buttons ---------------------------------------------------------------


async def test_a_web_app_button_in_a_private_chat_is_kept_and_shown() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        ann = fake.user(ANN, opened=True)
        sent = await bot.send_message(ANN, "files", reply_markup=web_app_keyboard(f"{APP}/"))
        assert sent.reply_markup is not None
        (button,) = sent.reply_markup.inline_keyboard[0]
        assert button.web_app is not None
        assert button.web_app.url == f"{APP}/"
        assert ann.messages[-1].buttons == [[Button("🌐 Open", web_app=f"{APP}/")]]
        await bot.edit_message_reply_markup(
            chat_id=ANN,
            message_id=sent.message_id,
            reply_markup=web_app_keyboard(f"{APP}/files/7"),
        )
        assert ann.messages[-1].buttons == [[Button("🌐 Open", web_app=f"{APP}/files/7")]]
    assert fake.refused == []


async def test_a_web_app_button_outside_a_private_chat_is_refused() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        in_group = fake.in_group(fake.user(ANN, opened=True), GROUP)
        with pytest.raises(TelegramBadRequest, match="BUTTON_TYPE_INVALID"):
            await bot.send_message(GROUP, "files", reply_markup=web_app_keyboard(APP))
        sent = await bot.send_message(GROUP, "files")  # without the button it goes through
        with pytest.raises(TelegramBadRequest, match="BUTTON_TYPE_INVALID"):
            await bot.edit_message_reply_markup(
                chat_id=GROUP, message_id=sent.message_id, reply_markup=web_app_keyboard(APP)
            )
        assert [m.text for m in in_group.messages] == ["files"]
        assert in_group.messages[0].buttons == []
    assert refusals(fake) == [
        ("sendMessage", "Bad Request: BUTTON_TYPE_INVALID"),
        ("editMessageReplyMarkup", "Bad Request: BUTTON_TYPE_INVALID"),
    ]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://app.example.com/", "Only HTTPS links are allowed"),
        ("app.example.com/", "Only HTTPS links are allowed"),  # read as http://
        ("bad", "Only HTTPS links are allowed"),  # https is checked before the dot
        ("tg://resolve?domain=x", "Only HTTPS links are allowed"),
        ("", "URL host is empty"),
    ],
)
async def test_a_web_app_button_opens_only_https_addresses(url: str, reason: str) -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        ann = fake.user(ANN, opened=True)
        with pytest.raises(TelegramBadRequest, match="Web App URL"):
            await bot.send_message(ANN, "files", reply_markup=web_app_keyboard(url))
        assert ann.messages == []
    assert refusals(fake) == [
        (
            "sendMessage",
            f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: {reason}",
        )
    ]


async def test_a_web_app_button_needs_a_text_and_an_address_object() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        fake.user(ANN, opened=True)
        with pytest.raises(TelegramBadRequest):
            await bot.send_message(ANN, "files", reply_markup=web_app_keyboard(APP, text=""))
        broken: tuple[object, ...] = (APP, {})  # not an object; no url
        for web_app in broken:  # aiogram's models would not send these
            markup = {"inline_keyboard": [[{"text": "Open", "web_app": web_app}]]}
            body = {"chat_id": ANN, "text": "files", "reply_markup": markup}
            assert not (await post(fake, "sendMessage", body))["ok"]
    assert refusals(fake) == [
        ("sendMessage", "Bad Request: inline keyboard button text must be non-empty"),
        (
            "sendMessage",
            "Bad Request: can't parse inline keyboard button: "
            'Field "web_app" must be of type Object',
        ),
        (
            "sendMessage",
            "Bad Request: can't parse inline keyboard button: Can't find field \"url\"",
        ),
    ]


# --- the chat menu button -------------------------------------------------------------------


async def test_the_default_menu_button_and_a_chat_s_own_as_telegram_keeps_them() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        fake.user(ANN, opened=True)
        fake.user(BOB, opened=True)
        # nothing set yet
        assert shown(await bot.get_chat_menu_button()) == shown(MenuButtonDefault())
        app = MenuButtonWebApp(text="Open", web_app=WebAppInfo(url=f"{APP}/"))
        assert await bot.set_chat_menu_button(menu_button=app)
        assert shown(await bot.get_chat_menu_button()) == shown(app)
        # Ann has no button of her own: the default applies
        assert shown(await bot.get_chat_menu_button(chat_id=ANN)) == shown(app)
        assert await bot.set_chat_menu_button(chat_id=BOB, menu_button=MenuButtonCommands())
        assert shown(await bot.get_chat_menu_button(chat_id=BOB)) == shown(MenuButtonCommands())
        assert shown(await bot.get_chat_menu_button(chat_id=ANN)) == shown(app)
        # a chat's own button set to default: the bot's default button again
        assert await bot.set_chat_menu_button(chat_id=BOB, menu_button=MenuButtonDefault())
        assert shown(await bot.get_chat_menu_button(chat_id=BOB)) == shown(app)
        assert await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
        assert shown(await bot.get_chat_menu_button(chat_id=BOB)) == shown(MenuButtonDefault())
        assert await bot.set_chat_menu_button()  # no button at all: the default
    assert [r.params.get("menu_button") for r in fake.calls("setChatMenuButton")] == [
        {"type": "web_app", "text": "Open", "web_app": {"url": f"{APP}/"}},
        {"type": "commands"},
        {"type": "default"},
        {"type": "default"},
        None,
    ]
    assert fake.refused == []


async def test_a_menu_button_opens_only_https_addresses_and_has_a_text() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        for text, url in (("Open", "http://app.example.com/"), ("", f"{APP}/")):
            with pytest.raises(TelegramBadRequest):
                await bot.set_chat_menu_button(
                    menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=url))
                )
        nothing = shown(MenuButtonDefault())
        assert shown(await bot.get_chat_menu_button()) == nothing  # nothing was set
    assert refusals(fake) == [
        (
            "setChatMenuButton",
            "Bad Request: menu button web app URL 'http://app.example.com/' is invalid: "
            "Only HTTPS links are allowed",
        ),
        ("setChatMenuButton", "Bad Request: menu button text must be non-empty"),
    ]


async def test_a_menu_button_of_one_chat_needs_a_private_chat_the_bot_knows() -> None:
    async with FakeTelegram() as fake, bot_for(fake) as bot:
        fake.in_group(fake.user(ANN, opened=True), GROUP)
        fake.user(STRANGER)  # never opened the chat
        for chat_id in (GROUP, STRANGER):
            with pytest.raises(TelegramBadRequest):
                await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonCommands())
            with pytest.raises(TelegramBadRequest):
                await bot.get_chat_menu_button(chat_id=chat_id)
        answer = await post(fake, "setChatMenuButton", {"menu_button": {"type": "open"}})
        assert answer == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: can't parse menu button: MenuButton has unsupported type",
        }
    assert refusals(fake) == [
        ("setChatMenuButton", "Bad Request: invalid chat_id specified"),
        ("getChatMenuButton", "Bad Request: invalid chat_id specified"),
        ("setChatMenuButton", "Bad Request: user not found"),
        ("getChatMenuButton", "Bad Request: user not found"),
        (
            "setChatMenuButton",
            "Bad Request: can't parse menu button: MenuButton has unsupported type",
        ),
    ]
