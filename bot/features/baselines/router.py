"""A file card's baseline buttons: accept the current version's issues, or clear the baseline;
the card is shown again with the outcome on the button's answer."""

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import BaselineAction, BaselineCallback
from bot.features.files.router import card_screen
from bot.features.reports import baseline_texts
from bot.middlewares import registered_only
from bot.screens import show
from core.config import Settings
from core.services import baselines


async def on_baseline_accept(
    callback: CallbackQuery,
    callback_data: BaselineCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    try:
        accepted = await baselines.accept_current(session, user_id, callback_data.file_id)
    except baselines.NotCheckedYetError as error:
        await callback.answer(baseline_texts.not_checked_yet(error.version), show_alert=True)
        return
    screen = await card_screen(
        session, user_id, callback_data.file_id, callback_data.page, settings
    )
    await show(callback, *screen, notice=baseline_texts.accepted_notice(accepted))


async def on_baseline_clear(
    callback: CallbackQuery,
    callback_data: BaselineCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    cleared = await baselines.clear(session, user_id, callback_data.file_id)
    screen = await card_screen(
        session, user_id, callback_data.file_id, callback_data.page, settings
    )
    await show(callback, *screen, notice=baseline_texts.cleared_notice(cleared))


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_baseline_accept, BaselineCallback.filter(F.action == BaselineAction.ACCEPT)
    )
    router.callback_query.register(
        on_baseline_clear, BaselineCallback.filter(F.action == BaselineAction.CLEAR)
    )
    return router
