"""The delivery outbox: claiming due deliveries, finding their recipient, recording outcomes.

A delivery is claimed with a lease before it is sent and marked `sent` only after the server
accepted it; a worker that dies in between leaves the lease to expire, and the delivery is sent
again: at worst a message is repeated, never lost.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from core.services.reports import CheckReport, check_report


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2×base, 4×base… capped; `failed` after `max_attempts`."""

    base_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        return min(self.max_delay, self.base_delay * (1 << max(0, attempts - 1)))


@dataclass(frozen=True)
class DeliveryTarget:
    delivery_id: int
    channel: DeliveryChannel
    report: CheckReport
    email: str
    chat_id: int | None
    locale: str


class DeliveryError(Exception):
    """Sending failed. `permanent`: do not try again; `retry_after`: a wait that is not the
    recipient's fault (the server's own, or the server out of reach), not counted as a try."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class ChannelUnavailable(Exception):  # noqa: N818 - a state, not an error of the delivery
    """The channel refuses to send anything at all (Telegram refused the bot token): nothing is
    recorded against the delivery, which is released as it was for a process that can send."""


async def claim_deliveries(
    session: AsyncSession, *, batch_size: int, lease: timedelta
) -> list[int]:
    now = utcnow()
    query = (
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    deliveries = list(await session.scalars(query))
    for delivery in deliveries:
        delivery.claimed_until = now + lease
    await session.commit()
    return [delivery.id for delivery in deliveries]


async def delivery_target(session: AsyncSession, delivery_id: int) -> DeliveryTarget:
    """What to send and where: the user's address, and the uploader's chat while it is still
    linked to the user (else the user's most recently linked account)."""
    delivery, user_id, email, uploaded_by = (
        await session.execute(
            select(Delivery, User.id, User.email, FileVersion.uploaded_by)
            .join(Check, Check.id == Delivery.check_id)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .join(User, User.id == File.user_id)
            .where(Delivery.id == delivery_id)
        )
    ).one()
    accounts = list(
        await session.scalars(
            select(TelegramAccount)
            .where(TelegramAccount.user_id == user_id)
            .order_by(TelegramAccount.linked_at.desc(), TelegramAccount.id.desc())
        )
    )
    account = next((a for a in accounts if a.id == uploaded_by), accounts[0] if accounts else None)
    return DeliveryTarget(
        delivery_id=delivery.id,
        channel=delivery.channel,
        report=await check_report(session, delivery.check_id),
        email=email,
        chat_id=account.chat_id if account is not None else None,
        locale=account.language_code if account is not None else "en",
    )


async def release(session: AsyncSession, delivery_ids: list[int]) -> None:
    """Give claimed deliveries back untouched: due again at once, no try counted."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(delivery_ids), Delivery.status == DeliveryStatus.PENDING)
        .values(claimed_until=None)
    )
    await session.commit()


async def record_sent(session: AsyncSession, delivery_id: int) -> None:
    delivery = await session.get_one(Delivery, delivery_id, with_for_update=True)
    delivery.status = DeliveryStatus.SENT
    delivery.attempts += 1
    delivery.sent_at = utcnow()
    delivery.claimed_until = None
    delivery.last_error = None
    await session.commit()


async def record_failure(
    session: AsyncSession, delivery_id: int, error: DeliveryError, policy: RetryPolicy
) -> DeliveryStatus:
    """Keep the delivery pending for another try, or mark it failed; returns the status."""
    delivery = await session.get_one(Delivery, delivery_id, with_for_update=True)
    now = utcnow()
    delivery.last_error = error.reason[:2000]
    delivery.claimed_until = None
    if error.retry_after is not None:
        # The server asked us to wait, or is out of reach: not the recipient's fault, not
        # counted as an attempt.
        delivery.next_attempt_at = now + timedelta(seconds=error.retry_after)
    else:
        delivery.attempts += 1
        delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        if error.permanent or delivery.attempts >= policy.max_attempts:
            delivery.status = DeliveryStatus.FAILED
    await session.commit()
    return delivery.status
