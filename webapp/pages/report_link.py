"""A check's report read-only from a result email's signed link (`/r/{token}`): in any
browser, without Telegram; a changed, expired or forgotten link shows only that it is not
valid."""

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from core.errors import FileNotFoundForUserError
from core.i18n import DEFAULT_LOCALE
from core.services.report_links import report_by_link
from infra.database import DatabaseUnavailableError
from webapp.app import WebApp
from webapp.pages.report import report_data, rule_filter, start_line, template_context
from webapp.security import link_page_headers


def accepted_locale(header: str | None, locales: Sequence[str]) -> str:
    """The language of `Accept-Language` we have a catalogue for, by preference (q)."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for position, entry in enumerate((header or "").split(",")[:20]):
        tag, _, params = entry.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        quality -= position / 1000  # earlier wins a tie
        if language in locales and quality > best_q:
            best, best_q = language, quality
    return best


def public_handler(webapp: WebApp) -> Any:
    deps = webapp.deps

    async def public_report(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        locale = accepted_locale(request.headers.get("Accept-Language"), list(deps.translations))
        headers = {**link_page_headers(), "Content-Language": locale}
        with deps.i18n.context(), deps.i18n.use_locale(locale):
            try:
                async with deps.session_factory() as session:
                    owned = await report_by_link(
                        session, deps.link_key, token, now=deps.clock.now(), with_diff=False
                    )
                    rules = await deps.rule_catalog.rules()
                data = report_data(owned, rules, rule_filter(request.query.get("rule")))
                start = start_line(request.query.get("from"))
                body = webapp.templates.render(
                    locale,
                    "report/public.html",
                    page=data,
                    public=True,
                    token=token,
                    **template_context(owned, data, start, f"{webapp.prefix}/r/{token}"),
                )
                status = 200
            except FileNotFoundForUserError:
                body = webapp.templates.render(locale, "report/invalid_link.html")
                status = 404
            except DatabaseUnavailableError:
                body = webapp.templates.render("en", "unavailable.html")
                status = 503
        return web.Response(status=status, text=body, content_type="text/html", headers=headers)

    return public_report


def register(webapp: WebApp) -> None:
    webapp.public("/r/{token}", public_handler(webapp))
