"""The keyboard of a team's dashboard: the two exports, and the page in the Mini App."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import DashboardAction, DashboardCallback
from bot.shared.webapp import webapp_button

EXPORT_BUTTONS = (("CSV", DashboardAction.CSV), ("XLSX", DashboardAction.XLSX))


def build_dashboard_kb(team_id: int, webapp_url: str = "") -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, action in EXPORT_BUTTONS:
        builder.button(
            text=f"⬇️ {label}", callback_data=DashboardCallback(action=action, team_id=team_id)
        )
    webapp = webapp_button(webapp_url, f"/teams/{team_id}/dashboard")
    if webapp is not None:
        builder.row(webapp)
    return builder.as_markup()
