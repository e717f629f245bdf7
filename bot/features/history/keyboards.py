"""The keyboard of a file's history: each checked version's report, pages, Back to the card."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FileAction,
    FileCallback,
    HistoryCallback,
    ReportAction,
    ReportCallback,
)
from bot.features.history import texts as history_texts
from bot.shared import texts as shared_texts
from core.services.history import FileHistory

REPORTS_PER_ROW = 3


def build_history_kb(history: FileHistory, back: int) -> InlineKeyboardMarkup:
    """`back`: the page of the file list the card returns to."""
    builder = InlineKeyboardBuilder()
    for entry in history.entries:
        if entry.check_id is not None:
            builder.button(
                text=history_texts.button_version_report(entry.number),
                callback_data=ReportCallback(action=ReportAction.OPEN, check_id=entry.check_id),
            )
    builder.adjust(REPORTS_PER_ROW)
    navigation = InlineKeyboardBuilder()
    if history.page > 0:
        navigation.button(
            text=history_texts.button_newer(),
            callback_data=HistoryCallback(
                file_id=history.file_id, page=history.page - 1, back=back
            ),
        )
    if history.page < history.pages - 1:
        navigation.button(
            text=history_texts.button_older(),
            callback_data=HistoryCallback(
                file_id=history.file_id, page=history.page + 1, back=back
            ),
        )
    builder.attach(navigation)
    back_row = InlineKeyboardBuilder()
    back_row.button(
        text=shared_texts.button_back(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=history.file_id, page=back),
    )
    builder.attach(back_row)
    return builder.as_markup()
