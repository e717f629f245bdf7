"""Signed-in Telegram accounts: the Unlink button under /start."""

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import AccountAction, AccountCallback
from bot.features.accounts import texts as account_texts
from bot.middlewares import registered_only
from core.errors import AccountNotFoundError
from core.services import accounts
from core.services.accounts import AccountView


async def on_account_unlink(
    callback: CallbackQuery,
    callback_data: AccountCallback,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    user_id: int,
    bot: Bot,
) -> None:
    try:
        unlinked = await accounts.unlink_other(
            session,
            user_id=user_id,
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


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_account_unlink, AccountCallback.filter(F.action == AccountAction.UNLINK)
    )
    return router
