"""Figures for the bot's admins: what is stored, checked and still to deliver."""

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import FromClause, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.models import (
    Check,
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
    User,
)

TOP_RULES = 10


@dataclass(frozen=True)
class Backlog:
    """Deliveries of one channel not sent: still to try (`pending`) or given up (`failed`)."""

    pending: int = 0
    failed: int = 0


@dataclass(frozen=True)
class RuleCount:
    code: str
    count: int


@dataclass(frozen=True)
class BotStats:
    users: int
    active_files: int
    deleted_files: int
    versions: int
    checks_today: int  # finished since midnight UTC
    checks: dict[CheckResult, int]  # every check ever logged, by result
    backlog: dict[DeliveryChannel, Backlog]
    top_rules: list[RuleCount]  # the most frequent codes over every check's issues

    @property
    def checks_total(self) -> int:
        return sum(self.checks.values())

    @property
    def pass_rate(self) -> float | None:
        """Passed / (passed + failed): checks ruff could not run say nothing about the code."""
        passed = self.checks[CheckResult.PASSED]
        decided = passed + self.checks[CheckResult.FAILED]
        return passed / decided if decided else None


async def collect_stats(session: AsyncSession, *, now: datetime) -> BotStats:
    """Counted by the database; no check's issues are loaded into Python."""
    day_start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    by_status = select(File.status, func.count()).group_by(File.status)
    files = dict((await session.execute(by_status)).all())
    checks = dict.fromkeys(CheckResult, 0)
    checks_today = 0
    by_result = select(
        Check.result, func.count(), func.count().filter(Check.finished_at >= day_start)
    ).group_by(Check.result)
    for result, count, today in await session.execute(by_result):
        checks[result] = count
        checks_today += today
    return BotStats(
        users=await _count(session, User.id),
        active_files=sum(n for status, n in files.items() if status is not FileStatus.DELETED),
        deleted_files=files.get(FileStatus.DELETED, 0),
        versions=await _count(session, FileVersion.id),
        checks_today=checks_today,
        checks=checks,
        backlog=await _backlog(session),
        top_rules=await _top_rules(session),
    )


async def _count(session: AsyncSession, column: InstrumentedAttribute[int]) -> int:
    return await session.scalar(select(func.count(column))) or 0


async def _backlog(session: AsyncSession) -> dict[DeliveryChannel, Backlog]:
    counts = await session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]))
        .group_by(Delivery.channel, Delivery.status)
    )
    found: dict[tuple[DeliveryChannel, DeliveryStatus], int] = {
        (channel, status): count for channel, status, count in counts
    }
    return {
        channel: Backlog(
            pending=found.get((channel, DeliveryStatus.PENDING), 0),
            failed=found.get((channel, DeliveryStatus.FAILED), 0),
        )
        for channel in DeliveryChannel
    }


async def _top_rules(session: AsyncSession) -> list[RuleCount]:
    """The issues' JSON arrays unnested by the database: `json_array_elements` on PostgreSQL,
    `json_each` on SQLite, grouped by the issue's code (a literal path: a bound one would make
    the grouped expression differ from the selected one on PostgreSQL)."""
    issue: FromClause
    if session.get_bind().dialect.name == "postgresql":
        issue = func.json_array_elements(Check.issues).table_valued("value", joins_implicitly=True)
        code = func.json_extract_path_text(issue.c.value, literal_column("'code'"))
    else:
        issue = func.json_each(Check.issues).table_valued("value", joins_implicitly=True)
        code = func.json_extract(issue.c.value, literal_column("'$.code'"))
    count = func.count().label("count")
    rows = await session.execute(
        select(code.label("code"), count)
        .select_from(Check, issue)
        .group_by(code)
        .order_by(count.desc(), code)
        .limit(TOP_RULES)
    )
    return [RuleCount(code=str(code), count=count) for code, count in rows]
