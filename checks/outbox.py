"""The delivery outbox: claiming due deliveries, finding their recipient, recording outcomes.

A delivery is claimed with a lease before it is sent and marked `sent` only after the server
accepted it; a worker that dies in between leaves the lease to expire, and the delivery is sent
again: at worst a message is repeated, never lost. The lease is short and renewed while the
worker holds the delivery (see checks/leases.py). A claim carries its owner (`claimed_by`): a
worker marks sent, failed, released or renewed only the deliveries it still holds, so one whose
claim was taken over never writes over the new owner's.
"""

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from checks.check_rows import MAX_ERROR_LENGTH
from core.delivery import DeliveryError, DeliveryTarget
from core.models import (
    Check,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileVersion,
    TelegramAccount,
    User,
    utcnow,
)
from core.services.reports import CheckReport, check_report, check_reports


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2×base, 4×base… capped; `failed` after `max_attempts`."""

    base_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        return min(self.max_delay, self.base_delay * (1 << max(0, attempts - 1)))


async def claim_deliveries(
    session: AsyncSession,
    *,
    worker_id: str,
    max_deliveries: int,
    lease: timedelta,
    channel: DeliveryChannel | None = None,
) -> list[int]:
    """Up to `max_deliveries` due deliveries (of one channel, when given), oldest first, claimed
    by `worker_id` for `lease`; their ids."""
    now = utcnow()
    query = (
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(max_deliveries)
    )
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    deliveries = list(await session.scalars(query))
    for delivery in deliveries:
        delivery.claimed_until = now + lease
        delivery.claimed_by = worker_id
    await session.commit()
    return [delivery.id for delivery in deliveries]


class ReportCache:
    """Reports of checks loaded for their deliveries, kept for the other channel's delivery of
    the same check: a check is read once for both, also when both lanes ask at the same time
    (the second waits for the first's read). The `size` most recently used are kept."""

    def __init__(self, size: int = 400) -> None:
        self._size = size
        # None: the check was not found when read (deleted meanwhile); `get` reads it again.
        self._reports: OrderedDict[int, asyncio.Future[CheckReport | None]] = OrderedDict()

    async def preload(self, session: AsyncSession, check_ids: Collection[int]) -> None:
        """Read the reports of these checks that are neither kept nor on their way, at once."""
        loop = asyncio.get_running_loop()
        loading: dict[int, asyncio.Future[CheckReport | None]] = {
            check_id: loop.create_future()
            for check_id in check_ids
            if check_id not in self._reports
        }
        if not loading:
            return
        self._keep(loading)
        try:
            found = await check_reports(session, loading.keys())
        except BaseException as error:
            for check_id, future in loading.items():
                self._fail(check_id, future, error)
            raise
        for check_id, future in loading.items():
            report = found.get(check_id)
            if report is None:
                self._drop(check_id, future)
            future.set_result(report)

    async def get(self, session: AsyncSession, check_id: int) -> CheckReport:
        known = self._reports.get(check_id)
        if known is not None:
            self._reports.move_to_end(check_id)
            try:
                report = await asyncio.shield(known)
            except Exception:  # the other lane's read failed: this one reads it itself
                report = None
            if report is not None:
                return report
        loading: asyncio.Future[CheckReport | None] = asyncio.get_running_loop().create_future()
        self._keep({check_id: loading})
        try:
            report = await check_report(session, check_id)
        except BaseException as error:
            self._fail(check_id, loading, error)
            raise
        loading.set_result(report)
        return report

    def _keep(self, futures: dict[int, "asyncio.Future[CheckReport | None]"]) -> None:
        self._reports.update(futures)
        while len(self._reports) > self._size:
            self._reports.popitem(last=False)

    def _drop(self, check_id: int, future: "asyncio.Future[CheckReport | None]") -> None:
        if self._reports.get(check_id) is future:
            del self._reports[check_id]

    def _fail(
        self, check_id: int, future: "asyncio.Future[CheckReport | None]", error: BaseException
    ) -> None:
        self._drop(check_id, future)
        future.set_exception(error)
        future.exception()  # retrieved: a waiter, if any, gets it raised


async def delivery_target(session: AsyncSession, delivery_id: int) -> DeliveryTarget:
    [target] = await delivery_targets(session, [delivery_id])
    return target


async def delivery_targets(
    session: AsyncSession, delivery_ids: list[int], reports: ReportCache | None = None
) -> list[DeliveryTarget]:
    """What to send and where, for each delivery in the order given: the user's address, and
    the uploader's chat while it is still linked to the user (else the user's most recently
    linked account)."""
    rows = {
        row.id: row
        for row in await session.execute(
            select(
                Delivery.id,
                Delivery.channel,
                Delivery.check_id,
                Check.started_at,
                User.id.label("user_id"),
                User.email,
                FileVersion.uploaded_by,
            )
            .join(Check, Check.id == Delivery.check_id)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .join(User, User.id == File.user_id)
            .where(Delivery.id.in_(delivery_ids))
        )
    }
    accounts: dict[int, list[TelegramAccount]] = defaultdict(list)
    for linked_account in await session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.user_id.in_({row.user_id for row in rows.values()}))
        .order_by(TelegramAccount.linked_at.desc(), TelegramAccount.id.desc())
    ):
        if linked_account.user_id is not None:
            accounts[linked_account.user_id].append(linked_account)
    reports = reports or ReportCache()
    await reports.preload(session, {row.check_id for row in rows.values()})
    targets = []
    for delivery_id in delivery_ids:
        row = rows.get(delivery_id)
        if row is None:
            continue  # deleted with its user (/forget) since it was claimed: nothing to send
        linked = accounts[row.user_id]
        account: TelegramAccount | None = next(
            (a for a in linked if a.id == row.uploaded_by), next(iter(linked), None)
        )
        targets.append(
            DeliveryTarget(
                delivery_id=delivery_id,
                channel=row.channel,
                report=await reports.get(session, row.check_id),
                email=row.email,
                chat_id=account.chat_id if account is not None else None,
                locale=account.language_code if account is not None else "en",
                owner_id=row.user_id,
                check_started_at=row.started_at,
            )
        )
    return targets


async def extend_claims(
    session: AsyncSession, delivery_ids: list[int], lease: timedelta, *, worker_id: str
) -> int:
    """Keep the deliveries this worker holds claimed for another `lease` (one UPDATE: the
    heartbeat of checks/leases.py); how many it still holds."""
    renewed = await session.execute(
        update(Delivery)
        .where(*_held_by(worker_id, delivery_ids))
        .values(claimed_until=utcnow() + lease)
    )
    await session.commit()
    return int(renewed.rowcount)  # type: ignore[attr-defined]


def _held_by(worker_id: str, delivery_ids: list[int]) -> tuple[ColumnElement[bool], ...]:
    return (
        Delivery.id.in_(delivery_ids),
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.claimed_by == worker_id,
    )


async def release(session: AsyncSession, delivery_ids: list[int], *, worker_id: str) -> None:
    """Give claimed deliveries this worker holds back untouched: due again at once, no try
    counted."""
    await session.execute(
        update(Delivery)
        .where(*_held_by(worker_id, delivery_ids))
        .values(claimed_until=None, claimed_by=None)
    )
    await session.commit()


async def record_sent(session: AsyncSession, delivery_ids: list[int], *, worker_id: str) -> None:
    """Mark deliveries the server accepted as sent, those this worker still holds: one
    statement for all of them. One taken over by another worker is left to it (which sends it
    again: the one repeat a crash may cost)."""
    await session.execute(
        update(Delivery)
        .where(*_held_by(worker_id, delivery_ids))
        .values(
            status=DeliveryStatus.SENT,
            attempts=Delivery.attempts + 1,
            sent_at=utcnow(),
            claimed_until=None,
            claimed_by=None,
            last_error=None,
        )
    )
    await session.commit()


async def record_failure(
    session: AsyncSession,
    delivery_id: int,
    error: DeliveryError,
    policy: RetryPolicy,
    *,
    worker_id: str,
) -> DeliveryStatus | None:
    """Keep the delivery pending for another try, or mark it failed; returns the status (None:
    the delivery was deleted with its user, by /forget, while it was on its way, or it is no
    longer this worker's: its lease was taken over)."""
    delivery = await session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.claimed_by != worker_id:
        await session.rollback()
        return None
    now = utcnow()
    delivery.last_error = error.reason[:MAX_ERROR_LENGTH]
    delivery.claimed_until = None
    delivery.claimed_by = None
    if error.retry_after is not None:
        # The server asked us to wait, or is out of reach: not the recipient's fault, not
        # counted as an attempt.
        delivery.next_attempt_at = now + timedelta(seconds=error.retry_after)
    else:
        delivery.attempts += 1
        delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        if error.permanent or (error.may_give_up and delivery.attempts >= policy.max_attempts):
            delivery.status = DeliveryStatus.FAILED
    await session.commit()
    return delivery.status
