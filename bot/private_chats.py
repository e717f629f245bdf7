"""The bot works in private chats only: an update from a group never reaches a handler."""

from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update

from bot.features.accounts import texts as account_texts
from bot.middlewares import Handler


class PrivateChatsOnlyMiddleware(BaseMiddleware):
    """Outer middleware placed before the session and account ones: in a group, a command gets
    one line inviting the person to a private chat and a button press a short alert; nothing
    else happens (no session, no account touched, so a group is never anyone's chat, and
    documents sent there are not stored)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type == ChatType.PRIVATE or not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        if event.message is not None:
            await _answer_message(event.message, bot)
        elif event.callback_query is not None:
            await _answer_press(event.callback_query)
        return None


async def _answer_message(message: Message, bot: Bot) -> None:
    text = message.text or ""
    if not text.startswith("/"):
        return  # group chatter and documents: not ours to read
    me = await bot.me()
    _command, _at, mention = text.split(maxsplit=1)[0].partition("@")
    if mention and mention.lower() != (me.username or "").lower():
        return  # a command for another bot in the group
    await message.answer(account_texts.private_chats_only(me.username or ""))


async def _answer_press(callback: CallbackQuery) -> None:
    await callback.answer(account_texts.group_button_refused(), show_alert=True)
