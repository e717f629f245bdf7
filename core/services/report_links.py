"""The report behind a signed "open in browser" link (core/report_links.py)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FileNotFoundForUserError
from core.models import LARGEST_ID, Check, File, FileVersion
from core.report_links import link_is_valid, read_link, sign_link
from core.services.reports import OwnedCheck, own_check_report


async def _owner_and_start(session: AsyncSession, check_id: int) -> tuple[int, datetime] | None:
    if not 0 < check_id <= LARGEST_ID:
        return None
    row = (
        await session.execute(
            select(File.user_id, Check.started_at)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .where(Check.id == check_id)
        )
    ).one_or_none()
    return None if row is None else (row.user_id, row.started_at)


async def report_link(
    session: AsyncSession, key: bytes, check_id: int, *, now: datetime, days: int
) -> str:
    """The token of a link to check `check_id` (LookupError when there is no such check)."""
    found = await _owner_and_start(session, check_id)
    if found is None:
        raise LookupError(check_id)
    owner_id, started = found
    return sign_link(
        key, check_id=check_id, owner_id=owner_id, started=started, now=now, days=days
    )


async def report_by_link(
    session: AsyncSession, key: bytes, token: str, *, now: datetime, with_diff: bool = True
) -> OwnedCheck:
    """The check a valid link names; `FileNotFoundForUserError` for a malformed, changed or
    expired token, or a check that is gone (its person forgotten)."""
    claim = read_link(token)
    found = None if claim is None else await _owner_and_start(session, claim.check_id)
    if claim is None or found is None:
        raise FileNotFoundForUserError
    owner_id, started = found
    if not link_is_valid(key, claim, owner_id=owner_id, started=started, now=now):
        raise FileNotFoundForUserError
    return await own_check_report(session, owner_id, claim.check_id, with_diff=with_diff)
