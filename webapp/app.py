"""The Mini App (docs/webapp.md): routes under the path of WEBAPP_URL on the webhook's server.

Every page exists three times: the page itself (the same shell for all: Telegram puts the
launch data in the URL's fragment, which never reaches the server), its HTML fragment under
`part/` and its data as JSON under `api/`; the shell's script fetches the fragment with the
launch data in `Authorization: tma <initData>`. Actions are JSON endpoints under `api/`."""

import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.shared import error_texts
from bot.shared import texts as shared_texts
from bot.shared.texts import size_label
from core.errors import DomainError, FileNotFoundForUserError
from core.models import LARGEST_ID
from infra.database import DatabaseUnavailableError
from webapp.auth import NotSignedInError, Viewer, launch_data, viewer_of
from webapp.deps import WebappDeps
from webapp.rendering import STATIC_DIR, Templates, jsonable
from webapp.security import app_headers

logger = logging.getLogger(__name__)


class PageNotFoundError(Exception):
    """A page that does not exist for this person (an unknown rule's explanation, a submission
    or team they may not see, an id that names nothing): 404 "Nothing here"."""


class PageForbiddenError(Exception):
    """A page the person may not see in their role (a team's dashboard, for a member): 403
    with `message` (HTML), which names nothing of the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Ctx:
    """One request of a signed-in person: who, the database session, the app's parts."""

    request: web.Request
    viewer: Viewer
    session: AsyncSession
    deps: WebappDeps
    app: "WebApp"

    def int_param(self, name: str, default: int = 0) -> int:
        raw = self.request.query.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) <= 9 else default

    def match_id(self, name: str) -> int:
        """An id from the URL; anything that is not one is no file of theirs (404)."""
        raw = self.request.match_info.get(name, "")
        if not raw.isdigit() or len(raw) > 10:
            raise FileNotFoundForUserError
        return int(raw)

    def page_id(self, name: str) -> int:
        """An id from the URL of a page that is not a file's (a submission, a team): anything
        that names no row is a page that does not exist (404 "Nothing here")."""
        raw = self.request.match_info.get(name, "")
        if not raw.isdigit() or not 0 < int(raw) <= LARGEST_ID:
            raise PageNotFoundError
        return int(raw)

    def url(self, suffix: str) -> str:
        return self.app.prefix + suffix


@dataclass(frozen=True)
class Page:
    """What a page shows: its template (rendered with `page=data`) and its data (the JSON)."""

    template: str
    data: Any
    extra: dict[str, Any] = field(default_factory=dict)  # template-only context


View = Callable[[Ctx], Awaitable[Page]]
Action = Callable[[Ctx], Awaitable[web.StreamResponse]]

_NUMERIC_ID = re.compile(r"\{(\w+)\}")


class WebApp:
    def __init__(self, deps: WebappDeps) -> None:
        self.deps = deps
        self.prefix = deps.settings.webapp_path
        self.headers = app_headers(deps.settings.webapp_telegram_js_url)
        self.templates = Templates(
            deps.translations,
            {
                "base": self.prefix,
                "telegram_js": deps.settings.webapp_telegram_js_url,
                "size_label": size_label,
            },
        )
        self.routes: list[web.RouteDef] = []
        self.routes.append(web.get(self.prefix + "/", self._shell))
        if self.prefix:
            self.routes.append(web.get(self.prefix, self._shell))

    # --- registering -------------------------------------------------------------------
    def page(self, suffix: str, view: View) -> None:
        self.routes.append(web.get(self.prefix + suffix, self._shell))
        self.routes.append(web.get(self.prefix + "/part" + suffix, self._fragment(view)))
        self.routes.append(web.get(self.prefix + "/api" + suffix, self._json(view)))

    def action(self, method: str, suffix: str, action: Action) -> None:
        self.routes.append(web.route(method, self.prefix + "/api" + suffix, self._signed(action)))

    def public(
        self, suffix: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> None:
        """A page anyone with the URL may open (the report links): no launch data."""
        self.routes.append(web.get(self.prefix + suffix, handler))

    def install(self, app: web.Application) -> None:
        """Add the Mini App to `app` (the webhook's, or one of its own in polling mode)."""
        app.add_routes(self.routes)
        app.router.add_static(self.prefix + "/static", STATIC_DIR, append_version=False)
        app.middlewares.append(self._headers_middleware)

    # --- serving -----------------------------------------------------------------------
    @web.middleware
    async def _headers_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        if not (request.path + "/").startswith(self.prefix + "/"):
            return response  # the webhook, when it is not under the app's path
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(self.prefix + "/static/"):
            response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    async def _shell(self, _request: web.Request) -> web.Response:
        body = self.templates.render("en", "shell.html")
        return web.Response(text=body, content_type="text/html")

    def _fragment(self, view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            async def render(ctx: Ctx) -> web.StreamResponse:
                page = await view(ctx)
                return self.html(ctx, page.template, page=page.data, **page.extra)

            return await self._serve(request, render, as_json=False)

        return handler

    def _json(self, view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            async def data(ctx: Ctx) -> web.StreamResponse:
                return web.json_response(jsonable((await view(ctx)).data))

            return await self._serve(request, data, as_json=True)

        return handler

    def _signed(self, action: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, action, as_json=True)

        return handler

    def html(self, ctx: Ctx, template: str, **context: Any) -> web.Response:
        body = self.templates.render(ctx.viewer.locale, template, **context)
        return web.Response(
            text=body, content_type="text/html", headers={"Content-Language": ctx.viewer.locale}
        )

    async def _serve(
        self, request: web.Request, answer: Action, *, as_json: bool
    ) -> web.StreamResponse:
        deps = self.deps
        try:
            data = launch_data(
                request.headers.get("Authorization"),
                deps.bot_token,
                now=deps.clock.now(),
                max_age=deps.settings.webapp_auth_max_age_seconds,
            )
            async with deps.session_factory() as session:
                viewer = await viewer_of(session, data)
                ctx = Ctx(request, viewer, session, deps, self)
                with deps.i18n.context(), deps.i18n.use_locale(viewer.locale):
                    try:
                        return await answer(ctx)
                    except DomainError as error:
                        return self._refusal(ctx, error, as_json=as_json)
                    except (PageNotFoundError, PageForbiddenError) as error:
                        return self._page_refusal(viewer.locale, error, as_json=as_json)
        except NotSignedInError as error:
            logger.info("Mini App request refused (401): %s", error)
            return self._error(401, "not_signed_in", "signed_out.html", as_json=as_json)
        except DatabaseUnavailableError:
            return self._error(503, "unavailable", "unavailable.html", as_json=as_json)

    def _refusal(self, ctx: Ctx, error: DomainError, *, as_json: bool) -> web.StreamResponse:
        if isinstance(error, FileNotFoundForUserError):
            status, code = 404, "not_found"
        else:
            status, code = 422, type(error).__name__
        text = error_texts.error_text(error) if status == 422 else shared_texts.file_not_found()
        if as_json:
            return web.json_response(
                {"error": code, "message": _plain(text), "html": text}, status=status
            )
        body = self.templates.render(ctx.viewer.locale, "refusal.html", message=text)
        return web.Response(status=status, text=body, content_type="text/html")

    def _page_refusal(
        self, locale: str, error: PageNotFoundError | PageForbiddenError, *, as_json: bool
    ) -> web.Response:
        if isinstance(error, PageForbiddenError):
            if as_json:
                text = error.message
                body = {"error": "forbidden", "message": _plain(text), "html": text}
                return web.json_response(body, status=403)
            page = self.templates.render(locale, "refusal.html", message=error.message)
            return web.Response(status=403, text=page, content_type="text/html")
        if as_json:
            return web.json_response({"error": "not_found"}, status=404)
        page = self.templates.render(locale, "not_found.html")
        return web.Response(status=404, text=page, content_type="text/html")

    def _error(self, status: int, code: str, template: str, *, as_json: bool) -> web.Response:
        if as_json:
            return web.json_response({"error": code}, status=status)
        body = self.templates.render("en", template)
        return web.Response(status=status, text=body, content_type="text/html")


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))
