"""The /forget confirmation keyboard."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ForgetAction, ForgetCallback
from bot.features.privacy import texts as privacy_texts


def build_forget_confirm_kb(user_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=privacy_texts.button_forget(),
        callback_data=ForgetCallback(action=ForgetAction.CONFIRM, user_id=user_id),
    )
    builder.button(
        text=privacy_texts.button_keep_account(),
        callback_data=ForgetCallback(action=ForgetAction.CANCEL, user_id=user_id),
    )
    builder.adjust(1)
    return builder.as_markup()


def no_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[])
