"""Unlink buttons under the list of signed-in Telegram accounts."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AccountAction, AccountCallback
from bot.features.accounts import texts as account_texts
from core.services.accounts import LinkedAccount


def build_accounts_kb(
    accounts: list[LinkedAccount], current_id: int
) -> InlineKeyboardMarkup | None:
    others = [account for account in accounts if account.account_id != current_id]
    if not others:
        return None
    builder = InlineKeyboardBuilder()
    for account in others:
        builder.button(
            text=account_texts.button_unlink(account.telegram_id),
            callback_data=AccountCallback(
                action=AccountAction.UNLINK, account_id=account.account_id
            ),
        )
    builder.adjust(1)
    return builder.as_markup()
