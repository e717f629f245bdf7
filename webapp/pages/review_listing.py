"""A submission's code as the review page lists it: the version under review, highlighted like
the report (webapp/highlight.py), each line with the gate check's issues and the comments that
stand on it, in parts of `PART_LINES` lines (docs/webapp-reviews.md)."""

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from core.review import Issue
from core.services.submission_views import (
    CommentView,
    EventView,
    GateSummary,
    SubmissionView,
)
from core.team_models import CommentState, SubmissionStatus
from webapp.highlight import SourceMap, highlight_lines
from webapp.pages.report import LONG_LINE

# A homework file or a module under review is rarely longer than this: it comes whole in the
# first answer, and a longer one in further parts loaded while scrolling, as the report's do.
PART_LINES = 300
AT_LINES = {CommentState.OPEN, CommentState.CHANGED}  # shown under their line


@dataclass(frozen=True)
class ReviewData:
    """The submission as the page and `api/reviews/{id}` give it (the source is not in it: the
    listing is the HTML's)."""

    submission_id: int
    team_name: str
    file_id: int
    file_name: str
    member: str | None  # None: a former member
    reviewer: str | None  # who took it
    status: SubmissionStatus
    version: int
    viewer_is_member: bool
    gate: GateSummary | None
    issues: tuple[Issue, ...]  # the gate check's
    comments: tuple[CommentView, ...]
    events: tuple[EventView, ...]
    line_count: int
    can_take: bool
    can_approve: bool
    can_request_changes: bool
    can_comment: bool
    can_withdraw: bool

    @property
    def general(self) -> list[CommentView]:
        """Comments on the whole submission, still open."""
        return [c for c in self.comments if c.first_line is None and c.state in AT_LINES]

    @property
    def outdated(self) -> list[CommentView]:
        return [c for c in self.comments if c.state is CommentState.OUTDATED]

    @property
    def resolved(self) -> list[CommentView]:
        """Listed apart: a resolved comment is not carried on, so its line numbers are those
        of the version it was resolved on."""
        return [c for c in self.comments if c.state is CommentState.RESOLVED]


@dataclass(frozen=True)
class ReviewLine:
    number: int
    html: Markup  # the highlighted, escaped source
    issues: list[Issue]
    comments: list[CommentView]
    long: bool


@dataclass(frozen=True)
class ReviewPart:
    lines: list[ReviewLine]
    first: int
    last: int
    next_from: int | None


def review_data(view: SubmissionView) -> ReviewData:
    at_lines = [c.last_line for c in view.comments if c.state in AT_LINES and c.last_line]
    line_count = max([len(view.lines), *(i.line for i in view.issues), *at_lines])
    return ReviewData(
        submission_id=view.submission_id,
        team_name=view.team_name,
        file_id=view.file_id,
        file_name=view.file_name,
        member=view.member,
        reviewer=view.reviewer,
        status=view.status,
        version=view.version,
        viewer_is_member=view.viewer_is_member,
        gate=view.gate,
        issues=view.issues,
        comments=view.comments,
        events=view.events,
        line_count=line_count,
        can_take=view.can_take,
        can_approve=view.can_approve,
        can_request_changes=view.can_request_changes,
        can_comment=view.can_comment,
        can_withdraw=view.can_withdraw,
    )


def review_part(
    lines: tuple[str, ...], data: ReviewData, start: int, size: int = PART_LINES
) -> ReviewPart:
    """Lines `start` .. `start + size - 1` (those that exist), highlighted as one run."""
    first = max(1, start)
    last = min(data.line_count, first + size - 1)
    by_line: dict[int, list[Issue]] = defaultdict(list)
    for issue in data.issues:
        if first <= issue.line <= last:
            by_line[issue.line].append(issue)
    comments: dict[int, list[CommentView]] = defaultdict(list)
    for comment in data.comments:
        if comment.state in AT_LINES and comment.last_line and first <= comment.last_line <= last:
            comments[comment.last_line].append(comment)
    html: dict[int, Markup] = {}
    end = min(last, len(lines))
    if first <= end:
        source = SourceMap(lines, until=end)
        html.update(
            zip(range(first, end + 1), highlight_lines(source, first - 1, end), strict=True)
        )
    return ReviewPart(
        lines=[
            ReviewLine(
                number=number,
                html=html.get(number, Markup("")),
                issues=by_line.get(number, []),
                comments=comments.get(number, []),
                long=number <= len(lines) and len(lines[number - 1]) > LONG_LINE,
            )
            for number in range(first, last + 1)
        ],
        first=first,
        last=last,
        next_from=last + 1 if last < data.line_count else None,
    )
