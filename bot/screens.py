"""Showing a screen in place of the message whose button was pressed."""

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

# Telegram's answers when an old message can no longer take the new screen.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found")


async def show(callback: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Edit the pressed message into the new screen, or send it anew if it cannot be edited."""
    await callback.answer()
    message = callback.message
    if isinstance(message, Message) and message.text is not None:
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return  # a second tap on the same button: the screen is already there
            if not any(reason in error.message for reason in _CANNOT_EDIT):
                raise
        else:
            return
    if message is not None and callback.bot is not None:
        await callback.bot.send_message(message.chat.id, text, reply_markup=keyboard)
