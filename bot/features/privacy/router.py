"""/forget: delete the person's account and everything stored for it, after a confirmation."""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ForgetAction, ForgetCallback
from bot.features.privacy import texts as privacy_texts
from bot.features.privacy.keyboards import build_forget_confirm_kb, no_buttons
from bot.screens import show
from core.services import privacy
from core.services.accounts import AccountView
from core.services.privacy import SignedOutChat


async def cmd_forget(message: Message, state: FSMContext, account: AccountView) -> None:
    await state.clear()
    if account.user_id is None or account.email is None:
        await message.answer(privacy_texts.forget_not_signed_in())
        return
    await message.answer(
        privacy_texts.forget_confirm(account.email),
        reply_markup=build_forget_confirm_kb(account.user_id),
    )


async def on_forget_confirmed(
    callback: CallbackQuery,
    callback_data: ForgetCallback,
    session: AsyncSession,
    account: AccountView,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    if account.user_id != callback_data.user_id:  # asked for an account no longer signed in
        await callback.answer(privacy_texts.forget_button_stale(), show_alert=True)
        return
    forgotten = await privacy.forget_user(session, callback_data.user_id)
    await _clear_chats(fsm_storage, bot.id, forgotten.chats)
    await show(callback, privacy_texts.forgotten(forgotten), no_buttons())


async def on_forget_cancelled(callback: CallbackQuery) -> None:
    await show(callback, privacy_texts.forget_cancelled(), no_buttons())


async def _clear_chats(storage: BaseStorage, bot_id: int, chats: list[SignedOutChat]) -> None:
    """Whatever a signed-out chat was in the middle of (a replacement, a configuration…)."""
    for chat in chats:
        key = StorageKey(bot_id=bot_id, chat_id=chat.chat_id, user_id=chat.telegram_id)
        await storage.set_state(key, None)
        await storage.set_data(key, {})


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_forget, Command("forget"))
    router.callback_query.register(
        on_forget_confirmed, ForgetCallback.filter(F.action == ForgetAction.CONFIRM)
    )
    router.callback_query.register(
        on_forget_cancelled, ForgetCallback.filter(F.action == ForgetAction.CANCEL)
    )
    return router
