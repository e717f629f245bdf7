"""/files: the paged list, a file's card, and the card's buttons."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import FileAction, FileCallback, FilesPageCallback
from bot.features.baselines.keyboards import baseline_rows
from bot.features.files import texts as file_texts
from bot.features.files.keyboards import (
    build_back_to_card_kb,
    build_delete_confirm_kb,
    build_file_card_kb,
    build_file_list_kb,
)
from bot.features.reports.keyboards import report_screen
from bot.middlewares import registered_only
from bot.screens import show
from bot.shared import texts as shared_texts
from bot.states import ReplaceFlow
from core.config import Settings
from core.ports import RuleCatalog
from core.services import baselines, files, reports
from core.services.accounts import AccountView


async def cmd_files(
    message: Message, session: AsyncSession, user_id: int, settings: Settings
) -> None:
    page = await files.list_files(session, user_id, page=0)
    await message.answer(
        file_texts.file_list(page), reply_markup=build_file_list_kb(page, settings.webapp_url)
    )


async def on_files_page(
    callback: CallbackQuery,
    callback_data: FilesPageCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    page = await files.list_files(session, user_id, page=callback_data.page)
    await show(callback, file_texts.file_list(page), build_file_list_kb(page, settings.webapp_url))


async def on_file_open(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    await show(
        callback,
        *await card_screen(session, user_id, callback_data.file_id, callback_data.page, settings),
    )


async def card_screen(
    session: AsyncSession, user_id: int, file_id: int, page: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    """A file's card with its buttons (also shown again after its baseline changed)."""
    card = await files.get_file_card(session, user_id, file_id)
    last_check = await reports.latest_check_summary(session, user_id, card.id)
    baseline = await baselines.file_baseline(session, user_id, card.id)
    return (
        file_texts.file_card(card, last_check, baseline),
        build_file_card_kb(
            card.id,
            page,
            last_check.check_id if last_check else None,
            settings.webapp_url,
            can_submit=card.can_submit,
            extra_rows=baseline_rows(card, last_check, baseline, page),
        ),
    )


async def on_file_report(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
) -> None:
    """Before the first check: a note. A card shown before the check finished leads to the
    same report screen as the card's button now does (see `bot/features/reports/router.py`)."""
    check_id = await reports.latest_check_id(session, user_id, callback_data.file_id)
    if check_id is not None:
        check = await reports.own_check_report(session, user_id, check_id)
        rules = await rule_catalog.rules()
        await show(callback, *report_screen(check, rules, 0, settings.webapp_url))
        return
    card = await files.get_file_card(session, user_id, callback_data.file_id)
    text = file_texts.report_pending(card.name, card.version)
    await show(callback, text, build_back_to_card_kb(callback_data.file_id, callback_data.page))


async def on_file_download(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    stored = await files.get_file_content(session, user_id, callback_data.file_id)
    if not stored.content:
        await callback.answer(shared_texts.empty_document(), show_alert=True)
        return
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(stored.content, filename=stored.name),
            caption=file_texts.download_caption(stored.name, stored.version),
        )


async def on_file_replace(
    callback: CallbackQuery,
    callback_data: FileCallback,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
) -> None:
    name = await files.get_file_name(session, user_id, callback_data.file_id)
    await state.set_state(ReplaceFlow.document)
    await state.update_data(file_id=callback_data.file_id)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(file_texts.replace_prompt(name))


async def on_file_delete(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    name = await files.get_file_name(session, user_id, callback_data.file_id)
    await show(
        callback,
        file_texts.delete_confirm(name),
        build_delete_confirm_kb(callback_data.file_id, callback_data.page),
    )


async def on_file_delete_confirmed(
    callback: CallbackQuery,
    callback_data: FileCallback,
    session: AsyncSession,
    account: AccountView,
    user_id: int,
    settings: Settings,
) -> None:
    name = await files.delete_file(
        session, user_id, callback_data.file_id, telegram_id=account.telegram_id
    )
    page = await files.list_files(session, user_id, page=callback_data.page)
    await show(
        callback,
        file_texts.file_list(page, notice=file_texts.deleted(name)),
        build_file_list_kb(page, settings.webapp_url),
    )


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.message.register(cmd_files, Command("files"))
    router.callback_query.register(on_files_page, FilesPageCallback.filter())
    router.callback_query.register(on_file_open, FileCallback.filter(F.action == FileAction.OPEN))
    router.callback_query.register(
        on_file_report, FileCallback.filter(F.action == FileAction.REPORT)
    )
    router.callback_query.register(
        on_file_download, FileCallback.filter(F.action == FileAction.DOWNLOAD)
    )
    router.callback_query.register(
        on_file_replace, FileCallback.filter(F.action == FileAction.REPLACE)
    )
    router.callback_query.register(
        on_file_delete, FileCallback.filter(F.action == FileAction.DELETE)
    )
    router.callback_query.register(
        on_file_delete_confirmed, FileCallback.filter(F.action == FileAction.CONFIRM_DELETE)
    )
    return router
