"""Signed-in Telegram accounts: Unlink from /start, and a note to the others on a new sign-in."""

import asyncio
import logging
from collections.abc import Sequence

from aiogram import Bot, F, Router
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
)
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import AccountAction, AccountCallback
from bot.features.accounts import texts as account_texts
from core.errors import AccountNotFoundError
from core.i18n import pick_locale
from core.services import accounts
from core.services.accounts import AccountView, LinkedAccount

logger = logging.getLogger(__name__)


async def on_account_unlink(
    callback: CallbackQuery,
    callback_data: AccountCallback,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    bot: Bot,
) -> None:
    try:
        unlinked = await accounts.unlink_other(
            session,
            user_id=account.require_user_id(),
            current_account_id=account.account_id,
            account_id=callback_data.account_id,
        )
    except AccountNotFoundError:
        await callback.answer(account_texts.account_not_found(), show_alert=True)
        return
    # The signed-out account's half-done dialogue (a code it was asked for) ends too.
    key = StorageKey(bot_id=bot.id, chat_id=unlinked.chat_id, user_id=unlinked.telegram_id)
    await FSMContext(storage=state.storage, key=key).clear()
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(account_texts.unlinked(unlinked.telegram_id))


async def telegram_names(bot: Bot, linked: Sequence[LinkedAccount]) -> dict[int, str]:
    """The name each account shows in Telegram (first and last name, @username), asked of
    Telegram when listed (nothing of it is stored); an account Telegram will not describe (a
    chat closed, the bot blocked, Telegram out of reach) is left out and shown by its id."""

    async def name(account: LinkedAccount) -> str | None:
        try:
            chat = await bot.get_chat(account.chat_id)
        except AiogramError as error:  # refused, out of reach, or an answer we cannot read
            logger.info("no name for account %s: %s", account.account_id, error)
            return None
        parts = [part for part in (chat.first_name, chat.last_name) if part]
        if chat.username:
            parts.append(f"@{chat.username}")
        return " ".join(parts) or None

    found = await asyncio.gather(*(name(account) for account in linked))
    return {
        account.account_id: shown
        for account, shown in zip(linked, found, strict=True)
        if shown is not None
    }


async def notify_other_accounts(
    session: AsyncSession, bot: Bot, i18n: I18n, *, user_id: int, account: AccountView
) -> None:
    """Tell the user's other signed-in accounts, each in its language, that one more joined."""
    for other in await accounts.linked_accounts(session, user_id=user_id):
        if other.account_id == account.account_id:
            continue
        with i18n.use_locale(pick_locale(other.language_code)):
            text = account_texts.signed_in_elsewhere(account.telegram_id)
        try:
            await bot.send_message(other.chat_id, text)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            logger.warning("sign-in note not delivered to account %s: %s", other.account_id, error)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        on_account_unlink, AccountCallback.filter(F.action == AccountAction.UNLINK)
    )
    return router
