"""Inline keyboards, one builder per screen."""

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import report_texts, texts
from bot.callbacks import (
    CodeAction,
    CodeCallback,
    FileAction,
    FileCallback,
    FilesPageCallback,
    ReportAction,
    ReportCallback,
)
from core.services.files import FilePage


def build_code_kb() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.button_new_code(), callback_data=CodeCallback(action=CodeAction.RESEND)
    )
    return builder.as_markup()


def build_file_list_kb(page: FilePage) -> InlineKeyboardMarkup:
    """A file per row, then « Previous / Next » in one row. Built as plain rows (like the
    card): `InlineKeyboardBuilder` deep-copies every button it holds on each `button()`, which
    made these two keyboards a tenth of the time `/files` and a card took (bench/bot.py)."""
    rows = [
        [
            _button(
                texts.file_button(item),
                FileCallback(action=FileAction.OPEN, file_id=item.id, page=page.page),
            )
        ]
        for item in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(_button(texts.button_previous(), FilesPageCallback(page=page.page - 1)))
    if page.page < page.pages - 1:
        navigation.append(_button(texts.button_next(), FilesPageCallback(page=page.page + 1)))
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def build_file_card_kb(
    file_id: int, page: int, last_check_id: int | None = None
) -> InlineKeyboardMarkup:
    """The card's buttons; Report opens the report of the file's latest check (a note that no
    check has run yet before the first)."""
    report: CallbackData = (
        ReportCallback(action=ReportAction.OPEN, check_id=last_check_id)
        if last_check_id is not None
        else FileCallback(action=FileAction.REPORT, file_id=file_id, page=page)
    )

    def file_button(text: str, action: FileAction) -> InlineKeyboardButton:
        return _button(text, FileCallback(action=action, file_id=file_id, page=page))

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.button_report(), report),
             file_button(texts.button_replace(), FileAction.REPLACE)],
            [file_button(texts.button_delete(), FileAction.DELETE),
             file_button(texts.button_download(), FileAction.DOWNLOAD)],
            [file_button(texts.button_history(), FileAction.HISTORY)],
            [_button(texts.button_back(), FilesPageCallback(page=page))],
        ]
    )  # fmt: skip


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def build_back_to_card_kb(file_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.button_back(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=file_id, page=page),
    )
    return builder.as_markup()


def build_delete_confirm_kb(file_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.button_confirm_delete(),
        callback_data=FileCallback(action=FileAction.CONFIRM_DELETE, file_id=file_id, page=page),
    )
    builder.button(
        text=texts.button_keep(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=file_id, page=page),
    )
    return builder.as_markup()


def build_result_kb(check_id: int) -> InlineKeyboardMarkup:
    """Under a check's result in the chat: the report of that very check."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=report_texts.button_full_report(),
        callback_data=ReportCallback(action=ReportAction.OPEN, check_id=check_id),
    )
    return builder.as_markup()
