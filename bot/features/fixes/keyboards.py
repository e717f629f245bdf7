"""Keyboards of autofix: the preview's actions, and the way to the saved version."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FileAction,
    FileCallback,
    FixAction,
    FixCallback,
    ReportAction,
    ReportCallback,
)
from bot.features.fixes import texts as fix_texts
from bot.shared import texts as shared_texts
from core.services.fixes import FixPreview


def build_fix_preview_kb(preview: FixPreview, report_page: int) -> InlineKeyboardMarkup:
    def fix(action: FixAction, *, unsafe: bool = preview.unsafe) -> FixCallback:
        return FixCallback(
            action=action, check_id=preview.check_id, unsafe=unsafe, page=report_page
        )

    actions = InlineKeyboardBuilder()
    if preview.changed:
        actions.button(text=fix_texts.button_fixed_file(), callback_data=fix(FixAction.FILE))
        if preview.current_version is not None:
            actions.button(
                text=fix_texts.button_save(preview.current_version + 1),
                callback_data=fix(FixAction.SAVE),
            )
    unsafe = InlineKeyboardBuilder()
    if preview.outcome.unsafe_available and not preview.unsafe:
        unsafe.button(
            text=fix_texts.button_unsafe(), callback_data=fix(FixAction.PREVIEW, unsafe=True)
        )
    back = InlineKeyboardBuilder()
    back.button(
        text=shared_texts.button_back(),
        callback_data=ReportCallback(
            action=ReportAction.OPEN, check_id=preview.check_id, page=report_page
        ),
    )
    actions.attach(unsafe)
    actions.attach(back)
    return actions.as_markup()


def build_fix_saved_kb(file_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=fix_texts.button_open_file(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=file_id),
    )
    return builder.as_markup()
