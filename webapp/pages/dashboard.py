"""A team's dashboard (the chat's "📊 Dashboard"): the same figures, and the exports as
downloads: the three CSV documents the chat sends (one link each) and the XLSX workbook.
Owners and reviewers only: a member gets 403, anyone else and an id of no team 404, and
neither names anything of the team."""

from dataclasses import dataclass

from aiohttp import web

from bot.features.dashboard import texts as dashboard_texts
from bot.shared import texts as shared_texts
from core import team_exports
from core.services.dashboard import Dashboard, team_dashboard
from core.services.dashboard_exports import DashboardExport, dashboard_export
from core.team_errors import TeamNotFoundError, TeamRoleRequiredError
from core.team_models import SubmissionStatus
from webapp.app import Ctx, Page, PageForbiddenError, PageNotFoundError, WebApp

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES = tuple(SubmissionStatus)


@dataclass(frozen=True)
class DashboardPage:
    dashboard: Dashboard
    exports: dict[str, str]  # each download's URL under the app → its file name


def _refused(error: TeamNotFoundError | TeamRoleRequiredError) -> Exception:
    if isinstance(error, TeamRoleRequiredError):
        return PageForbiddenError(dashboard_texts.reviewers_only())
    return PageNotFoundError()


async def dashboard_page(ctx: Ctx) -> Page:
    team_id = ctx.page_id("team_id")
    try:
        dashboard = await team_dashboard(ctx.session, ctx.viewer.user_id, team_id)
    except (TeamNotFoundError, TeamRoleRequiredError) as error:
        raise _refused(error) from None
    base = f"/api/teams/{team_id}/dashboard/export"
    day = f"{ctx.deps.clock.now():%Y-%m-%d}"
    titles = dashboard_texts.sheet_titles()
    downloads = [
        (f"{titles[table]} (CSV)", f"{base}/{table}.csv", f"team-{team_id}-{table}-{day}.csv")
        for table in team_exports.TABLES
    ]
    downloads.append(("XLSX", f"{base}.xlsx", f"team-{team_id}-{day}.xlsx"))
    return Page(
        "dashboard/dashboard.html",
        DashboardPage(dashboard=dashboard, exports={url: name for _l, url, name in downloads}),
        {
            "statuses": {status: shared_texts.submission_status(status) for status in STATUSES},
            "downloads": downloads,
        },
    )


async def _export(ctx: Ctx) -> DashboardExport:
    team_id = ctx.page_id("team_id")
    try:
        return await dashboard_export(
            ctx.session, ctx.viewer.user_id, team_id, dashboard_texts.former_reviewer()
        )
    except (TeamNotFoundError, TeamRoleRequiredError) as error:
        raise _refused(error) from None


def _filename(export: DashboardExport, ctx: Ctx, suffix: str) -> str:
    """As the chat names its documents: team-7-comments-2026-03-02.csv, team-7-2026-03-02.xlsx."""
    return f"team-{export.access.team_id}-{suffix}{ctx.deps.clock.now():%Y-%m-%d}"


async def export_csv(ctx: Ctx) -> web.StreamResponse:
    """One of the three CSV documents, the same bytes the chat's CSV button sends."""
    export = await _export(ctx)
    table = ctx.request.match_info["table"]
    documents = dict(team_exports.dashboard_csv(export, dashboard_texts.export_headers()))
    filename = _filename(export, ctx, f"{table}-") + ".csv"
    return web.Response(
        body=documents[table],
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def export_xlsx(ctx: Ctx) -> web.StreamResponse:
    export = await _export(ctx)
    content = team_exports.dashboard_xlsx(
        export, dashboard_texts.export_headers(), dashboard_texts.sheet_titles()
    )
    filename = _filename(export, ctx, "") + ".xlsx"
    return web.Response(
        body=content,
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def register(webapp: WebApp) -> None:
    webapp.page("/teams/{team_id}/dashboard", dashboard_page)
    webapp.action(
        "GET", "/teams/{team_id}/dashboard/export/{table:submissions|comments|statuses}.csv",
        export_csv,
    )  # fmt: skip
    webapp.action("GET", "/teams/{team_id}/dashboard/export.xlsx", export_xlsx)
