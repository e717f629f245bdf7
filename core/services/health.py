"""What /healthz and /metrics read from the database."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    CheckState,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
)


@dataclass(frozen=True)
class PendingWork:
    versions: int  # waiting for their check or being checked
    deliveries: dict[DeliveryChannel, int] = field(default_factory=dict)


async def pending_work(session: AsyncSession) -> PendingWork:
    versions = await session.scalar(
        select(func.count())
        .select_from(FileVersion)
        .join(File, File.id == FileVersion.file_id)
        .where(
            FileVersion.check_state.in_([CheckState.PENDING, CheckState.CLAIMED]),
            File.status != FileStatus.DELETED,
        )
    )
    rows = await session.execute(
        select(Delivery.channel, func.count())
        .where(Delivery.status == DeliveryStatus.PENDING)
        .group_by(Delivery.channel)
    )
    deliveries = dict.fromkeys(DeliveryChannel, 0)
    deliveries.update(dict(rows.all()))
    return PendingWork(versions=versions or 0, deliveries=deliveries)
