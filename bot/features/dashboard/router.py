"""A team's dashboard (the team screen's "📊 Dashboard"): the figures, and the exports as
documents. Owners and reviewers only; anyone else is told the team is not found (or, a member,
that the dashboard is for reviewers) and sees nothing of it."""

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import DashboardAction, DashboardCallback
from bot.features.dashboard import texts as dashboard_texts
from bot.features.dashboard.keyboards import build_dashboard_kb
from bot.middlewares import registered_only
from bot.screens import show
from core import team_exports
from core.config import Settings
from core.models import utcnow
from core.services.dashboard import team_dashboard
from core.services.dashboard_exports import DashboardExport, dashboard_export
from core.team_errors import TeamNotFoundError, TeamRoleRequiredError


async def on_dashboard_open(
    callback: CallbackQuery,
    callback_data: DashboardCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    try:
        dashboard = await team_dashboard(session, user_id, callback_data.team_id)
    except (TeamNotFoundError, TeamRoleRequiredError) as error:
        await _refuse(callback, error)
        return
    keyboard = build_dashboard_kb(dashboard.team_id, settings.webapp_url)
    await show(callback, dashboard_texts.dashboard_screen(dashboard), keyboard)


async def on_dashboard_export(
    callback: CallbackQuery,
    callback_data: DashboardCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    former = dashboard_texts.former_reviewer()
    try:
        export = await dashboard_export(session, user_id, callback_data.team_id, former)
    except (TeamNotFoundError, TeamRoleRequiredError) as error:
        await _refuse(callback, error)
        return
    if not export.submissions:
        await callback.answer(dashboard_texts.nothing_to_export(), show_alert=True)
        return
    await callback.answer()
    if callback.message is None:
        return
    kind = "XLSX" if callback_data.action is DashboardAction.XLSX else "CSV"
    for name, content in _documents(callback_data.action, export):
        await callback.message.answer_document(
            BufferedInputFile(content, filename=name),
            caption=dashboard_texts.export_caption(export.access.team_name, kind),
        )


def _documents(action: DashboardAction, export: DashboardExport) -> list[tuple[str, bytes]]:
    """(file name, content) of each document the action sends."""
    stamp = f"team-{export.access.team_id}"
    day = f"{utcnow():%Y-%m-%d}"
    headers = dashboard_texts.export_headers()
    if action is DashboardAction.XLSX:
        titles = dashboard_texts.sheet_titles()
        return [(f"{stamp}-{day}.xlsx", team_exports.dashboard_xlsx(export, headers, titles))]
    return [
        (f"{stamp}-{table}-{day}.csv", content)
        for table, content in team_exports.dashboard_csv(export, headers)
    ]


async def _refuse(callback: CallbackQuery, error: Exception) -> None:
    if isinstance(error, TeamRoleRequiredError):
        await callback.answer(dashboard_texts.reviewers_only(), show_alert=True)
    else:
        await callback.answer(dashboard_texts.team_not_found(), show_alert=True)


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_dashboard_open, DashboardCallback.filter(F.action == DashboardAction.OPEN)
    )
    router.callback_query.register(
        on_dashboard_export, DashboardCallback.filter(F.action != DashboardAction.OPEN)
    )
    return router
