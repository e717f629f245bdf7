"""Review by people in the Mini App: `/reviews` (what waits for the person's review, and their
own submissions) and `/reviews/{id}` (a submission: its code with the gate's issues and the
reviewers' comments under their lines, its history, and the steps the viewer may take).

Whoever may not see a submission (an outsider, a member of the team who did not submit it, a
reviewer who left or was removed) and every forged id get the same 404 "Nothing here": nothing
tells them it exists. The actions call the same core services as the chat's buttons."""

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import submissions
from core.services.review_comments import CommentDraft, add_comment, resolve_comment
from core.services.submission_views import review_lists, submission_view
from core.source_excerpts import visible
from core.team_errors import CommentLinesError, CommentNotFoundError, SubmissionNotFoundError
from core.team_models import Submission
from webapp.app import Ctx, Page, PageNotFoundError, WebApp
from webapp.pages.report import start_line
from webapp.pages.review_listing import review_data, review_part

Step = Callable[[AsyncSession, int, int], Awaitable[Submission]]


@contextmanager
def _hidden() -> Iterator[None]:
    """What the person may not see reads as a page that does not exist."""
    try:
        yield
    except (SubmissionNotFoundError, CommentNotFoundError) as error:
        raise PageNotFoundError from error


async def lists_page(ctx: Ctx) -> Page:
    return Page("reviews/list.html", await review_lists(ctx.session, ctx.viewer.user_id))


async def review_page(ctx: Ctx) -> Page:
    with _hidden():
        view = await submission_view(ctx.session, ctx.viewer.user_id, ctx.page_id("submission_id"))
    data = review_data(view)
    start = start_line(ctx.request.query.get("from"))
    template = "reviews/part.html" if start is not None else "reviews/page.html"
    return Page(
        template,
        data,
        {
            "code": review_part(view.lines, data, start or 1),
            "visible": _visible,
            "comment_text": _multiline,
        },
    )


def _visible(text: str) -> str:
    return text if text.isprintable() else visible(text)


def _multiline(text: str) -> str:
    """A comment (or the code it was written on) with its line breaks kept, every other
    control or format character made visible."""
    return "\n".join(_visible(line) for line in text.split("\n"))


# --- actions -------------------------------------------------------------------------------
async def comment(ctx: Ctx) -> web.StreamResponse:
    """POST {"first_line": N, "last_line": M, "body": "..."}: a reviewer's comment on lines N
    to M (M empty: line N alone; N empty: on the whole submission)."""
    submission_id = ctx.page_id("submission_id")
    with _hidden():
        view = await submission_view(ctx.session, ctx.viewer.user_id, submission_id)
        body = await _json_body(ctx.request)
        first = _line(body.get("first_line"), len(view.lines))
        last = _line(body.get("last_line"), len(view.lines)) if first is not None else None
        text = body.get("body")
        draft = CommentDraft(first, last or first, text.strip() if isinstance(text, str) else "")
        added = await add_comment(ctx.session, ctx.viewer.user_id, submission_id, draft)
    return web.json_response(
        {"comment_id": added.id, "first_line": added.first_line, "last_line": added.last_line}
    )


def _line(raw: object, line_count: int) -> int | None:
    """A line number from JSON or a form's field; empty: none; anything else is refused with
    the chat's words for lines that are not in the version."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 9:
        return int(raw.strip())
    raise CommentLinesError(line_count=line_count)


async def resolve(ctx: Ctx) -> web.StreamResponse:
    submission_id, comment_id = ctx.page_id("submission_id"), ctx.page_id("comment_id")
    with _hidden():
        resolved = await resolve_comment(
            ctx.session, ctx.viewer.user_id, submission_id, comment_id
        )
    return web.json_response({"comment_id": resolved.id, "state": resolved.state.value})


def _step(service: Step) -> Callable[[Ctx], Awaitable[web.StreamResponse]]:
    """Take, approve, request changes or withdraw; the notices it leaves go out at once."""

    async def action(ctx: Ctx) -> web.StreamResponse:
        with _hidden():
            done = await service(ctx.session, ctx.viewer.user_id, ctx.page_id("submission_id"))
        await ctx.deps.wakeup.notify()
        return web.json_response({"submission_id": done.id, "status": done.status.value})

    return action


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


def register(webapp: WebApp) -> None:
    webapp.page("/reviews", lists_page)
    webapp.page("/reviews/{submission_id}", review_page)
    path = "/reviews/{submission_id}"
    webapp.action("POST", path + "/comments", comment)
    webapp.action("POST", path + "/comments/{comment_id}/resolve", resolve)
    webapp.action("POST", path + "/take", _step(submissions.take))
    webapp.action("POST", path + "/approve", _step(submissions.approve))
    webapp.action("POST", path + "/changes", _step(submissions.request_changes))
    webapp.action("POST", path + "/withdraw", _step(submissions.withdraw))
