"""The check log (`/report`): every check of a user's files, newest first, with the state of
its two deliveries. Files the user deleted keep their checks in the log."""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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

PAGE_SIZE = 8


@dataclass(frozen=True)
class LogDelivery:
    """Where one result stands on one channel."""

    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    failing: bool  # the last try failed (a wait for Telegram's 429 counts no attempt)


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
            _Email.last_error.is_not(None),
            _Chat.status,
            _Chat.attempts,
            _Chat.sent_at,
            _Chat.last_error.is_not(None),
            Check.issues_truncated,
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
    status: DeliveryStatus | None, attempts: int, sent_at: datetime | None, failing: bool
) -> LogDelivery | None:
    """None when the outer join found no delivery row."""
    return None if status is None else LogDelivery(status, attempts, sent_at, bool(failing))


def _entry(row: Any) -> LogEntry:
    """A row of `_log_query`: twelve columns of the check, four per delivery, then whether
    the check's issues were truncated."""
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
    return [_entry(row) for row in rows]
