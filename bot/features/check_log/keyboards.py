"""The keyboard of `/report`: one button per check (its report), pages, and the exports."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CheckLogAction, CheckLogCallback, ReportAction, ReportCallback
from bot.features.check_log import texts as check_log_texts
from bot.shared import texts as shared_texts
from core.services.check_log import PAGE_SIZE, CheckLogPage

EXPORT_BUTTONS = (
    ("CSV", CheckLogAction.CSV),
    ("XLSX", CheckLogAction.XLSX),
    ("JSON", CheckLogAction.JSON),
)


def build_check_log_kb(page: CheckLogPage) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if page.total == 0:
        return builder.as_markup()
    first = page.page * PAGE_SIZE + 1
    for number, entry in enumerate(page.entries, start=first):
        builder.button(
            text=check_log_texts.entry_button(number, entry),
            callback_data=ReportCallback(action=ReportAction.OPEN, check_id=entry.check_id),
        )
    builder.adjust(1)
    navigation = InlineKeyboardBuilder()
    if page.page > 0:
        navigation.button(
            text=shared_texts.button_previous(),
            callback_data=CheckLogCallback(action=CheckLogAction.PAGE, page=page.page - 1),
        )
    if page.page < page.pages - 1:
        navigation.button(
            text=shared_texts.button_next(),
            callback_data=CheckLogCallback(action=CheckLogAction.PAGE, page=page.page + 1),
        )
    builder.attach(navigation)
    exports = InlineKeyboardBuilder()
    for label, action in EXPORT_BUTTONS:  # the whole log, whichever page is shown
        exports.button(text=f"⬇️ {label}", callback_data=CheckLogCallback(action=action))
    builder.attach(exports)
    return builder.as_markup()
