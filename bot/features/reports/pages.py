"""A check's report screen in pages: the head, a summary line per rule, the issues grouped by
rule, and the delivery marks at the end of every page.

Pages are cut between items (a summary line, or one issue with its source line), never inside
one, and each fits Telegram's 4096 UTF-16 units with the longest marks a delivery can have, so
the same check always pages the same way while its deliveries are still under way.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from bot.features.reports import baseline_texts, fix_texts
from bot.features.reports import texts as report_texts
from bot.features.reports.texts import TELEGRAM_TEXT_LIMIT, telegram_length
from core.models import DeliveryChannel, DeliveryStatus
from core.ports import Rule
from core.review import Issue, group_by_rule
from core.services.baselines import split_accepted
from core.services.reports import CheckReport, DeliveryMark, OwnedCheck

# At most this many items on a page: readable, and a page keeps few entities and rule buttons.
MAX_ITEMS_PER_PAGE = 20
# Room for what the measured worst case may still miss (a plural form of another length).
_SLACK = 32
_WORST_MARK = DeliveryMark(
    channel=DeliveryChannel.EMAIL,
    status=DeliveryStatus.PENDING,
    attempts=99,
    sent_at=None,
    last_error="x" * 2000,
)


@dataclass(frozen=True)
class ReportPage:
    text: str
    number: int  # from 0
    count: int  # at least 1
    rules: list[str]  # the codes of the rules on this page, in order: their buttons


@dataclass(frozen=True)
class _Item:
    """One line of the summary, or one issue: with the heading shown above it when it opens
    its group, and the one shown when it opens a page in the middle of its group."""

    lines: list[str]
    rule: str
    fixable: bool
    heading: str
    continued: str


@dataclass
class _Page:
    lines: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    used: int = 0


def report_page(check: OwnedCheck, rules: Mapping[str, Rule], number: int) -> ReportPage:
    """Page `number` (from 0; clamped to the pages there are) of the check's report."""
    report = check.report
    pages = _paginate(list(_items(check, rules)), _budget(report))
    number = min(max(number, 0), len(pages) - 1)
    page = pages[number]
    head = report_texts.report_head(report)
    if len(pages) > 1:
        head.append(report_texts.page_line(number, len(pages)))
    body = ["", *page.lines] if page.lines else []
    if any(item.fixable for item in page.items):
        body += ["", report_texts.fixable_legend()]
    text = "\n".join([*head, *body, "", *report_texts.marks_lines(report)])
    return ReportPage(
        text=text,
        number=number,
        count=len(pages),
        rules=list(dict.fromkeys(item.rule for item in page.items)),
    )


def _budget(report: CheckReport) -> int:
    """How many UTF-16 units a page's items may take: the limit less the head with the longest
    page line, the legend, and the longest marks any delivery state can give."""
    # Each channel's own worst mark: an email's error shows as a short plain reason, the
    # chat's as the error itself (cut to MAX_SHOWN_REASON).
    marks = {channel: replace(_WORST_MARK, channel=channel) for channel in DeliveryChannel}
    worst = replace(report, deliveries=marks)
    fixed = [
        *report_texts.report_head(report),
        report_texts.page_line(9998, 9999),
        "",
        "",
        report_texts.fixable_legend(),
        "",
        *report_texts.marks_lines(worst),
    ]
    return TELEGRAM_TEXT_LIMIT - _SLACK - sum(telegram_length(line) + 1 for line in fixed)


def _items(check: OwnedCheck, rules: Mapping[str, Rule]) -> Iterator[_Item]:
    """The summary and the issues by rule; with a baseline, the new issues only, then the
    accepted ones apart, under one heading of their own."""
    new, accepted = split_accepted(check.report.issues)
    yield from _rule_items(check, rules, new)
    version = check.report.baseline_version
    if accepted and version is not None:
        count = check.report.accepted_count
        heading = baseline_texts.accepted_heading(version, count, continued=False)
        continued = baseline_texts.accepted_heading(version, count, continued=True)
        for code, issues in group_by_rule(accepted):
            for issue in issues:
                lines = report_texts.issue_lines(issue, check.source_line(issue.line))
                yield _Item(lines, code, issue.fixable, heading=heading, continued=continued)


def _rule_items(
    check: OwnedCheck, rules: Mapping[str, Rule], found: list[Issue]
) -> Iterator[_Item]:
    groups = group_by_rule(found)
    heading = report_texts.summary_heading(continued=False)
    continued = report_texts.summary_heading(continued=True)
    for code, issues in groups:
        name = _name(rules, code)
        line = report_texts.summary_line(code, name, len(issues))
        yield _Item([line], code, fixable=False, heading=heading, continued=continued)
    for code, issues in groups:
        name = _name(rules, code)
        url = next((issue.url for issue in issues if issue.url), None)
        heading = report_texts.rule_heading(code, name, len(issues), url, continued=False)
        continued = report_texts.rule_heading(code, name, len(issues), url, continued=True)
        for issue in issues:
            lines = report_texts.issue_lines(issue, check.source_line(issue.line))
            lines += fix_texts.fix_lines(issue, check.lines)
            yield _Item(lines, code, issue.fixable, heading=heading, continued=continued)


def _name(rules: Mapping[str, Rule], code: str) -> str | None:
    rule = rules.get(code)
    return rule.name if rule is not None else None


def _paginate(items: list[_Item], budget: int) -> list[_Page]:
    pages = [_Page()]
    previous: _Item | None = None
    for item in items:
        page = pages[-1]
        opens_group = previous is None or previous.heading != item.heading
        lines = _placed(item, opens_group=opens_group, opens_page=not page.items)
        cost = sum(telegram_length(line) + 1 for line in lines)
        if page.items and (len(page.items) >= MAX_ITEMS_PER_PAGE or page.used + cost > budget):
            page = _Page()
            pages.append(page)
            lines = _placed(item, opens_group=opens_group, opens_page=True)
            cost = sum(telegram_length(line) + 1 for line in lines)
        page.lines.extend(lines)
        page.items.append(item)
        page.used += cost
        previous = item
    return pages


def _placed(item: _Item, *, opens_group: bool, opens_page: bool) -> list[str]:
    """The item's lines with the heading it needs where it lands: its group's heading (after
    a blank line between groups), or the "continued" heading on top of a page."""
    if opens_group:
        return [item.heading, *item.lines] if opens_page else ["", item.heading, *item.lines]
    if opens_page:
        return [item.continued, *item.lines]
    return item.lines
