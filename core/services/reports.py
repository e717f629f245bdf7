"""Reading checks back: a check with the marks of its deliveries, the latest check of a file,
and a check its owner asks for (with the checked source, for the report screens)."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.diffs import source_lines
from core.errors import FileNotFoundForUserError
from core.grades import Grade, Grading
from core.models import (
    LARGEST_ID,
    Check,
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
    ReviewConfigText,
    RulePreset,
    User,
)
from core.review import Issue
from core.ruff_config import ReviewConfig
from core.services.grades import grading, previous_grades
from core.services.history import VersionDiff, diff_since_previous


@dataclass(frozen=True)
class DeliveryMark:
    channel: DeliveryChannel
    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class CheckReport:
    check_id: int
    file_id: int
    file_name: str
    version: int
    preset: RulePreset
    config_hash: str | None  # with preset `custom`: the configuration it ran with
    muted_rules: tuple[str, ...]
    ruff_version: str
    result: CheckResult
    issues: list[Issue]
    error: str | None
    finished_at: datetime
    deliveries: dict[DeliveryChannel, DeliveryMark]
    # What changed since the nearest earlier version with a finished check (None: nothing to
    # compare with, or this check could not run).
    diff: VersionDiff | None = None
    # Every issue found, when more were found than kept (None: `issues` holds them all).
    found_count: int | None = None
    # Lines of the checked version (the grade's scale), and the grade of the version before
    # (its latest own check; None for a first version or one without a grade): core/grades.py.
    line_count: int = 0
    previous_grade: Grade | None = None
    # The file's baseline it was judged against (core/services/baselines.py): the version's
    # number, and how many of `issues` it accepted (marked `accepted`). None: no baseline.
    baseline_version: int | None = None
    accepted_count: int = 0

    @property
    def issue_count(self) -> int:
        return len(self.issues) if self.found_count is None else self.found_count

    @property
    def issues_truncated(self) -> bool:
        """Only the first `len(issues)` of `issue_count` issues were kept."""
        return self.issue_count > len(self.issues)

    @cached_property
    def grading(self) -> Grading | None:
        """The grade and the next step (None when the check could not run)."""
        return grading(self.result, self.issues, self.line_count, self.issue_count)


async def check_report(session: AsyncSession, check_id: int) -> CheckReport:
    """One check with its file, version and delivery marks (LookupError when there is none)."""
    reports = await check_reports(session, [check_id])
    if check_id not in reports:
        raise LookupError(f"no check {check_id}")
    return reports[check_id]


async def check_reports(
    session: AsyncSession, check_ids: Collection[int]
) -> dict[int, CheckReport]:
    """Several checks with their files, versions and delivery marks, by id: two queries for
    all of them, then the diff of each check of a version after the first (a first version has
    nothing to be compared with)."""
    if not check_ids:
        return {}
    rows = await session.execute(
        select(Check, FileVersion.number, File.id, File.name)
        .join(FileVersion, FileVersion.id == Check.version_id)
        .join(File, File.id == FileVersion.file_id)
        .where(Check.id.in_(set(check_ids)))
    )
    return await _reports(session, [(check, n, file_id, name) for check, n, file_id, name in rows])


async def _reports(
    session: AsyncSession, rows: Sequence[tuple[Check, int, int, str]], *, with_diff: bool = True
) -> dict[int, CheckReport]:
    """The reports of loaded checks, each with (version number, file id, file name): one query
    for the delivery marks of all, then (`with_diff`) the diff of each version after the first."""
    ids = {check.id for check, _number, _file_id, _name in rows}
    marks: dict[int, dict[DeliveryChannel, DeliveryMark]] = defaultdict(dict)
    for d in await session.scalars(select(Delivery).where(Delivery.check_id.in_(ids))):
        marks[d.check_id][d.channel] = DeliveryMark(
            channel=d.channel,
            status=d.status,
            attempts=d.attempts,
            sent_at=d.sent_at,
            last_error=d.last_error,
        )
    previous = await previous_grades(session, {(f, n) for _check, n, f, _name in rows})
    reports = {}
    for check, number, file_id, name in rows:
        reports[check.id] = CheckReport(
            check_id=check.id,
            file_id=file_id,
            file_name=name,
            version=number,
            preset=check.preset,
            config_hash=check.config_hash,
            muted_rules=tuple(check.muted_rules or ()),
            ruff_version=check.ruff_version,
            result=check.result,
            issues=[Issue.from_json(item) for item in check.issues],
            error=check.error,
            finished_at=check.finished_at,
            deliveries=marks[check.id],
            # A truncated list would show every issue past the cap as fixed or new.
            diff=(
                await diff_since_previous(session, check)
                if with_diff and number > 1 and not check.issues_truncated
                else None
            ),
            found_count=check.issue_count if check.issues_truncated else None,
            line_count=check.line_count,
            previous_grade=previous.get((file_id, number)),
            baseline_version=check.baseline_version,
            accepted_count=check.accepted_count,
        )
    return reports


async def latest_check_id(session: AsyncSession, user_id: int, file_id: int) -> int | None:
    """The newest check of any version of the user's active file; None before the first."""
    exists = await session.scalar(
        select(File.id).where(
            File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED
        )
    )
    if exists is None:
        raise FileNotFoundForUserError
    return await session.scalar(
        select(Check.id)
        .join(FileVersion, FileVersion.id == Check.version_id)
        .where(FileVersion.file_id == file_id, Check.gate.is_(False))
        .order_by(Check.finished_at.desc(), Check.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class CheckSummary:
    """A check in one line (a file's card): which version, and what it found."""

    check_id: int
    version: int
    result: CheckResult
    issue_count: int
    error: str | None
    baseline_version: int | None = None  # judged against the file's baseline of this version
    accepted_count: int = 0


async def latest_check_summary(
    session: AsyncSession, user_id: int, file_id: int
) -> CheckSummary | None:
    """The newest check of any version of the user's file, in one query (no issues, no
    deliveries); None before the first, or for a file that is not the user's."""
    row = (
        await session.execute(
            select(
                Check.id,
                FileVersion.number,
                Check.result,
                Check.issue_count,
                Check.error,
                Check.baseline_version,
                Check.accepted_count,
            )
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .where(File.id == file_id, File.user_id == user_id, Check.gate.is_(False))
            .order_by(Check.finished_at.desc(), Check.id.desc())
            .limit(1)
        )
    ).one_or_none()
    return None if row is None else CheckSummary(*row)


@dataclass(frozen=True)
class OwnedCheck:
    """A check as its owner reads it: the report, whether the file is still active (deleted
    files keep their checks readable), and the checked version's source."""

    report: CheckReport
    file_active: bool
    lines: tuple[str, ...]  # the checked source, split as ruff counts lines
    muted_now: tuple[str, ...] = ()  # the rules the owner mutes today (for Mute / Unmute)

    def source_line(self, number: int) -> str | None:
        """Line `number` (from 1) of the checked source."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else None


@dataclass(frozen=True)
class OwnCheckRows:
    check: Check
    version: FileVersion
    file: File


async def own_check(session: AsyncSession, user_id: int, check_id: int) -> OwnCheckRows:
    """The rows of a check of one of the user's files (active or deleted); anyone else's, or
    one that does not exist, raises `FileNotFoundForUserError`."""
    if not 0 < check_id <= LARGEST_ID:  # forged data: never a row, and beyond the column type
        raise FileNotFoundForUserError
    row = (
        await session.execute(
            select(Check, FileVersion, File)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .where(Check.id == check_id, File.user_id == user_id)
        )
    ).one_or_none()
    if row is None:
        raise FileNotFoundForUserError
    check, version, file = row
    return OwnCheckRows(check=check, version=version, file=file)


async def require_own_check(session: AsyncSession, user_id: int, check_id: int) -> None:
    """FileNotFoundForUserError unless the check is of one of the user's files (one small
    query: nothing of the check is read)."""
    found = (
        0 < check_id <= LARGEST_ID
        and await session.scalar(
            select(Check.id)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .where(Check.id == check_id, File.user_id == user_id)
        )
        is not None
    )
    if not found:
        raise FileNotFoundForUserError


async def check_config(session: AsyncSession, check: Check) -> ReviewConfig:
    """The rules a check ran with, to run them again (autofix)."""
    custom = None
    if check.preset is RulePreset.CUSTOM and check.config_hash is not None:
        custom = await session.scalar(
            select(ReviewConfigText.text).where(ReviewConfigText.hash == check.config_hash)
        )
    return ReviewConfig.stored(check.preset, check.muted_rules, custom)


async def own_check_report(
    session: AsyncSession, user_id: int, check_id: int, *, with_diff: bool = True
) -> OwnedCheck:
    """The check `check_id` if it is of one of the user's files (active or deleted); anyone
    else's, or one that does not exist, raises `FileNotFoundForUserError`. Without `with_diff`
    the report's `diff` is None (the Mini App's report shows none: no earlier version read)."""
    owned = await own_check(session, user_id, check_id)
    muted = await session.scalar(select(User.muted_rules).where(User.id == user_id))
    loaded = (owned.check, owned.version.number, owned.file.id, owned.file.name)
    return OwnedCheck(
        report=(await _reports(session, [loaded], with_diff=with_diff))[check_id],
        file_active=owned.file.status != FileStatus.DELETED,
        lines=tuple(source_lines(owned.version.content)),
        muted_now=tuple(muted or ()),
    )
