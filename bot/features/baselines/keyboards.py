"""The file card's baseline buttons: "Accept current issues" and "Clear baseline"."""

from aiogram.types import InlineKeyboardButton

from bot.callbacks import BaselineAction, BaselineCallback
from bot.features.reports import baseline_texts
from core.services.baselines import BaselineView, can_accept
from core.services.files import FileCard
from core.services.reports import CheckSummary


def baseline_rows(
    card: FileCard, last_check: CheckSummary | None, baseline: BaselineView | None, page: int
) -> list[list[InlineKeyboardButton]]:
    """One row: Accept when the current version's check found issues and is not the baseline
    already; Clear while there is a baseline. No row when neither applies."""
    row = []
    if can_accept(card.version, last_check, baseline):
        row.append(_button(baseline_texts.button_accept(), BaselineAction.ACCEPT, card.id, page))
    if baseline is not None:
        row.append(_button(baseline_texts.button_clear(), BaselineAction.CLEAR, card.id, page))
    return [row] if row else []


def _button(text: str, action: BaselineAction, file_id: int, page: int) -> InlineKeyboardButton:
    data = BaselineCallback(action=action, file_id=file_id, page=page)
    return InlineKeyboardButton(text=text, callback_data=data.pack())
