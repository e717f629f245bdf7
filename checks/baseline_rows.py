"""Judging a batch's checks against their files' baselines (core/services/baselines.py), in the
transaction that writes them: two queries per batch whatever its size (the batch's baselines
with their checks and sources, then the sources of the versions judged), none without a
baseline among the batch's files beyond the first."""

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from checks.check_rows import issue_json
from core.baseline_models import FileBaseline
from core.diffs import Reviewed
from core.models import Check, CheckResult, FileVersion
from core.review import FoundIssues, Issue
from core.services.baselines import Judgement, judge


async def judge_batch(
    session: AsyncSession,
    versions: Collection[tuple[int, int, int]],
    results: Mapping[int, list[Issue]],
) -> dict[int, Judgement]:
    """The judgement of each version (id, file id, number) whose file has a baseline at an
    earlier version, by version id."""
    if not versions:
        return {}
    file_ids = {file_id for _id, file_id, _number in versions}
    rows = await session.execute(
        select(FileBaseline.file_id, FileVersion.number, FileVersion.content, Check.issues)
        .join(FileVersion, FileVersion.id == FileBaseline.version_id)
        .join(Check, Check.version_id == FileVersion.id)
        .where(
            FileBaseline.file_id.in_(file_ids),
            Check.gate.is_(False),
            Check.result != CheckResult.ERROR,
        )
        .order_by(Check.id)
    )
    # The newest own finished check of each baseline version (a retried version has several).
    baselines: dict[int, tuple[int, Reviewed]] = {
        file_id: (number, Reviewed(content, [Issue.from_json(item) for item in issues]))
        for file_id, number, content, issues in rows
    }
    judged = {
        version_id: baselines[file_id]
        for version_id, file_id, number in versions
        if file_id in baselines and number > baselines[file_id][0]
    }
    if not judged:
        return {}
    contents = dict(
        (
            await session.execute(
                select(FileVersion.id, FileVersion.content).where(FileVersion.id.in_(judged))
            )
        ).all()
    )
    judgements = {}
    for version_id, (number, baseline) in judged.items():
        found = results[version_id]
        total = found.total if isinstance(found, FoundIssues) else len(found)
        later = Reviewed(contents.get(version_id, b""), found)
        judgements[version_id] = judge(number, baseline, later, total)
    return judgements


def apply(row: dict[str, Any], judgement: Judgement | None) -> dict[str, Any]:
    """A check row (checks/check_rows.py) judged: its issues marked, its baseline and accepted
    count set, and `passed` when nothing is new. A row without a judgement is left as it is."""
    if judgement is None or row["result"] is CheckResult.ERROR:
        return row
    row["issues"] = [issue_json(issue) for issue in judgement.issues]
    row["baseline_version"] = judgement.baseline_version
    row["accepted_count"] = judgement.accepted_count
    if judgement.passed:
        row["result"] = CheckResult.PASSED
    return row
