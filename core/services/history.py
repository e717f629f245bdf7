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
from core.services.grades import VersionGrade, version_grades

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
    accepted_count: int = 0  # issues its file's baseline accepted (core/services/baselines.py)


@dataclass(frozen=True)
class FileHistory:
    file_id: int
    name: str
    entries: list[VersionEntry]  # newest first
    page: int
    pages: int
    total: int  # versions in all
    # The grades of this page's versions, oldest first (core/services/grades.py).
    grades: tuple[VersionGrade, ...] = ()


@dataclass(frozen=True)
class _CheckRow:
    id: int
    version_id: int
    result: CheckResult
    issue_count: int
    accepted_count: int = 0


async def file_history(
    session: AsyncSession,
    user_id: int,
    file_id: int,
    page: int,
    page_size: int = HISTORY_PAGE_SIZE,
) -> FileHistory:
    """One page of the versions of the user's active file, newest first, each with its latest
    check and the diff from the version before."""
    name, total = await _active_file(session, user_id, file_id)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    newest = total - page * page_size
    oldest = max(1, newest - page_size + 1)

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
            accepted_count=check.accepted_count if check else 0,
        )
        for row in reversed(versions)
        for check in [latest.get(row.id)]
    ]
    grades = await version_grades(session, file_id, [row.number for row in versions])
    return FileHistory(
        file_id=file_id,
        name=name,
        entries=entries,
        page=page,
        pages=pages,
        total=total,
        grades=tuple(grades),
    )


@dataclass(frozen=True)
class ComparedVersion:
    """One side of a comparison: a version, its source and its latest check."""

    number: int
    uploaded_at: datetime
    content: bytes
    check_id: int | None  # the version's latest check; None before the first
    result: CheckResult | None
    issue_count: int


@dataclass(frozen=True)
class VersionComparison:
    """Two versions of a file side by side; `issues` is what changed from `before` to `after`
    when both have a finished check (passed or found issues), else None."""

    file_id: int
    name: str
    total: int  # versions in all
    before: ComparedVersion
    after: ComparedVersion
    issues: IssueDiff | None


async def compare_versions(
    session: AsyncSession, user_id: int, file_id: int, before: int, after: int
) -> VersionComparison:
    """Versions `before` and `after` (numbers, any two, either order) of the user's active file
    with the issues fixed, new and remaining from one to the other, matched as `diff_issues`
    does (moved code is neither fixed nor new). A number the file does not have is no file of
    theirs (`FileNotFoundForUserError`)."""
    name, total = await _active_file(session, user_id, file_id)
    if not (1 <= before <= total and 1 <= after <= total):
        raise FileNotFoundForUserError
    rows = (
        await session.execute(
            select(
                FileVersion.id, FileVersion.number, FileVersion.uploaded_at, FileVersion.content
            ).where(FileVersion.file_id == file_id, FileVersion.number.in_({before, after}))
        )
    ).all()
    by_number = {row.number: row for row in rows}
    latest = await _latest_checks(session, [row.id for row in rows])
    sides = {
        number: ComparedVersion(
            number=number,
            uploaded_at=row.uploaded_at,
            content=row.content,
            check_id=check.id if check else None,
            result=check.result if check else None,
            issue_count=check.issue_count if check else 0,
        )
        for number, row in by_number.items()
        for check in [latest.get(row.id)]
    }
    first, second = sides[before], sides[after]
    issues = None
    if first.check_id and second.check_id and _finished(first) and _finished(second):
        reviewed = await _reviewed(session, [first.check_id, second.check_id])
        issues = diff_issues(reviewed[first.check_id], reviewed[second.check_id])
    return VersionComparison(
        file_id=file_id,
        name=name,
        total=total,
        before=first,
        after=second,
        issues=issues,
    )


def _finished(version: ComparedVersion) -> bool:
    return version.result is not None and version.result is not CheckResult.ERROR


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


async def _active_file(session: AsyncSession, user_id: int, file_id: int) -> tuple[str, int]:
    """The name and the number of versions of the user's active file."""
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
    return name, total


async def _latest_checks(session: AsyncSession, version_ids: list[int]) -> dict[int, _CheckRow]:
    """The newest check of each version (a version retried after errors has several)."""
    rows = await session.execute(
        select(Check.id, Check.version_id, Check.result, Check.issue_count, Check.accepted_count)
        .where(Check.version_id.in_(version_ids), Check.gate.is_(False))
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
                Check.gate.is_(False),
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
