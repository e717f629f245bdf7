"""Inline keyboards, one builder per screen."""

from aiogram.types import InlineKeyboardMarkup
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
    builder = InlineKeyboardBuilder()
    for item in page.items:
        builder.button(
            text=texts.file_button(item),
            callback_data=FileCallback(action=FileAction.OPEN, file_id=item.id, page=page.page),
        )
    builder.adjust(1)
    navigation = InlineKeyboardBuilder()
    if page.page > 0:
        navigation.button(
            text=texts.button_previous(), callback_data=FilesPageCallback(page=page.page - 1)
        )
    if page.page < page.pages - 1:
        navigation.button(
            text=texts.button_next(), callback_data=FilesPageCallback(page=page.page + 1)
        )
    builder.attach(navigation)
    return builder.as_markup()


def build_file_card_kb(
    file_id: int, page: int, last_check_id: int | None = None
) -> InlineKeyboardMarkup:
    """The card's buttons; Report opens the report of the file's latest check (a note that no
    check has run yet before the first)."""
    builder = InlineKeyboardBuilder()
    if last_check_id is not None:
        builder.button(
            text=texts.button_report(),
            callback_data=ReportCallback(action=ReportAction.OPEN, check_id=last_check_id),
        )
    else:
        builder.button(
            text=texts.button_report(),
            callback_data=FileCallback(action=FileAction.REPORT, file_id=file_id, page=page),
        )
    for text, action in (
        (texts.button_replace(), FileAction.REPLACE),
        (texts.button_delete(), FileAction.DELETE),
        (texts.button_download(), FileAction.DOWNLOAD),
        (texts.button_history(), FileAction.HISTORY),
    ):
        builder.button(
            text=text, callback_data=FileCallback(action=action, file_id=file_id, page=page)
        )
    builder.button(text=texts.button_back(), callback_data=FilesPageCallback(page=page))
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()


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
