"""A file's history: every version with its check and what changed since the one before, and
any two versions compared (their lines side by side or as one diff, and the issues fixed, new
and remaining between them, matched as the chat matches them: moved code is neither)."""

import asyncio
import enum
from dataclasses import dataclass

from core.diffs import IssueDiff
from core.services.history import (
    ComparedVersion,
    VersionEntry,
    compare_versions,
    file_history,
)
from webapp.app import Ctx, Page, WebApp
from webapp.grades import GradeChart, grade_chart
from webapp.text_diff import TextDiff, text_diff

PAGE_SIZE = 20  # versions listed at once; older ones load as the list scrolls


class DiffView(enum.StrEnum):
    AUTO = "auto"  # side by side on a wide screen, one column on a phone (CSS)
    SPLIT = "split"
    UNIFIED = "unified"


@dataclass(frozen=True)
class Comparison:
    before: ComparedVersion  # `a`
    after: ComparedVersion  # `b`
    issues: IssueDiff | None  # None until both versions have a finished check
    diff: TextDiff


@dataclass(frozen=True)
class HistoryView:
    file_id: int
    name: str
    total: int  # versions in all
    versions: list[VersionEntry]  # this page's, newest first
    page: int
    pages: int
    a: int  # the versions compared
    b: int
    view: DiffView
    comparison: Comparison | None  # None on the later pages of the list
    grades: GradeChart | None = None  # this page's versions' grades as a line (webapp/grades.py)


async def history(ctx: Ctx) -> Page:
    file_id = ctx.match_id("file_id")
    user_id = ctx.viewer.user_id
    found = await file_history(ctx.session, user_id, file_id, ctx.int_param("page"), PAGE_SIZE)
    total = found.total
    b = _version(ctx.int_param("b"), total, default=total)
    a = _version(ctx.int_param("a"), total, default=max(1, b - 1))
    view = _view(ctx.request.query.get("view", ""))
    comparison = None
    if found.page == 0:
        compared = await compare_versions(ctx.session, user_id, file_id, a, b)
        issues = compared.issues
        await ctx.session.commit()  # no pooled connection waits on the diff (rows are loaded)
        diff = await asyncio.to_thread(
            text_diff,
            compared.before.content,
            compared.after.content,
            fixed=issues.fixed if issues else (),
            new=issues.new if issues else (),
        )
        comparison = Comparison(compared.before, compared.after, issues, diff)
    data = HistoryView(
        file_id=file_id,
        name=found.name,
        total=total,
        versions=found.entries,
        page=found.page,
        pages=found.pages,
        a=a,
        b=b,
        view=view,
        comparison=comparison,
        grades=grade_chart(found.grades),
    )
    template = "history/page.html" if comparison is not None else "history/more.html"
    return Page(template, data)


def _version(number: int, total: int, *, default: int) -> int:
    return number if 1 <= number <= total else default


def _view(raw: str) -> DiffView:
    try:
        return DiffView(raw)
    except ValueError:
        return DiffView.AUTO


def register(webapp: WebApp) -> None:
    webapp.page("/files/{file_id}/history", history)
