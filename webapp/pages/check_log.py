"""The check log (the chat's /report): every check of the person's files, newest first, with
its email and chat marks; filters; and the chat's three exports of the whole log."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiohttp import web

from bot.features.check_log import texts as check_log_texts
from bot.features.reports import baseline_texts
from bot.features.reports.texts import MAX_SHOWN_REASON, preset_name, shorten
from bot.shared.delivery_reason_texts import delivery_reason
from core import exports
from core.models import CheckResult, DeliveryChannel, DeliveryStatus, RulePreset
from core.services import check_log
from core.services.check_log import DeliveryFilter, LogDelivery, LogEntry, LogFilter
from webapp.app import Ctx, Page, WebApp

PAGE_SIZE = 30
MAX_NAME_FILTER = 100
# What the result filter's values mean (the form's words, not the database's).
RESULTS = {
    "clean": CheckResult.PASSED,
    "issues": CheckResult.FAILED,
    "error": CheckResult.ERROR,
}
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class DeliveryView:
    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    label: str  # "sent 09:05", "retrying, 2 tries failed", "failed"…
    reason: str | None  # why the last try failed, as a person is told it


@dataclass(frozen=True)
class LogRow:
    check_id: int
    file_name: str
    file_deleted: bool
    version: int
    preset: RulePreset
    config_hash: str | None  # the own configuration's, with preset `custom`
    preset_label: str  # as shown: "strict", "custom 1a2b3c4d"
    muted_rules: tuple[str, ...]
    finished_at: datetime
    result: CheckResult
    issue_count: int
    issues_truncated: bool
    result_label: str
    email: DeliveryView | None
    chat: DeliveryView | None
    gate: bool  # a check under a team's rules before review: not sent


@dataclass(frozen=True)
class Filters:
    """The filters as asked ("" for any)."""

    name: str
    result: str  # "", "clean", "issues" or "error"
    delivery: str  # "", "sent", "pending" or "failed"

    @property
    def active(self) -> bool:
        return bool(self.name or self.result or self.delivery)


@dataclass(frozen=True)
class LogView:
    filters: Filters
    entries: list[LogRow]
    start: int  # the position of the first entry among the matching ones, from 0
    matching: int
    total: int  # every check of the log, whatever the filters
    next_start: int | None  # where the next part starts; None: this is the last


def _filters(ctx: Ctx) -> tuple[Filters, LogFilter]:
    query = ctx.request.query
    name = query.get("name", "").strip()[:MAX_NAME_FILTER]
    result = query.get("result", "")
    delivery = query.get("delivery", "")
    result = result if result in RESULTS else ""
    delivery = delivery if delivery in {value.value for value in DeliveryFilter} else ""
    asked = Filters(name=name, result=result, delivery=delivery)
    return asked, LogFilter(
        name=name,
        result=RESULTS.get(result),
        delivery=DeliveryFilter(delivery) if delivery else None,
    )


def _reason(channel: DeliveryChannel, delivery: LogDelivery) -> str | None:
    """The plain reason of the last failed try (a mail server's own words never reach the
    page: they may name its hosts), or Telegram's own description, cut."""
    if delivery.last_error is None or delivery.status is DeliveryStatus.SENT:
        return None
    plain = delivery_reason(channel, delivery.last_error)
    return plain if plain is not None else shorten(delivery.last_error, MAX_SHOWN_REASON)


def _delivery(
    channel: DeliveryChannel, delivery: LogDelivery | None, checked_at: datetime
) -> DeliveryView | None:
    if delivery is None:
        return None
    return DeliveryView(
        status=delivery.status,
        attempts=delivery.attempts,
        sent_at=delivery.sent_at,
        label=check_log_texts.delivery_mark(delivery, checked_at),
        reason=_reason(channel, delivery),
    )


def _result_label(entry: LogEntry) -> str:
    match entry.result:
        case CheckResult.PASSED if entry.accepted_count:
            return baseline_texts.passes_short(entry.accepted_count)
        case CheckResult.PASSED:
            return _("no issues")
        case CheckResult.ERROR:
            return _("could not run")
        case CheckResult.FAILED:
            return ngettext("{count} issue", "{count} issues", entry.issue_count).format(
                count=entry.issue_count
            )


def _row(entry: LogEntry) -> LogRow:
    return LogRow(
        check_id=entry.check_id,
        file_name=entry.file_name,
        file_deleted=entry.file_deleted,
        version=entry.version,
        preset=entry.preset,
        config_hash=entry.config_hash,
        preset_label=preset_name(entry.preset, entry.config_hash),
        muted_rules=entry.muted_rules,
        finished_at=entry.finished_at,
        result=entry.result,
        issue_count=entry.issue_count,
        issues_truncated=entry.issues_truncated,
        result_label=_result_label(entry),
        email=_delivery(DeliveryChannel.EMAIL, entry.email, entry.finished_at),
        chat=_delivery(DeliveryChannel.TELEGRAM, entry.chat, entry.finished_at),
        gate=entry.gate,
    )


async def log_page(ctx: Ctx) -> Page:
    asked, filters = _filters(ctx)
    found = await check_log.filtered_log(
        ctx.session, ctx.viewer.user_id, filters, ctx.int_param("from"), PAGE_SIZE
    )
    end = found.start + len(found.entries)
    view = LogView(
        filters=asked,
        entries=[_row(entry) for entry in found.entries],
        start=found.start,
        matching=found.matching,
        total=found.total,
        next_start=end if end < found.matching else None,
    )
    stamp = f"checks-{ctx.deps.clock.now():%Y-%m-%d}"
    return Page(
        "log/log.html",
        view,
        {
            "filenames": {kind: f"{stamp}.{kind}" for kind in EXPORT_TYPES},
            "query": _query(asked),
        },
    )


def _query(asked: Filters) -> str:
    """The filters as the part of a URL that keeps them (for the "more" link)."""
    pairs = {"name": asked.name, "result": asked.result, "delivery": asked.delivery}
    return urlencode({key: value for key, value in pairs.items() if value})


async def export(ctx: Ctx) -> web.StreamResponse:
    """The whole log as the chat's export buttons send it (filters are not applied: the
    chat's documents and these are the same bytes, the XLSX's zip times aside)."""
    kind = ctx.request.match_info["kind"]
    entries = await check_log.check_log_entries(ctx.session, ctx.viewer.user_id)
    if not entries:
        return web.json_response(
            {"error": "empty_log", "message": check_log_texts.nothing_to_export()}, status=404
        )
    match kind:
        case "csv":
            content = exports.log_csv(entries, check_log_texts.export_headers())
        case "xlsx":
            headers = check_log_texts.export_headers()
            title = check_log_texts.export_sheet_title()
            content = exports.log_xlsx(entries, headers, title)
        case _:
            content = exports.log_json(entries)
    filename = f"checks-{ctx.deps.clock.now():%Y-%m-%d}.{kind}"
    return web.Response(
        body=content,
        content_type=EXPORT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def register(webapp: WebApp) -> None:
    webapp.page("/log", log_page)
    webapp.action("GET", "/log/export.{kind:csv|xlsx|json}", export)
