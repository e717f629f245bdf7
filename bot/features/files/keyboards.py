"""Keyboards of /files: the list, a file's card, and the delete confirmation."""

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FileAction,
    FileCallback,
    FilesPageCallback,
    ReportAction,
    ReportCallback,
    SubmitCallback,
)
from bot.features.files import texts as file_texts
from bot.features.reviews import texts as review_texts
from bot.shared import texts as shared_texts
from bot.shared.webapp import webapp_button
from core.services.files import FilePage


def build_file_list_kb(page: FilePage, webapp_url: str = "") -> InlineKeyboardMarkup:
    """A file per row, then « Previous / Next » in one row, then "🌐 Open" (the list in the
    Mini App, with WEBAPP_URL set). Built as plain rows (like the card):
    `InlineKeyboardBuilder` deep-copies every button it holds on each `button()`, which made
    these two keyboards a tenth of the time `/files` and a card took (bench/bot.py)."""
    rows = [
        [
            _button(
                file_texts.file_button(item),
                FileCallback(action=FileAction.OPEN, file_id=item.id, page=page.page),
            )
        ]
        for item in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(
            _button(shared_texts.button_previous(), FilesPageCallback(page=page.page - 1))
        )
    if page.page < page.pages - 1:
        navigation.append(
            _button(shared_texts.button_next(), FilesPageCallback(page=page.page + 1))
        )
    if navigation:
        rows.append(navigation)
    webapp = webapp_button(webapp_url, "/")
    if webapp is not None:
        rows.append([webapp])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def build_file_card_kb(
    file_id: int,
    page: int,
    last_check_id: int | None = None,
    webapp_url: str = "",
    *,
    can_submit: bool = False,
    extra_rows: Sequence[list[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """The card's buttons; Report opens the report of the file's latest check (a note that no
    check has run yet before the first). With WEBAPP_URL, "🌐 Open" beside History opens the
    card in the Mini App. In a team, "📤 Send for review" (the team is chosen next)."""
    report: CallbackData = (
        ReportCallback(action=ReportAction.OPEN, check_id=last_check_id)
        if last_check_id is not None
        else FileCallback(action=FileAction.REPORT, file_id=file_id, page=page)
    )

    def file_button(text: str, action: FileAction) -> InlineKeyboardButton:
        return _button(text, FileCallback(action=action, file_id=file_id, page=page))

    history = [file_button(file_texts.button_history(), FileAction.HISTORY)]
    webapp = webapp_button(webapp_url, f"/files/{file_id}")
    if webapp is not None:
        history.append(webapp)
    submit = [_button(review_texts.button_submit(), SubmitCallback(file_id=file_id))]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(file_texts.button_report(), report),
             file_button(file_texts.button_replace(), FileAction.REPLACE)],
            [file_button(file_texts.button_delete(), FileAction.DELETE),
             file_button(file_texts.button_download(), FileAction.DOWNLOAD)],
            history,
            *([submit] if can_submit else []),
            *extra_rows,
            [_button(shared_texts.button_back(), FilesPageCallback(page=page))],
        ]
    )  # fmt: skip


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def build_back_to_card_kb(file_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=shared_texts.button_back(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=file_id, page=page),
    )
    return builder.as_markup()


def build_delete_confirm_kb(file_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=file_texts.button_confirm_delete(),
        callback_data=FileCallback(action=FileAction.CONFIRM_DELETE, file_id=file_id, page=page),
    )
    builder.button(
        text=file_texts.button_keep(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=file_id, page=page),
    )
    return builder.as_markup()
