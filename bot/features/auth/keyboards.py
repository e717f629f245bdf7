"""The keyboard under "I sent a code": a new code."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CodeAction, CodeCallback
from bot.features.auth import texts as auth_texts


def build_code_kb() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=auth_texts.button_new_code(), callback_data=CodeCallback(action=CodeAction.RESEND)
    )
    return builder.as_markup()
