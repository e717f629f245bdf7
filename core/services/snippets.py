"""Pasted code: a code block sent in the chat is stored as the person's next `snippet-<n>.py`,
or as the next version of their file that the message it replies to names.

It goes through the same rules as a document (`uploads.check_content`, the storage limits and
the race handling of `files.store_upload`) and wakes the check job the same way; from there it
is a file like any other (result, report, history).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FileNameTakenError
from core.models import Check, File, FileStatus, FileVersion
from core.ports import Wakeup
from core.services import files, quotas, uploads

# `snippet-<n>.py` with n as numbers are written (no sign, no leading zero) and of at most
# ten digits, so that the next name always fits a file name.
SNIPPET_NAME = re.compile(r"snippet-([1-9][0-9]{0,9})\.py")
# Two pastes racing for one name: the loser takes the next number. More losses in a row than
# this can only be a bug; the error is then answered like any unexpected one.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class RepliedTo:
    """What the buttons of the bot's message that the code replies to name: checks (a result,
    a report) and files (a card, a history). Read from the message, so never trusted."""

    check_ids: frozenset[int] = frozenset()
    file_ids: frozenset[int] = frozenset()


def snippet_name(number: int) -> str:
    return f"snippet-{number}.py"


def highest_snippet_number(names: Iterable[str]) -> int:
    """The highest n among names `snippet-<n>.py` (0 when there is none)."""
    numbers = (SNIPPET_NAME.fullmatch(name) for name in names)
    return max((int(found[1]) for found in numbers if found is not None), default=0)


async def next_snippet_number(session: AsyncSession, user_id: int) -> int:
    """1 + the highest n of the person's files ever named `snippet-<n>.py`, deleted ones
    included, so that a number is never given twice."""
    names = await session.scalars(
        select(File.name).where(File.user_id == user_id, File.name.like("snippet-%.py"))
    )
    return highest_snippet_number(names) + 1


async def replied_file(session: AsyncSession, user_id: int, replied: RepliedTo) -> int | None:
    """The one active file of this person that the replied-to buttons name (directly, or by
    one of its checks); None when they name none of theirs, or several. Ids of anyone else's
    files or checks are not theirs, so they name nothing."""
    found: set[int] = set()
    active = (File.user_id == user_id, File.status != FileStatus.DELETED)
    if replied.check_ids:
        found.update(
            await session.scalars(
                select(File.id)
                .join(FileVersion, FileVersion.file_id == File.id)
                .join(Check, Check.version_id == FileVersion.id)
                .where(Check.id.in_(sorted(replied.check_ids)), *active)
            )
        )
    if replied.file_ids:
        found.update(
            await session.scalars(
                select(File.id).where(File.id.in_(sorted(replied.file_ids)), *active)
            )
        )
    return found.pop() if len(found) == 1 else None


async def store_snippet(
    session: AsyncSession,
    uploader: files.Uploader,
    code: bytes,
    *,
    limits: quotas.StorageLimits,
    max_bytes: int,
    wakeup: Wakeup,
    replied: RepliedTo | None = None,
) -> files.StoredUpload:
    """Store pasted code: the next version of the file `replied` names (see `replied_file`),
    else a new file `snippet-<n>.py`; then wake the check job. Refused as a document would be:
    `UploadRefusedError` (too large, NUL bytes, not UTF-8), `StorageFullError`."""
    uploads.check_content(code, max_bytes)
    target = None if replied is None else await replied_file(session, uploader.user_id, replied)
    if target is not None:
        stored = await files.store_upload(
            session,
            uploader,
            name=await files.get_file_name(session, uploader.user_id, target),
            content=code,
            telegram_file_id=None,
            limits=limits,
            target_file_id=target,
        )
    else:
        stored = await _store_new_snippet(session, uploader, code, limits)
    await wakeup.notify()
    return stored


async def _store_new_snippet(
    session: AsyncSession, uploader: files.Uploader, code: bytes, limits: quotas.StorageLimits
) -> files.StoredUpload:
    number, attempts = 0, 0
    while True:
        # Past the highest number stored now, and past the one that lost a race.
        number = max(number + 1, await next_snippet_number(session, uploader.user_id))
        attempts += 1
        try:
            return await files.store_upload(
                session,
                uploader,
                name=snippet_name(number),
                content=code,
                telegram_file_id=None,
                limits=limits,
                new_file_only=True,
            )
        except FileNameTakenError:
            if attempts >= MAX_ATTEMPTS:
                raise
