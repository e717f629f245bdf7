"""Autofix from a report, as the chat's Fix does it (`core.services.fixes`): the preview as a
diff, the fixed file to download, and Save as the next version (checked as usual; its result
arrives in chat and by email). A fix that cannot start (the person's previous one still runs,
or the process is busy with others') is refused with the chat's words, 422."""

import asyncio
import json
from dataclasses import dataclass
from typing import Any, NoReturn

from aiohttp import web

from bot.features.fixes import texts as fix_texts
from core.errors import NothingToFixError
from core.review import Issue
from core.services import fixes, quotas
from core.services.files import Uploader
from core.services.fixes import FixInProgressError, FixNotStartedError, FixPreview
from webapp.app import Ctx, Page, WebApp
from webapp.pages.files import attachment
from webapp.text_diff import TextDiff, text_diff


@dataclass(frozen=True)
class FixView:
    check_id: int
    file_id: int
    file_name: str
    version: int  # the version the check looked at, which the fixes start from
    unsafe: bool
    changed: bool  # False: the fixes change nothing
    issues_before: int
    fixed_count: int
    remaining: list[Issue]
    unsafe_available: int  # remaining issues an unsafe fix would take (when not `unsafe`)
    formatted: bool  # False: `ruff format` could not parse the file
    next_version: int | None  # what Save makes; None when a newer version exists, or deleted
    diff: TextDiff


async def fix_preview(ctx: Ctx) -> Page:
    unsafe = ctx.request.query.get("unsafe") == "1"
    preview = await _preview(ctx, unsafe=unsafe)
    diff = await asyncio.to_thread(text_diff, preview.original, preview.outcome.fixed)
    outcome = preview.outcome
    view = FixView(
        check_id=preview.check_id,
        file_id=preview.file_id,
        file_name=preview.file_name,
        version=preview.version,
        unsafe=unsafe,
        changed=preview.changed,
        issues_before=outcome.issues_before,
        fixed_count=preview.fixed_count,
        remaining=outcome.remaining,
        unsafe_available=outcome.unsafe_available,
        formatted=outcome.formatted,
        next_version=None if preview.current_version is None else preview.current_version + 1,
        diff=diff,
    )
    return Page("fix/preview.html", view)


async def save(ctx: Ctx) -> web.StreamResponse:
    """POST {"unsafe": true|false}: the fixed file stored as the file's next version."""
    unsafe = _flag(await _json_body(ctx.request), "unsafe")
    settings = ctx.deps.settings
    uploader = Uploader(
        user_id=ctx.viewer.user_id,
        account_id=ctx.viewer.account_id,
        telegram_id=ctx.viewer.telegram_id,
    )
    try:
        stored = await fixes.save_fix(
            ctx.session,
            uploader,
            ctx.match_id("check_id"),
            ctx.deps.fixer,
            ctx.deps.fix_gate,
            unsafe=unsafe,
            max_bytes=settings.max_upload_bytes,
            limits=quotas.StorageLimits.of(settings),
        )
    except FixNotStartedError as error:
        _refuse(ctx, error)
    await ctx.deps.wakeup.notify()
    return web.json_response(
        {"file_id": stored.file_id, "name": stored.name, "version": stored.version}
    )


async def download(ctx: Ctx) -> web.StreamResponse:
    """GET ?unsafe=1: the fixed file, not saved (the chat's «Get fixed file»)."""
    preview = await _preview(ctx, unsafe=ctx.request.query.get("unsafe") == "1")
    if not preview.changed:
        raise NothingToFixError
    return attachment(preview.file_name, preview.outcome.fixed)


async def _preview(ctx: Ctx, *, unsafe: bool) -> FixPreview:
    try:
        return await fixes.preview_fix(
            ctx.session,
            ctx.viewer.user_id,
            ctx.match_id("check_id"),
            ctx.deps.fixer,
            ctx.deps.fix_gate,
            unsafe=unsafe,
        )
    except FixNotStartedError as error:
        _refuse(ctx, error)


def _refuse(ctx: Ctx, error: FixNotStartedError) -> NoReturn:
    """422 with the chat's alert: the fragment as a refusal, the API as an error."""
    text = (
        fix_texts.still_working()
        if isinstance(error, FixInProgressError)
        else fix_texts.fixes_busy()
    )
    headers = dict(ctx.app.headers)
    if ctx.request.path.startswith(ctx.url("/api/")):
        body = json.dumps({"error": type(error).__name__, "message": text, "html": text})
        raise web.HTTPUnprocessableEntity(
            text=body, content_type="application/json", headers=headers
        )
    page = ctx.app.templates.render(ctx.viewer.locale, "refusal.html", message=text)
    raise web.HTTPUnprocessableEntity(text=page, content_type="text/html", headers=headers)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request"}), content_type="application/json"
        )
    return body


def _flag(body: dict[str, Any], name: str) -> bool:
    """A JSON true, or a form's "1"/"true"/"on" (app.js sends a form's fields as strings)."""
    value = body.get(name)
    return value is True or (isinstance(value, str) and value.lower() in {"1", "true", "on"})


def register(webapp: WebApp) -> None:
    webapp.page("/checks/{check_id}/fix", fix_preview)
    webapp.action("POST", "/checks/{check_id}/fix", save)
    webapp.action("GET", "/checks/{check_id}/fix/download", download)
