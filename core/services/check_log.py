"""The check log (`/report`): every check of a user's files, newest first, with the state of
its two deliveries. Files the user deleted keep their checks in the log."""

import math
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.grades import Grade
from core.models import (
    Check,
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
    RulePreset,
)
from core.services.grades import check_grades

PAGE_SIZE = 8


@dataclass(frozen=True)
class LogDelivery:
    """Where one result stands on one channel."""

    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    failing: bool  # the last try failed (a wait for Telegram's 429 counts no attempt)
    # What the last try failed with, as stored (a mail server's reply may name its hosts: show
    # a person `bot.shared.delivery_reason_texts.delivery_reason` of it, never this).
    last_error: str | None = None


@dataclass(frozen=True)
class LogEntry:
    check_id: int
    file_name: str
    file_deleted: bool
    version: int
    preset: RulePreset
    config_hash: str | None  # the person's own configuration, with preset `custom`
    muted_rules: tuple[str, ...]
    ruff_version: str
    started_at: datetime
    finished_at: datetime
    result: CheckResult
    issue_count: int
    email: LogDelivery | None  # None only for a check written without its outbox rows
    chat: LogDelivery | None
    # Too many issues to keep: the report lists the first MAX_ISSUES_PER_CHECK of issue_count.
    issues_truncated: bool = False
    # A check under a team's rules before review (core/services/gate.py): logged, never sent.
    gate: bool = False
    # Its grade (core/grades.py): read for the exports only (None: not read, or no grade).
    grade: Grade | None = None
    # Judged against the file's baseline of this version, which accepted `accepted_count`.
    baseline_version: int | None = None
    accepted_count: int = 0


@dataclass(frozen=True)
class CheckLogPage:
    entries: list[LogEntry]
    page: int  # from 0, within 0..pages-1
    pages: int  # at least 1, also for an empty log
    total: int


_Email = aliased(Delivery, name="email_delivery")
_Chat = aliased(Delivery, name="chat_delivery")


def _log_query(user_id: int) -> Select[*tuple[Any, ...]]:
    """One row per check of the user's files (deleted ones too) with both deliveries joined:
    a single query whatever the number of checks (the issues themselves are not read)."""
    return (
        select(
            Check.id,
            File.name,
            File.status,
            FileVersion.number,
            Check.preset,
            Check.ruff_version,
            Check.started_at,
            Check.finished_at,
            Check.result,
            Check.issue_count,
            Check.config_hash,
            Check.muted_rules,
            _Email.status,
            _Email.attempts,
            _Email.sent_at,
            _Email.last_error,
            _Chat.status,
            _Chat.attempts,
            _Chat.sent_at,
            _Chat.last_error,
            Check.issues_truncated,
            Check.gate,
            Check.baseline_version,
            Check.accepted_count,
        )
        .join(FileVersion, FileVersion.id == Check.version_id)
        .join(File, File.id == FileVersion.file_id)
        .outerjoin(
            _Email, (_Email.check_id == Check.id) & (_Email.channel == DeliveryChannel.EMAIL)
        )
        .outerjoin(
            _Chat, (_Chat.check_id == Check.id) & (_Chat.channel == DeliveryChannel.TELEGRAM)
        )
        .where(File.user_id == user_id)
        .order_by(Check.finished_at.desc(), Check.id.desc())
    )


def _delivery(
    status: DeliveryStatus | None, attempts: int, sent_at: datetime | None, error: str | None
) -> LogDelivery | None:
    """None when the outer join found no delivery row."""
    if status is None:
        return None
    return LogDelivery(status, attempts, sent_at, failing=error is not None, last_error=error)


def _entry(row: Any) -> LogEntry:
    """A row of `_log_query`: twelve columns of the check, four per delivery, then whether
    the check's issues were truncated, whether it was a gate's, and its baseline."""
    check_id, name, file_status, number, preset, ruff_version, started, finished = row[:8]
    result, issue_count, config_hash, muted = row[8:12]
    return LogEntry(
        check_id=check_id,
        file_name=name,
        file_deleted=file_status == FileStatus.DELETED,
        version=number,
        preset=preset,
        config_hash=config_hash,
        muted_rules=tuple(muted or ()),
        ruff_version=ruff_version,
        started_at=started,
        finished_at=finished,
        result=result,
        issue_count=issue_count,
        email=_delivery(*row[12:16]),
        chat=_delivery(*row[16:20]),
        issues_truncated=bool(row[20]),
        gate=bool(row[21]),
        baseline_version=row[22],
        accepted_count=row[23] or 0,
    )


async def check_log_page(session: AsyncSession, user_id: int, page: int) -> CheckLogPage:
    """One page of the user's check log; a page out of range gives the nearest one."""
    total = await session.scalar(
        select(func.count())
        .select_from(Check)
        .join(FileVersion, FileVersion.id == Check.version_id)
        .join(File, File.id == FileVersion.file_id)
        .where(File.user_id == user_id)
    )
    total = total or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await session.execute(_log_query(user_id).offset(page * PAGE_SIZE).limit(PAGE_SIZE))
    return CheckLogPage(entries=[_entry(row) for row in rows], page=page, pages=pages, total=total)


async def check_log_entries(session: AsyncSession, user_id: int) -> list[LogEntry]:
    """The user's whole check log, newest first (for the exports)."""
    rows = await session.execute(_log_query(user_id))
    entries = [_entry(row) for row in rows]
    grades = await check_grades(session, [entry.check_id for entry in entries])
    return [replace(entry, grade=grades.get(entry.check_id)) for entry in entries]


class DeliveryFilter(StrEnum):
    """Which checks of the log to show by their two deliveries."""

    SENT = "sent"  # both sent
    PENDING = "pending"  # one or both still to be sent
    FAILED = "failed"  # one or both given up


@dataclass(frozen=True)
class LogFilter:
    name: str = ""  # part of the file name, any case (SQLite folds ASCII letters only)
    result: CheckResult | None = None
    delivery: DeliveryFilter | None = None


@dataclass(frozen=True)
class LogSlice:
    entries: list[LogEntry]
    start: int  # the position of the first entry among those matching, from 0
    matching: int  # checks that match the filter
    total: int  # every check of the log


def _matches(filters: LogFilter) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if filters.name:
        conditions.append(File.name.icontains(filters.name, autoescape=True))
    if filters.result is not None:
        conditions.append(Check.result == filters.result)
    match filters.delivery:
        case DeliveryFilter.SENT:
            conditions.append(
                and_(_Email.status == DeliveryStatus.SENT, _Chat.status == DeliveryStatus.SENT)
            )
        case DeliveryFilter.PENDING:
            conditions.append(
                or_(
                    _Email.status == DeliveryStatus.PENDING, _Chat.status == DeliveryStatus.PENDING
                )
            )
        case DeliveryFilter.FAILED:
            conditions.append(
                or_(_Email.status == DeliveryStatus.FAILED, _Chat.status == DeliveryStatus.FAILED)
            )
    return and_(true(), *conditions)


async def filtered_log(
    session: AsyncSession, user_id: int, filters: LogFilter, start: int, size: int
) -> LogSlice:
    """`size` checks of the user's log that match `filters`, from the `start`-th (newest
    first), with how many match and how many there are in all."""
    query = _log_query(user_id).where(_matches(filters))
    matching = await session.scalar(select(func.count()).select_from(query.subquery()))
    total = await session.scalar(select(func.count()).select_from(_log_query(user_id).subquery()))
    start = max(start, 0)
    rows = await session.execute(query.offset(start).limit(size))
    return LogSlice(
        entries=[_entry(row) for row in rows],
        start=start,
        matching=matching or 0,
        total=total or 0,
    )
