"""Autofix from a report: the preview of ruff's fixes, the fixed file, and saving it as the
next version. Each reads the check through `core.services.fixes`: another user's check shows
nothing and changes nothing."""

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import FixAction, FixCallback
from bot.features.fixes import texts as fix_texts
from bot.features.fixes.keyboards import build_fix_preview_kb, build_fix_saved_kb
from bot.middlewares import registered_only
from bot.screens import show
from bot.shared import texts as shared_texts
from core.config import Settings
from core.errors import NothingToFixError
from core.ports import Wakeup
from core.services import files, fixes
from core.services.accounts import AccountView
from core.services.fixes import Fixer, FixGate, FixInProgressError, FixNotStartedError
from core.services.quotas import StorageLimits


async def _preview(
    session: AsyncSession,
    user_id: int,
    callback_data: FixCallback,
    fixer: Fixer,
    fix_gate: FixGate,
) -> fixes.FixPreview:
    return await fixes.preview_fix(
        session,
        user_id,
        callback_data.check_id,
        fixer,
        fix_gate,
        unsafe=callback_data.unsafe,
    )


async def _not_started(callback: CallbackQuery, error: FixNotStartedError) -> None:
    """A press while the person's previous fix still runs, or while the process is busy with
    others' fixes: an alert, the screen stays."""
    busy = not isinstance(error, FixInProgressError)
    text = fix_texts.fixes_busy() if busy else fix_texts.still_working()
    await callback.answer(text, show_alert=True)


async def on_fix_preview(
    callback: CallbackQuery,
    callback_data: FixCallback,
    session: AsyncSession,
    user_id: int,
    fixer: Fixer,
    fix_gate: FixGate,
) -> None:
    try:
        preview = await _preview(session, user_id, callback_data, fixer, fix_gate)
    except FixNotStartedError as error:
        await _not_started(callback, error)
        return
    text, diff_document = fix_texts.preview_text(preview)
    await show(callback, text, build_fix_preview_kb(preview, callback_data.page))
    if diff_document is not None and callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(
                diff_document.encode("utf-8"), filename=fix_texts.diff_name(preview)
            ),
            caption=fix_texts.diff_caption(preview),
        )


async def on_fixed_file(
    callback: CallbackQuery,
    callback_data: FixCallback,
    session: AsyncSession,
    user_id: int,
    fixer: Fixer,
    fix_gate: FixGate,
) -> None:
    try:
        preview = await _preview(session, user_id, callback_data, fixer, fix_gate)
    except FixNotStartedError as error:
        await _not_started(callback, error)
        return
    if not preview.changed:
        raise NothingToFixError
    if not preview.outcome.fixed:  # the fixes removed everything
        await callback.answer(shared_texts.empty_document(), show_alert=True)
        return
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(preview.outcome.fixed, filename=preview.file_name),
            caption=fix_texts.fixed_file_caption(preview),
        )


async def on_fix_save(
    callback: CallbackQuery,
    callback_data: FixCallback,
    session: AsyncSession,
    account: AccountView,
    fixer: Fixer,
    fix_gate: FixGate,
    wakeup: Wakeup,
    settings: Settings,
) -> None:
    uploader = files.Uploader.of(account)
    try:
        stored = await fixes.save_fix(
            session,
            uploader,
            callback_data.check_id,
            fixer,
            fix_gate,
            unsafe=callback_data.unsafe,
            max_bytes=settings.max_upload_bytes,
            limits=StorageLimits.of(settings),
        )
    except FixNotStartedError as error:
        await _not_started(callback, error)
        return
    await wakeup.notify()
    await show(callback, fix_texts.saved(stored), build_fix_saved_kb(stored.file_id))


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_fix_preview, FixCallback.filter(F.action == FixAction.PREVIEW)
    )
    router.callback_query.register(on_fixed_file, FixCallback.filter(F.action == FixAction.FILE))
    router.callback_query.register(on_fix_save, FixCallback.filter(F.action == FixAction.SAVE))
    return router
