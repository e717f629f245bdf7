"""A check's report (`/checks/{id}`): the checked source, highlighted, each issue under its
line, in parts of `PART_LINES` lines. The rule explanations it links to are in `explain.py`,
the same report read-only from a result email's signed link in `report_link.py`."""

import bisect
import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from bot.features.reports.rule_cards import RULES_PAGE
from bot.features.reports.texts import docs_link, preset_name
from bot.shared.delivery_reason_texts import delivery_reason
from core.fix_preview import document_fix
from core.models import CheckResult, DeliveryChannel, DeliveryStatus
from core.ports import Rule
from core.review import Issue, group_by_rule
from core.services.reports import CheckReport, OwnedCheck, own_check_report
from core.source_excerpts import visible
from webapp.app import Ctx, Page, WebApp
from webapp.grades import GradeView, grade_view
from webapp.highlight import SourceMap, highlight_lines
from webapp.report_baseline import baseline_context

logger = logging.getLogger(__name__)

FIRST_LINES = 100  # source lines in the page's first answer: its first screens
PART_LINES = 300  # source lines in each further part of the listing, loaded while scrolling
CONTEXT_LINES = 2  # lines shown around each issue when the listing is filtered by rule
LONG_LINE = 500  # characters: a longer line scrolls in a box of a few rows (phones)
RULE_CODE = re.compile(r"[A-Za-z0-9-]{1,40}")


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    count: int
    fixable: int  # how many of them ruff can fix


@dataclass(frozen=True)
class DeliveryView:
    channel: DeliveryChannel
    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    reason: str | None  # why it has not gone, as the person is told it


@dataclass(frozen=True)
class ReportData:
    """A check's report as the page and `api/checks/{id}` give it (the source is not in it:
    the listing is HTML only, and the file's download gives the bytes)."""

    check_id: int
    file_id: int
    file_name: str
    file_active: bool
    version: int
    result: CheckResult
    error: str | None
    preset: str
    muted_rules: tuple[str, ...]
    ruff_version: str
    finished_at: datetime
    issue_count: int  # every issue found
    issues_truncated: bool  # only the first len(issues) of them were kept
    line_count: int
    rule: str | None  # the filter: only this rule's issues
    rules: list[RuleCount]
    issues: list[Issue]  # ruff's messages as ruff wrote them (pages show them `visible`)
    deliveries: list[DeliveryView]
    grade: GradeView | None = None  # None when the check could not run (webapp/grades.py)
    # Judged against the file's baseline of this version, which accepted `accepted_count`.
    baseline_version: int | None = None
    accepted_count: int = 0

    @property
    def fixable(self) -> bool:
        return any(rule.fixable for rule in self.rules)


@dataclass(frozen=True)
class CodeLine:
    number: int
    html: Markup  # the highlighted, escaped source
    issues: list[Issue]
    skipped: int  # lines left out just before this one (a filtered listing)
    long: bool  # longer than LONG_LINE


@dataclass(frozen=True)
class CodePart:
    lines: list[CodeLine]
    first: int
    last: int
    next_from: int | None  # the first line of the next part
    skipped_after: int  # lines left out after the last part (a filtered listing)


# --- the report's data ---------------------------------------------------------------------
def report_data(owned: OwnedCheck, rules: Mapping[str, Rule], rule: str | None) -> ReportData:
    report = owned.report
    issues = [issue for issue in report.issues if rule is None or issue.code == rule]
    return ReportData(
        check_id=report.check_id,
        file_id=report.file_id,
        file_name=report.file_name,
        file_active=owned.file_active,
        version=report.version,
        result=report.result,
        error=report.error,
        preset=preset_name(report.preset, report.config_hash),
        muted_rules=report.muted_rules,
        ruff_version=report.ruff_version,
        finished_at=report.finished_at,
        issue_count=report.issue_count,
        issues_truncated=report.issues_truncated,
        line_count=_line_count(owned.lines, report.issues),
        rule=rule,
        rules=[
            RuleCount(
                code=code,
                name=rules[code].name if code in rules else "",
                count=len(found),
                fixable=sum(issue.fixable for issue in found),
            )
            for code, found in group_by_rule(report.issues)
        ],
        issues=issues,
        deliveries=_deliveries(report),
        grade=grade_view(report),
        baseline_version=report.baseline_version,
        accepted_count=report.accepted_count,
    )


def _deliveries(report: CheckReport) -> list[DeliveryView]:
    views = []
    for channel in (DeliveryChannel.EMAIL, DeliveryChannel.TELEGRAM):
        mark = report.deliveries.get(channel)
        if mark is None:
            continue
        reason = None
        if mark.last_error and mark.status is not DeliveryStatus.SENT:
            reason = delivery_reason(channel, mark.last_error) or visible(mark.last_error)
        views.append(DeliveryView(channel, mark.status, mark.attempts, mark.sent_at, reason))
    return views


def _line_count(lines: Sequence[str], issues: Sequence[Issue]) -> int:
    """The lines to list: the source's, without the empty one after a final line break (unless
    an issue is there), up to the last line an issue names."""
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    return max([count, *(issue.line for issue in issues)])


# --- the listing ---------------------------------------------------------------------------
def shown_lines(data: ReportData) -> list[int]:
    """The line numbers the listing shows: all, or with a rule filter the lines of its issues
    and `CONTEXT_LINES` around each."""
    if data.rule is None:
        return list(range(1, data.line_count + 1))
    shown: set[int] = set()
    for issue in data.issues:
        low = max(1, issue.line - CONTEXT_LINES)
        shown.update(range(low, min(data.line_count, issue.line + CONTEXT_LINES) + 1))
    return sorted(shown)


def code_part(
    lines: Sequence[str], data: ReportData, start: int, size: int = PART_LINES
) -> CodePart:
    """The part of the listing from line `start` on: `size` shown lines, highlighted run by
    run of consecutive lines, each with its issues."""
    shown = shown_lines(data)
    at = bisect.bisect_left(shown, start)
    numbers = shown[at : at + size]
    by_line: dict[int, list[Issue]] = defaultdict(list)
    low, high = (numbers[0], numbers[-1]) if numbers else (0, -1)
    for issue in data.issues:
        if low <= issue.line <= high:
            by_line[issue.line].append(issue)
    source = SourceMap(lines, until=numbers[-1] if numbers else 0)
    html: dict[int, Markup] = {}
    for run in _runs(numbers):
        first, last = run[0], min(run[-1], len(lines))
        if first <= last:
            highlighted = highlight_lines(source, first - 1, last)
            html.update(zip(range(first, last + 1), highlighted, strict=True))
    previous = shown[at - 1] if at > 0 else 0
    code_lines = []
    for number in numbers:
        code_lines.append(
            CodeLine(
                number=number,
                html=html.get(number, Markup("")),
                issues=by_line.get(number, []),
                skipped=number - previous - 1,
                long=number <= len(lines) and len(lines[number - 1]) > LONG_LINE,
            )
        )
        previous = number
    following = at + size
    return CodePart(
        lines=code_lines,
        first=numbers[0] if numbers else start,
        last=numbers[-1] if numbers else start,
        next_from=shown[following] if following < len(shown) else None,
        skipped_after=data.line_count - shown[-1] if shown and following >= len(shown) else 0,
    )


def _runs(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def rule_filter(raw: str | None) -> str | None:
    return raw if raw and RULE_CODE.fullmatch(raw) else None


def start_line(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) <= 9 else None


def template_context(
    owned: OwnedCheck, data: ReportData, start: int | None, self_url: str
) -> dict[str, Any]:
    """What the templates show beyond the data: the listing's part, the delivery marks by
    channel, ruff's pages of the rules."""
    report = owned.report
    return {
        "code": code_part(
            owned.lines, data, start or 1, FIRST_LINES if start is None else PART_LINES
        ),
        "continued": start is not None,
        "marks": {view.channel.value: view for view in data.deliveries},
        "docs": _docs_links(report.issues, data.rules),
        "self_url": self_url,
        "visible": _visible,
        "fix_of": lambda issue: document_fix(owned.lines, issue.fix),
        **baseline_context(report),
    }


def _visible(text: str) -> str:
    return text if text.isprintable() else visible(text)


def _docs_links(issues: Sequence[Issue], rules: Sequence[RuleCount]) -> dict[str, str]:
    """ruff's page of each rule: the URL its issues carry, else the one its name makes."""
    links = {rule.code: f"{RULES_PAGE}{rule.name}/" for rule in rules if rule.name}
    for issue in issues:
        if issue.url:
            links[issue.code] = issue.url
    return {code: url for code, url in links.items() if docs_link(url)}


# --- the pages ------------------------------------------------------------------------------
async def report_page(ctx: Ctx) -> Page:
    owned = await own_check_report(
        ctx.session, ctx.viewer.user_id, ctx.match_id("check_id"), with_diff=False
    )
    query = ctx.request.query
    data = report_data(owned, await ctx.deps.rule_catalog.rules(), rule_filter(query.get("rule")))
    start = start_line(query.get("from"))
    template = "report/part.html" if start is not None else "report/page.html"
    self_url = ctx.url(f"/checks/{data.check_id}")
    return Page(template, data, template_context(owned, data, start, self_url))


def register(webapp: WebApp) -> None:
    webapp.page("/checks/{check_id}", report_page)
