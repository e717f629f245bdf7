"""Showing a screen in place of the message whose button was pressed."""

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

# Telegram's limit for the text of a button's answer (a notice or an alert).
CALLBACK_TEXT_LIMIT = 200
# Telegram's answers when an old message can no longer take the new screen.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found")


async def show(
    callback: CallbackQuery,
    text: str,
    keyboard: InlineKeyboardMarkup,
    *,
    notice: str | None = None,
) -> None:
    """Edit the pressed message into the new screen, or send it anew if it cannot be edited;
    `notice` is shown on the button's answer (plain text, at most 200 characters)."""
    await callback.answer(notice)
    message = callback.message
    if isinstance(message, Message) and message.text is not None:
        if message.html_text == text and _same_keyboard(message.reply_markup, keyboard):
            return  # the screen is already there (a second tap, or a replayed button)
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return  # the same screen after all, in a form html_text renders differently
            if not any(reason in error.message for reason in _CANNOT_EDIT):
                raise
        else:
            return
    if message is not None and callback.bot is not None:
        await callback.bot.send_message(message.chat.id, text, reply_markup=keyboard)


def _same_keyboard(shown: InlineKeyboardMarkup | None, new: InlineKeyboardMarkup) -> bool:
    return shown is not None and shown.model_dump(exclude_none=True) == new.model_dump(
        exclude_none=True
    )
