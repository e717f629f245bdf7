"""A file's baseline: "Accept current issues" makes the current version the one later versions
are judged against, so only issues beyond its own fail them (docs/baselines.md).

Judging matches the issues of a later version with those of the baseline version's latest own
check as the history does (core/diffs.py): by rule and the normalized text of the line, as a
multiset, so code that only moved keeps its accepted issues. The check job judges each check it
writes (checks/baseline_rows.py); team gate checks are never judged.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.baseline_models import FileBaseline
from core.diffs import Reviewed, diff_issues
from core.errors import DomainError, FileNotFoundForUserError
from core.models import LARGEST_ID, Check, CheckResult, File, FileStatus, FileVersion, utcnow
from core.review import Issue

if TYPE_CHECKING:
    from core.services.reports import CheckSummary


class NotCheckedYetError(DomainError):
    """The current version has no finished check of the person's own rules to accept: not
    checked yet, or its check could not run."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


@dataclass(frozen=True)
class BaselineView:
    """A file's baseline as the card shows it: the version and how many issues it accepted."""

    version: int
    accepted: int


@dataclass(frozen=True)
class Judgement:
    """A later version's issues judged against a baseline: each issue marked `accepted` when
    the baseline had it; `passed` when nothing is new (issues not kept count as new)."""

    baseline_version: int
    issues: list[Issue]
    accepted_count: int
    passed: bool


def judge(baseline_version: int, baseline: Reviewed, later: Reviewed, total: int) -> Judgement:
    """Mark the issues of `later` that the baseline has (`total`: every issue `later` found,
    kept or not)."""
    diff = diff_issues(baseline, later)
    kept = {id(issue) for issue in diff.remaining}
    issues = [replace(issue, accepted=id(issue) in kept) for issue in later.issues]
    accepted = len(diff.remaining)
    return Judgement(baseline_version, issues, accepted, passed=accepted == max(total, 0))


def can_accept(
    current_version: int, last_check: "CheckSummary | None", baseline: BaselineView | None
) -> bool:
    """Whether a card offers "Accept current issues": the latest check is of the current
    version, finished with issues, and that version is not the baseline already."""
    return (
        last_check is not None
        and last_check.version == current_version
        and last_check.result is not CheckResult.ERROR
        and last_check.issue_count > 0
        and (baseline is None or baseline.version != current_version)
    )


def split_accepted(issues: Sequence[Issue]) -> tuple[list[Issue], list[Issue]]:
    """(new, accepted): the issues beyond the baseline, and those it accepted, each in order."""
    return (
        [issue for issue in issues if not issue.accepted],
        [issue for issue in issues if issue.accepted],
    )


async def _active_file(session: AsyncSession, user_id: int, file_id: int) -> File:
    """The user's active file, locked; anyone else's (or a forged id) is not found."""
    if not 0 < file_id <= LARGEST_ID:
        raise FileNotFoundForUserError
    file = await session.scalar(
        select(File)
        .where(File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED)
        .with_for_update()
    )
    if file is None:
        raise FileNotFoundForUserError
    return file


async def accept_current(session: AsyncSession, user_id: int, file_id: int) -> BaselineView:
    """Make the current version of the user's file its baseline (replacing an earlier one). It
    needs a finished check of the person's own rules (`NotCheckedYetError` otherwise)."""
    file = await _active_file(session, user_id, file_id)
    row = (
        await session.execute(
            select(FileVersion.id, Check.result, Check.issue_count)
            .join(Check, Check.version_id == FileVersion.id)
            .where(
                FileVersion.file_id == file.id,
                FileVersion.number == file.current_version,
                Check.gate.is_(False),
            )
            .order_by(Check.id.desc())
            .limit(1)
        )
    ).one_or_none()
    if row is None or row.result is CheckResult.ERROR:
        version = file.current_version
        await session.rollback()
        raise NotCheckedYetError(version)
    baseline = await session.get(FileBaseline, file.id)
    if baseline is None:
        session.add(FileBaseline(file_id=file.id, version_id=row.id))
    else:
        baseline.version_id = row.id
        baseline.created_at = utcnow()
    await session.commit()
    return BaselineView(version=file.current_version, accepted=row.issue_count)


async def clear(session: AsyncSession, user_id: int, file_id: int) -> bool:
    """Remove the baseline of the user's file; whether there was one. Later versions are judged
    on every issue again; checks already written keep what they were judged against."""
    file = await _active_file(session, user_id, file_id)
    removed = await session.execute(delete(FileBaseline).where(FileBaseline.file_id == file.id))
    await session.commit()
    return bool(removed.rowcount)  # type: ignore[attr-defined]


async def file_baseline(session: AsyncSession, user_id: int, file_id: int) -> BaselineView | None:
    """The baseline of the user's file, with how many issues its check found; None without
    one (or for a file that is not the user's: the card's own read answers "not found")."""
    row = (
        await session.execute(
            select(FileVersion.number, Check.issue_count)
            .select_from(FileBaseline)
            .join(File, File.id == FileBaseline.file_id)
            .join(FileVersion, FileVersion.id == FileBaseline.version_id)
            .join(Check, Check.version_id == FileVersion.id)
            .where(
                FileBaseline.file_id == file_id,
                File.user_id == user_id,
                Check.gate.is_(False),
                Check.result != CheckResult.ERROR,
            )
            .order_by(Check.id.desc())
            .limit(1)
        )
    ).one_or_none()
    return None if row is None else BaselineView(version=row.number, accepted=row.issue_count)
