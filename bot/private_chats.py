"""The bot works in private chats only: an update from a group never reaches a handler, except
the two that link a group to a team (`/team` addressed to us, and the press of its button)."""

from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update

from bot.callbacks import TeamGroupCallback
from bot.features.accounts import texts as account_texts
from bot.middlewares import Handler

TEAM_COMMAND = "/team"
GROUP_LINK_PREFIX = TeamGroupCallback.__prefix__ + TeamGroupCallback.__separator__


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
            if await _links_a_team(event.message, bot):
                return await handler(event, data)
            await _answer_message(event.message, bot)
        elif event.callback_query is not None:
            if (event.callback_query.data or "").startswith(GROUP_LINK_PREFIX):
                return await handler(event, data)
            await _answer_press(event.callback_query)
        return None


async def _links_a_team(message: Message, bot: Bot) -> bool:
    """`/team` or `/team@<our name>`, with nothing after it: a team's owner links the group."""
    words = (message.text or "").split()
    if len(words) != 1:
        return False
    command, _at, mention = words[0].partition("@")
    if command.lower() != TEAM_COMMAND:
        return False
    return not mention or mention.lower() == ((await bot.me()).username or "").lower()


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
