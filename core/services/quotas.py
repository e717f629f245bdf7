"""Storage per person: at most MAX_FILES_PER_USER active files and MAX_STORED_BYTES_PER_USER
bytes of stored versions (see docs/storage-limits.md).

Bytes count every stored version of the person's files, old versions too. Deleting a file
drops the content of its versions (their rows, checks and events stay, so its reports stay
readable without source lines), so a deleted file takes no room and the bound holds.

The check that stores an upload holds a lock on the person's user row from before it counts
until it commits, so two uploads of one person take turns and cannot both pass on the same
count.
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import StorageFullError, StorageLimit
from core.models import File, FileStatus, FileVersion, User


@dataclass(frozen=True)
class StorageLimits:
    max_files: int
    max_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> "StorageLimits":
        return cls(
            max_files=settings.max_files_per_user, max_bytes=settings.max_stored_bytes_per_user
        )


@dataclass(frozen=True)
class StorageUse:
    files: int  # active (not deleted) files
    bytes: int  # every version of the active files (a deleted file's content is dropped)


async def storage_use(session: AsyncSession, user_id: int) -> StorageUse:
    active_files = (
        select(func.count())
        .select_from(File)
        .where(File.user_id == user_id, File.status != FileStatus.DELETED)
        .scalar_subquery()
    )
    stored_bytes = (
        select(func.coalesce(func.sum(FileVersion.size), 0))
        .join(File, File.id == FileVersion.file_id)
        .where(File.user_id == user_id, File.status != FileStatus.DELETED)
        .scalar_subquery()
    )
    row = (await session.execute(select(active_files, stored_bytes))).one()
    return StorageUse(files=int(row[0]), bytes=int(row[1]))


def refuse_if_full(
    use: StorageUse, limits: StorageLimits, *, new_file: bool, adding_bytes: int
) -> None:
    """`StorageFullError` when a new file would be one too many, or the bytes would pass the
    limit. A replacement is no new file; its version's bytes count like any other."""
    if new_file and use.files >= limits.max_files:
        raise StorageFullError(StorageLimit.FILES, used=use.files, limit=limits.max_files)
    if use.bytes + adding_bytes > limits.max_bytes:
        raise StorageFullError(
            StorageLimit.BYTES, used=use.bytes, limit=limits.max_bytes, adding=adding_bytes
        )


async def check_room(
    session: AsyncSession,
    user_id: int,
    limits: StorageLimits,
    *,
    name: str,
    target_file_id: int | None,
    declared_size: int | None,
) -> None:
    """Before the document is downloaded: refuse what is known to be too much already (a new
    file past the file limit, a declared size past the byte limit). Storing checks again, under
    the lock, with the real size."""
    new_file = target_file_id is None and not await _has_active_file(session, user_id, name)
    use = await storage_use(session, user_id)
    refuse_if_full(use, limits, new_file=new_file, adding_bytes=declared_size or 0)


async def lock_owner(session: AsyncSession, user_id: int) -> None:
    """Uploads of one person wait here for each other until the holder's transaction ends.
    PostgreSQL: a row lock on the user (FOR NO KEY UPDATE, so rows that refer to the user can
    still be inserted). SQLite has no row locks: a write to the row takes the database's write
    lock now, before anything is counted (other writers wait for it, up to busy_timeout)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(User.id).where(User.id == user_id).with_for_update(key_share=True)
        )
    else:
        await session.execute(update(User).where(User.id == user_id).values(id=User.id))


async def _has_active_file(session: AsyncSession, user_id: int, name: str) -> bool:
    found = await session.scalar(
        select(File.id).where(
            File.user_id == user_id, File.name == name, File.status != FileStatus.DELETED
        )
    )
    return found is not None
