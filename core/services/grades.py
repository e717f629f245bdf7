"""Reading grades back: a check's grade, the grade of the version before, and a file's grades
over its versions. The grade of a version is the grade of its latest own check (never a team's
gate check, which runs under the team's rules); a check that could not run has none."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grades import Grade, Grading, grade_issues
from core.models import Check, CheckResult, FileVersion
from core.review import Issue


def grading(
    result: CheckResult,
    issues: Iterable[Issue] | Iterable[dict[str, Any]],
    line_count: int,
    total: int,
) -> Grading | None:
    """The grade of a check (None when it could not run)."""
    if result is CheckResult.ERROR:
        return None
    kept = [item if isinstance(item, Issue) else Issue.from_json(dict(item)) for item in issues]
    return grade_issues(kept, line_count, total)


def check_grading(check: Check) -> Grading | None:
    return grading(check.result, check.issues, check.line_count, check.issue_count)


@dataclass(frozen=True)
class VersionGrade:
    """A version's number and the grade of its latest own check (None: none finished yet)."""

    number: int
    grade: Grade | None


async def previous_grades(
    session: AsyncSession, versions: Collection[tuple[int, int]]
) -> dict[tuple[int, int], Grade]:
    """For each (file id, version number) after the first, the grade of the version before
    (its latest own check); missing when that version has no graded check. One query."""
    wanted = {(file_id, number - 1) for file_id, number in versions if number > 1}
    if not wanted:
        return {}
    rows = await session.execute(
        select(FileVersion.file_id, FileVersion.number, Check)
        .join(Check, Check.version_id == FileVersion.id)
        .where(
            Check.gate.is_(False),
            or_(
                *(
                    and_(FileVersion.file_id == file_id, FileVersion.number == number)
                    for file_id, number in wanted
                )
            ),
        )
        .order_by(Check.id)
    )
    latest = {(file_id, number): check for file_id, number, check in rows}  # the last one wins
    grades = {}
    for (file_id, number), check in latest.items():
        graded = check_grading(check)
        if graded is not None:
            grades[(file_id, number + 1)] = graded.grade
    return grades


async def version_grades(
    session: AsyncSession, file_id: int, numbers: Collection[int]
) -> list[VersionGrade]:
    """The grades of these versions of a file, oldest first (one query)."""
    if not numbers:
        return []
    rows = await session.execute(
        select(FileVersion.number, Check)
        .join(Check, Check.version_id == FileVersion.id)
        .where(
            FileVersion.file_id == file_id,
            FileVersion.number.in_(set(numbers)),
            Check.gate.is_(False),
        )
        .order_by(Check.id)
    )
    latest: dict[int, Check] = {}
    for number, check in rows:  # the last one wins
        latest[number] = check
    grades = []
    for number in sorted(set(numbers)):
        graded = check_grading(latest[number]) if number in latest else None
        grades.append(VersionGrade(number, graded.grade if graded else None))
    return grades


CHUNK = 500  # checks read per query (well below SQLite's limit on bound values)


async def check_grades(session: AsyncSession, check_ids: Collection[int]) -> dict[int, Grade]:
    """The grade of each of these checks that has one (the exports' column)."""
    ids = sorted(set(check_ids))
    grades = {}
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(
                Check.id, Check.result, Check.issues, Check.line_count, Check.issue_count
            ).where(Check.id.in_(ids[start : start + CHUNK]))
        )
        for check_id, result, issues, line_count, issue_count in rows:
            graded = grading(result, issues, line_count, issue_count)
            if graded is not None:
                grades[check_id] = graded.grade
    return grades
