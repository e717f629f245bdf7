"""Files: the list, a file's card, and Replace, Delete, Download and its baseline."""

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from core.errors import UploadRefusal, UploadRefusedError
from core.services import baselines, files, quotas, uploads
from core.services.baselines import BaselineView, can_accept
from core.services.files import FileCard, Uploader
from core.services.reports import CheckSummary, latest_check_summary
from webapp.app import Ctx, Page, WebApp

PAGE_SIZE = 50


@dataclass(frozen=True)
class FileCardView:
    file: FileCard
    last_check: CheckSummary | None
    baseline: BaselineView | None = None  # docs/baselines.md
    can_accept: bool = False  # "Accept current issues" is offered


async def file_list(ctx: Ctx) -> Page:
    page = await files.list_files(
        ctx.session, ctx.viewer.user_id, ctx.int_param("page"), PAGE_SIZE
    )
    return Page("files/list.html", page)


async def file_card(ctx: Ctx) -> Page:
    file_id = ctx.match_id("file_id")
    card = await files.get_file_card(ctx.session, ctx.viewer.user_id, file_id)
    last = await latest_check_summary(ctx.session, ctx.viewer.user_id, file_id)
    baseline = await baselines.file_baseline(ctx.session, ctx.viewer.user_id, file_id)
    view = FileCardView(card, last, baseline, can_accept(card.version, last, baseline))
    return Page("files/card.html", view)


async def delete(ctx: Ctx) -> web.StreamResponse:
    name = await files.delete_file(
        ctx.session,
        ctx.viewer.user_id,
        ctx.match_id("file_id"),
        telegram_id=ctx.viewer.telegram_id,
    )
    return web.json_response({"deleted": name})


async def download(ctx: Ctx) -> web.StreamResponse:
    content = await files.get_file_content(
        ctx.session, ctx.viewer.user_id, ctx.match_id("file_id")
    )
    return attachment(content.name, content.content)


async def accept_baseline(ctx: Ctx) -> web.StreamResponse:
    """The current version becomes the file's baseline (as the chat card's button)."""
    accepted = await baselines.accept_current(
        ctx.session, ctx.viewer.user_id, ctx.match_id("file_id")
    )
    return web.json_response({"baseline_version": accepted.version, "accepted": accepted.accepted})


async def clear_baseline(ctx: Ctx) -> web.StreamResponse:
    cleared = await baselines.clear(ctx.session, ctx.viewer.user_id, ctx.match_id("file_id"))
    return web.json_response({"cleared": cleared})


def attachment(name: str, content: bytes) -> web.Response:
    return web.Response(
        body=content,
        content_type="text/x-python",
        charset="utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


async def replace(ctx: Ctx) -> web.StreamResponse:
    """A new version from the page's file picker, under the same rules as a document in chat;
    it is checked as usual and its result arrives in chat and by email."""
    file_id = ctx.match_id("file_id")
    settings = ctx.deps.settings
    await files.get_file_card(ctx.session, ctx.viewer.user_id, file_id)  # theirs, or 404
    name, content = await _uploaded(ctx.request, settings.max_upload_bytes)
    limits = quotas.StorageLimits.of(settings)
    uploader = Uploader(
        user_id=ctx.viewer.user_id,
        account_id=ctx.viewer.account_id,
        telegram_id=ctx.viewer.telegram_id,
    )
    await quotas.check_room(
        ctx.session,
        uploader.user_id,
        limits,
        name=name,
        target_file_id=file_id,
        declared_size=len(content),
    )
    uploads.check_content(content, settings.max_upload_bytes)
    stored = await files.store_upload(
        ctx.session,
        uploader,
        name=name,
        content=content,
        telegram_file_id=None,
        limits=limits,
        target_file_id=file_id,
    )
    await ctx.deps.wakeup.notify()
    return web.json_response(
        {"file_id": stored.file_id, "name": stored.name, "version": stored.version}
    )


async def _uploaded(request: web.Request, max_bytes: int) -> tuple[str, bytes]:
    """The `file` part of a multipart form, read up to `max_bytes` (more: refused, unread)."""
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and part.name == "file":
            name = uploads.check_document(part.filename, None, max_bytes)
            content = bytearray()
            while chunk := await part.read_chunk(64 * 1024):
                content += chunk
                if len(content) > max_bytes:
                    raise UploadRefusedError(UploadRefusal.TOO_LARGE, limit_bytes=max_bytes)
            return name, bytes(content)
    raise UploadRefusedError(UploadRefusal.EMPTY_NAME)


def register(webapp: WebApp) -> None:
    webapp.page("/files", file_list)
    webapp.page("/files/{file_id}", file_card)
    webapp.action("DELETE", "/files/{file_id}", delete)
    webapp.action("GET", "/files/{file_id}/download", download)
    webapp.action("POST", "/files/{file_id}/versions", replace)
    webapp.action("POST", "/files/{file_id}/baseline", accept_baseline)
    webapp.action("DELETE", "/files/{file_id}/baseline", clear_baseline)
