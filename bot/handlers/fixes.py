"""Autofix from a report: the preview of ruff's fixes, the fixed file, and saving it as the
next version. Each reads the check through `core.services.fixes`: another user's check shows
nothing and changes nothing."""

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot import fix_texts, texts
from bot.callbacks import FixAction, FixCallback
from bot.fix_keyboards import build_fix_preview_kb, build_fix_saved_kb
from bot.screens import show
from core.config import Settings
from core.errors import NothingToFixError
from core.services import files, fixes
from core.services.accounts import AccountView
from core.services.fixes import Fixer
from core.services.quotas import StorageLimits
from core.wakeup import Wakeup


async def _preview(
    session: AsyncSession, account: AccountView, callback_data: FixCallback, fixer: Fixer
) -> fixes.FixPreview:
    return await fixes.preview_fix(
        session,
        account.require_user_id(),
        callback_data.check_id,
        fixer,
        unsafe=callback_data.unsafe,
    )


async def on_fix_preview(
    callback: CallbackQuery,
    callback_data: FixCallback,
    session: AsyncSession,
    account: AccountView,
    fixer: Fixer,
) -> None:
    preview = await _preview(session, account, callback_data, fixer)
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
    account: AccountView,
    fixer: Fixer,
) -> None:
    preview = await _preview(session, account, callback_data, fixer)
    if not preview.changed:
        raise NothingToFixError
    if not preview.outcome.fixed:  # the fixes removed everything
        await callback.answer(texts.empty_document(), show_alert=True)
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
    wakeup: Wakeup,
    settings: Settings,
) -> None:
    uploader = files.Uploader.of(account)
    stored = await fixes.save_fix(
        session,
        uploader,
        callback_data.check_id,
        fixer,
        unsafe=callback_data.unsafe,
        max_bytes=settings.max_upload_bytes,
        limits=StorageLimits.of(settings),
    )
    await wakeup.notify()
    await show(callback, fix_texts.saved(stored), build_fix_saved_kb(stored.file_id))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        on_fix_preview, FixCallback.filter(F.action == FixAction.PREVIEW)
    )
    router.callback_query.register(on_fixed_file, FixCallback.filter(F.action == FixAction.FILE))
    router.callback_query.register(on_fix_save, FixCallback.filter(F.action == FixAction.SAVE))
    return router
