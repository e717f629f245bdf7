"""The "🌐 Open" button: the screen a person is looking at, opened in the Mini App.

Only with WEBAPP_URL set; without it there is no button (and the keyboards stay as they were).
Telegram allows `web_app` buttons only in private chats, which are the only chats the bot
answers in (bot/private_chats.py)."""

from aiogram.types import InlineKeyboardButton, WebAppInfo

from bot.shared import texts as shared_texts


def webapp_button(webapp_url: str, path: str) -> InlineKeyboardButton | None:
    """The button opening `webapp_url` + `path` (`path` starts with "/"); None without a
    Mini App."""
    if not webapp_url:
        return None
    return InlineKeyboardButton(
        text=shared_texts.button_open_webapp(), web_app=WebAppInfo(url=webapp_url + path)
    )
