"""A file's history: every version with its check and what changed from the one before."""

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import FileAction, FileCallback, HistoryCallback
from bot.features.history import texts as history_texts
from bot.features.history.keyboards import build_history_kb
from bot.middlewares import registered_only
from bot.screens import show
from core.services.history import file_history


async def _show_history(
    callback: CallbackQuery,
    session: AsyncSession,
    user_id: int,
    *,
    file_id: int,
    page: int,
    back: int,
) -> None:
    history = await file_history(session, user_id, file_id, page)
    await show(callback, history_texts.history_screen(history), build_history_kb(history, back))


async def on_file_history(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    """History on a file's card: its newest versions."""
    await _show_history(
        callback, session, user_id, file_id=callback_data.file_id, page=0, back=callback_data.page
    )


async def on_history_page(
    callback: CallbackQuery,
    callback_data: HistoryCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    await _show_history(
        callback,
        session,
        user_id,
        file_id=callback_data.file_id,
        page=callback_data.page,
        back=callback_data.back,
    )


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_file_history, FileCallback.filter(F.action == FileAction.HISTORY)
    )
    router.callback_query.register(on_history_page, HistoryCallback.filter())
    return router
