"""A file's history: its versions with their latest checks, and what changed between checks.

A version is compared with the nearest earlier version whose check finished (passed or found
issues); a check that could not run (`error`) is nobody's baseline and has no diff.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.diffs import IssueDiff, Reviewed, diff_issues
from core.errors import FileNotFoundForUserError
from core.models import Check, CheckResult, CheckState, File, FileStatus, FileVersion
from core.review import Issue

HISTORY_PAGE_SIZE = 5  # versions per screen, newest first


@dataclass(frozen=True)
class VersionDiff:
    """What changed since `since_version`, the nearest earlier version with a finished check."""

    since_version: int
    issues: IssueDiff


@dataclass(frozen=True)
class VersionEntry:
    number: int
    size: int
    uploaded_at: datetime
    checking: bool  # a worker holds it right now
    check_id: int | None  # the version's latest check; None before the first
    result: CheckResult | None
    issue_count: int
    diff: VersionDiff | None


@dataclass(frozen=True)
class FileHistory:
    file_id: int
    name: str
    entries: list[VersionEntry]  # newest first
    page: int
    pages: int
    total: int  # versions in all


@dataclass(frozen=True)
class _CheckRow:
    id: int
    version_id: int
    result: CheckResult
    issue_count: int


async def file_history(
    session: AsyncSession, user_id: int, file_id: int, page: int
) -> FileHistory:
    """One page of the versions of the user's active file, newest first, each with its latest
    check and the diff from the version before."""
    found = (
        await session.execute(
            select(File.name, File.current_version).where(
                File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED
            )
        )
    ).one_or_none()
    if found is None:
        raise FileNotFoundForUserError
    name, total = found
    pages = max(1, math.ceil(total / HISTORY_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    newest = total - page * HISTORY_PAGE_SIZE
    oldest = max(1, newest - HISTORY_PAGE_SIZE + 1)

    versions = (
        await session.execute(
            select(
                FileVersion.id,
                FileVersion.number,
                FileVersion.size,
                FileVersion.uploaded_at,
                FileVersion.check_state,
            )
            .where(FileVersion.file_id == file_id, FileVersion.number.between(oldest, newest))
            .order_by(FileVersion.number)
        )
    ).all()
    latest = await _latest_checks(session, [row.id for row in versions])
    finished = [
        (row.number, latest[row.id].id)
        for row in versions
        if row.id in latest and latest[row.id].result is not CheckResult.ERROR
    ]
    diffs = await _diffs(session, file_id, oldest, finished)
    entries = [
        VersionEntry(
            number=row.number,
            size=row.size,
            uploaded_at=row.uploaded_at,
            checking=row.check_state is CheckState.CLAIMED,
            check_id=check.id if check else None,
            result=check.result if check else None,
            issue_count=check.issue_count if check else 0,
            diff=diffs.get(row.number),
        )
        for row in reversed(versions)
        for check in [latest.get(row.id)]
    ]
    return FileHistory(
        file_id=file_id, name=name, entries=entries, page=page, pages=pages, total=total
    )


async def diff_since_previous(session: AsyncSession, check: Check) -> VersionDiff | None:
    """What a finished check found changed since the nearest earlier version with a finished
    check; None for the first, for a check that could not run, or when no earlier one finished."""
    if check.result is CheckResult.ERROR:
        return None
    file_id, number, content = (
        await session.execute(
            select(FileVersion.file_id, FileVersion.number, FileVersion.content).where(
                FileVersion.id == check.version_id
            )
        )
    ).one()
    baseline = await _finished_check_before(session, file_id, number)
    if baseline is None:
        return None
    since_version, baseline_check = baseline
    earlier = (await _reviewed(session, [baseline_check]))[baseline_check]
    later = Reviewed(content=content, issues=_issues(check.issues))
    return VersionDiff(since_version=since_version, issues=diff_issues(earlier, later))


async def _diffs(
    session: AsyncSession, file_id: int, oldest: int, finished: list[tuple[int, int]]
) -> dict[int, VersionDiff]:
    """The diff of each finished check of a page (versions `oldest`…, as (version number, check
    id), oldest first) from the one before it, the first from the newest one before the page."""
    baseline = await _finished_check_before(session, file_id, oldest)
    chain = finished if baseline is None else [baseline, *finished]
    reviewed = await _reviewed(session, [check_id for _, check_id in chain])
    return {
        later: VersionDiff(
            since_version=earlier,
            issues=diff_issues(reviewed[earlier_check], reviewed[later_check]),
        )
        for (earlier, earlier_check), (later, later_check) in pairwise(chain)
    }


async def _latest_checks(session: AsyncSession, version_ids: list[int]) -> dict[int, _CheckRow]:
    """The newest check of each version (a version retried after errors has several)."""
    rows = await session.execute(
        select(Check.id, Check.version_id, Check.result, Check.issue_count)
        .where(Check.version_id.in_(version_ids))
        .order_by(Check.id)
    )
    return {row.version_id: _CheckRow(*row) for row in rows}


async def _finished_check_before(
    session: AsyncSession, file_id: int, number: int
) -> tuple[int, int] | None:
    """(version number, check id) of the newest finished check of a version before `number`."""
    row = (
        await session.execute(
            select(FileVersion.number, Check.id)
            .join(Check, Check.version_id == FileVersion.id)
            .where(
                FileVersion.file_id == file_id,
                FileVersion.number < number,
                Check.result != CheckResult.ERROR,
            )
            .order_by(FileVersion.number.desc(), Check.id.desc())
            .limit(1)
        )
    ).one_or_none()
    return None if row is None else (row.number, row.id)


async def _reviewed(session: AsyncSession, check_ids: list[int]) -> dict[int, Reviewed]:
    """Each check's issues with the source they point into."""
    if not check_ids:
        return {}
    rows = await session.execute(
        select(Check.id, Check.issues, FileVersion.content)
        .join(FileVersion, FileVersion.id == Check.version_id)
        .where(Check.id.in_(check_ids))
    )
    return {
        check_id: Reviewed(content=content, issues=_issues(issues))
        for check_id, issues, content in rows
    }


def _issues(items: Iterable[dict[str, object]]) -> list[Issue]:
    return [Issue.from_json(dict(item)) for item in items]
