"""The rows a check writes: the `checks` row of each version and its two deliveries (the
outbox), as plain values for bulk inserts."""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Base, Check, CheckResult, Delivery, DeliveryChannel
from core.review import FoundIssues, Issue
from core.ruff_config import ReviewConfig

MAX_ERROR_LENGTH = 2000
_ISSUE_FIELDS = tuple(field.name for field in fields(Issue))
# Rows are inserted through the tables, not the ORM: a batch's rows are plain values.
CHECKS: Table = Base.metadata.tables[Check.__tablename__]
DELIVERIES: Table = Base.metadata.tables[Delivery.__tablename__]


@dataclass(frozen=True)
class RuffRun:
    """One ruff run over a batch: what every check row of that batch shares."""

    config: ReviewConfig
    ruff_version: str
    started_at: datetime


def check_row(
    version_id: int,
    run: RuffRun,
    finished_at: datetime,
    *,
    issues: list[Issue] | None = None,
    error: str | None = None,
    line_count: int = 0,
) -> dict[str, Any]:
    """A `checks` row, as the values of a bulk insert: `error` when ruff could not run. The
    count is every issue found; the list, those kept (`FoundIssues` says when some were not)."""
    found = issues or []
    total = found.total if isinstance(found, FoundIssues) else len(found)
    if error is not None:
        result = CheckResult.ERROR
    else:
        result = CheckResult.FAILED if found else CheckResult.PASSED
    return {
        "version_id": version_id,
        "preset": run.config.preset,
        "config_hash": run.config.config_hash,
        "muted_rules": list(run.config.muted),
        "ruff_version": run.ruff_version,
        "started_at": run.started_at,
        "finished_at": finished_at,
        "result": result,
        "issue_count": total,
        "issues_truncated": total > len(found),
        "issues": [issue_json(issue) for issue in found],
        "error": error[:MAX_ERROR_LENGTH] if error is not None else None,
        "line_count": line_count,
        # Set when the file has a baseline (checks/baseline_rows.py): every row of a bulk insert
        # carries the same keys.
        "baseline_version": None,
        "accepted_count": 0,
    }


def issue_json(issue: Issue) -> dict[str, Any]:
    """Issue.to_json's dictionary, built without dataclasses.asdict's deep copies."""
    data = {name: getattr(issue, name) for name in _ISSUE_FIELDS}
    if issue.fix is not None:
        data["fix"] = issue.fix.to_json()
    return data


async def write_with_outbox(session: AsyncSession, checks: list[dict[str, Any]]) -> list[int]:
    """Insert the checks and their two deliveries each; the checks' ids, in order."""
    if not checks:
        return []
    check_ids = list(
        await session.scalars(
            insert(CHECKS).returning(CHECKS.c.id, sort_by_parameter_order=True), checks
        )
    )
    await session.execute(
        insert(DELIVERIES),
        [
            {"check_id": check_id, "channel": channel}
            for check_id in check_ids
            for channel in (DeliveryChannel.EMAIL, DeliveryChannel.TELEGRAM)
        ],
    )
    return check_ids
