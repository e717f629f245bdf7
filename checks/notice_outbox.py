"""The review notices' outbox (`review_notices`): claiming due notices, recording outcomes.
As the results' outbox (checks/outbox.py): a notice is claimed with a short lease, renewed while
held, and marked sent only after the server accepted it; a worker writes only to notices it
still holds (`claimed_by`). Each mark is written as soon as its send is accepted (notices are
few), with the chat message it became."""

from datetime import timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from checks.check_rows import MAX_ERROR_LENGTH
from checks.outbox import RetryPolicy
from core.delivery import DeliveryError
from core.models import DeliveryChannel, DeliveryStatus, utcnow
from core.team_models import ReviewNotice


async def claim_notices(
    session: AsyncSession,
    *,
    worker_id: str,
    max_notices: int,
    lease: timedelta,
    channels: set[DeliveryChannel],
) -> list[int]:
    """Up to `max_notices` due notices of these channels, oldest first, claimed by
    `worker_id` for `lease`; their ids."""
    if not channels:
        return []
    now = utcnow()
    query = (
        select(ReviewNotice)
        .where(
            ReviewNotice.status == DeliveryStatus.PENDING,
            ReviewNotice.next_attempt_at <= now,
            or_(ReviewNotice.claimed_until.is_(None), ReviewNotice.claimed_until < now),
            ReviewNotice.channel.in_(channels),
        )
        .order_by(ReviewNotice.next_attempt_at, ReviewNotice.id)
        .limit(max_notices)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    notices = list(await session.scalars(query))
    for notice in notices:
        notice.claimed_until = now + lease
        notice.claimed_by = worker_id
    await session.commit()
    return [notice.id for notice in notices]


def _held_by(worker_id: str, notice_ids: list[int]) -> tuple[ColumnElement[bool], ...]:
    return (
        ReviewNotice.id.in_(notice_ids),
        ReviewNotice.status == DeliveryStatus.PENDING,
        ReviewNotice.claimed_by == worker_id,
    )


async def extend_claims(
    session: AsyncSession, notice_ids: list[int], lease: timedelta, *, worker_id: str
) -> None:
    """Keep the notices this worker holds claimed for another `lease`."""
    await session.execute(
        update(ReviewNotice)
        .where(*_held_by(worker_id, notice_ids))
        .values(claimed_until=utcnow() + lease)
    )
    await session.commit()


async def release(session: AsyncSession, notice_ids: list[int], *, worker_id: str) -> None:
    """Give claimed notices back untouched: due again at once, no try counted."""
    await session.execute(
        update(ReviewNotice)
        .where(*_held_by(worker_id, notice_ids))
        .values(claimed_until=None, claimed_by=None)
    )
    await session.commit()


async def record_sent(
    session: AsyncSession,
    notice_id: int,
    *,
    chat_id: int | None,
    message_id: int | None,
    worker_id: str,
) -> None:
    """Mark a notice the server accepted as sent, with the chat message it became (a reply
    to it is a comment on its submission)."""
    await session.execute(
        update(ReviewNotice)
        .where(*_held_by(worker_id, [notice_id]))
        .values(
            status=DeliveryStatus.SENT,
            attempts=ReviewNotice.attempts + 1,
            sent_at=utcnow(),
            claimed_until=None,
            claimed_by=None,
            last_error=None,
            chat_id=chat_id,
            message_id=message_id,
        )
    )
    await session.commit()


async def record_failure(
    session: AsyncSession,
    notice_id: int,
    error: DeliveryError,
    policy: RetryPolicy,
    *,
    worker_id: str,
) -> DeliveryStatus | None:
    """Keep the notice pending for another try, or mark it failed (as
    `checks.outbox.record_failure`); None: gone, or no longer this worker's."""
    notice = await session.get(ReviewNotice, notice_id, with_for_update=True)
    if notice is None or notice.claimed_by != worker_id:
        await session.rollback()
        return None
    now = utcnow()
    notice.last_error = error.reason[:MAX_ERROR_LENGTH]
    notice.claimed_until = None
    notice.claimed_by = None
    if error.retry_after is not None:
        notice.next_attempt_at = now + timedelta(seconds=error.retry_after)
    else:
        notice.attempts += 1
        notice.next_attempt_at = now + policy.delay(notice.attempts)
        if error.permanent or (error.may_give_up and notice.attempts >= policy.max_attempts):
            notice.status = DeliveryStatus.FAILED
    await session.commit()
    return notice.status
