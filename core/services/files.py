"""A user's files: storing uploads and replacements, listing, reading and deleting."""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import (
    FileNameTakenError,
    FileNotFoundForUserError,
    NewerVersionError,
    StorageFullError,
)
from core.models import File, FileEvent, FileEventKind, FileStatus, FileVersion, utcnow
from core.services import quotas, submissions
from core.services.accounts import AccountView
from core.services.submission_views import FileReview, file_reviews
from core.services.submissions import teams_to_submit_to

PAGE_SIZE = 8


@dataclass(frozen=True)
class StoredUpload:
    file_id: int
    name: str
    version: int
    replaced: bool


@dataclass(frozen=True)
class FileSummary:
    id: int
    name: str
    version: int
    status: FileStatus


@dataclass(frozen=True)
class FilePage:
    items: list[FileSummary]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class FileCard:
    id: int
    name: str
    version: int
    size: int
    uploaded_at: datetime
    status: FileStatus
    reviews: tuple[FileReview, ...] = ()  # its newest submission to each of the person's teams
    can_submit: bool = False  # the person is in a team: "📤 Send for review"


@dataclass(frozen=True)
class FileContent:
    name: str
    version: int
    content: bytes


@dataclass(frozen=True)
class Uploader:
    user_id: int
    account_id: int
    telegram_id: int

    @classmethod
    def of(cls, account: AccountView) -> "Uploader":
        """The registered person behind an account (NotRegisteredError otherwise)."""
        return cls(
            user_id=account.require_user_id(),
            account_id=account.account_id,
            telegram_id=account.telegram_id,
        )


async def store_upload(
    session: AsyncSession,
    uploader: Uploader,
    *,
    name: str,
    content: bytes,
    telegram_file_id: str | None,
    limits: quotas.StorageLimits,
    target_file_id: int | None = None,
    expected_version: int | None = None,
    new_file_only: bool = False,
) -> StoredUpload:
    """A new file, or a new version of the target file or of the active file with this name.
    With `expected_version`, the target must still be at that version (NewerVersionError).
    With `new_file_only`, an active file with this name is no target: FileNameTakenError.
    Past a storage limit, StorageFullError and nothing stored."""
    arguments = (name, content, telegram_file_id, limits, target_file_id, expected_version)
    try:
        return await _store_upload(session, uploader, *arguments, new_file_only)
    except IntegrityError:
        await session.rollback()
        if new_file_only:
            raise FileNameTakenError from None
        # Another upload of the same name won the race: this one becomes its replacement.
        return await _store_upload(session, uploader, *arguments, new_file_only)


async def _store_upload(
    session: AsyncSession,
    uploader: Uploader,
    name: str,
    content: bytes,
    telegram_file_id: str | None,
    limits: quotas.StorageLimits,
    target_file_id: int | None,
    expected_version: int | None,
    new_file_only: bool,
) -> StoredUpload:
    await quotas.lock_owner(session, uploader.user_id)  # held until the commit below
    file: File | None
    if target_file_id is not None:
        file = await _active_file(session, uploader.user_id, target_file_id, for_update=True)
        if expected_version is not None and file.current_version != expected_version:
            current = file.current_version
            await session.rollback()
            raise NewerVersionError(current)
    else:
        file = await session.scalar(
            select(File)
            .where(
                File.user_id == uploader.user_id,
                File.name == name,
                File.status != FileStatus.DELETED,
            )
            .with_for_update()
        )
        if file is not None and new_file_only:
            await session.rollback()
            raise FileNameTakenError
    replaced = file is not None
    try:
        use = await quotas.storage_use(session, uploader.user_id)
        quotas.refuse_if_full(use, limits, new_file=not replaced, adding_bytes=len(content))
    except StorageFullError:
        await session.rollback()
        raise
    if file is None:
        file = File(user_id=uploader.user_id, name=name, status=FileStatus.NEW, current_version=1)
        session.add(file)
    else:
        file.current_version += 1
        file.status = FileStatus.REPLACED
    await session.flush()
    version = FileVersion(
        file_id=file.id,
        number=file.current_version,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        telegram_file_id=telegram_file_id,
        uploaded_by=uploader.account_id,
    )
    session.add(version)
    await session.flush()
    session.add(
        FileEvent(
            file_id=file.id,
            version_id=version.id,
            kind=FileEventKind.REPLACE if replaced else FileEventKind.UPLOAD,
            telegram_id=uploader.telegram_id,
        )
    )
    await session.commit()
    return StoredUpload(
        file_id=file.id, name=file.name, version=file.current_version, replaced=replaced
    )


async def _active_file(
    session: AsyncSession, user_id: int, file_id: int, *, for_update: bool = False
) -> File:
    query = select(File).where(
        File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED
    )
    file = await session.scalar(query.with_for_update() if for_update else query)
    if file is None:
        raise FileNotFoundForUserError
    return file


async def list_files(
    session: AsyncSession, user_id: int, page: int, page_size: int = PAGE_SIZE
) -> FilePage:
    """One page of the user's active files, newest activity first. One query: the page's rows
    carry the total (a page past the end, which only old buttons ask for, counts apart)."""
    active = (File.user_id == user_id, File.status != FileStatus.DELETED)
    page = max(page, 0)
    rows = (
        await session.execute(
            select(
                File.id,
                File.name,
                File.current_version,
                File.status,
                func.count().over().label("total"),
            )
            .where(*active)
            .order_by(File.updated_at.desc(), File.id.desc())
            .limit(page_size)
            .offset(page * page_size)
        )
    ).all()
    if not rows and page > 0:  # past the end (files deleted since): the last page instead
        total = await session.scalar(select(func.count()).select_from(File).where(*active)) or 0
        last = max(1, math.ceil(total / page_size)) - 1
        return await list_files(session, user_id, last, page_size)
    total = rows[0].total if rows else 0
    items = [
        FileSummary(id=row.id, name=row.name, version=row.current_version, status=row.status)
        for row in rows
    ]
    return FilePage(
        items=items, page=page, pages=max(1, math.ceil(total / page_size)), total=total
    )


async def get_file_card(session: AsyncSession, user_id: int, file_id: int) -> FileCard:
    """The user's active file with its current version's size and time, and where it stands
    in review in each of the person's teams."""
    row = (
        await session.execute(
            select(
                File.id,
                File.name,
                File.current_version,
                File.status,
                FileVersion.size,
                FileVersion.uploaded_at,
            )
            .join(
                FileVersion,
                (FileVersion.file_id == File.id) & (FileVersion.number == File.current_version),
            )
            .where(File.id == file_id, File.user_id == user_id, File.status != FileStatus.DELETED)
        )
    ).first()
    if row is None:  # not theirs, deleted, or (never) without its current version
        raise FileNotFoundForUserError
    return FileCard(
        id=row.id,
        name=row.name,
        version=row.current_version,
        size=row.size,
        uploaded_at=row.uploaded_at,
        status=row.status,
        reviews=tuple(await file_reviews(session, user_id, row.id)),
        can_submit=bool(await teams_to_submit_to(session, user_id)),
    )


async def _current_version(session: AsyncSession, file: File) -> FileVersion:
    version = await session.scalar(
        select(FileVersion).where(
            FileVersion.file_id == file.id, FileVersion.number == file.current_version
        )
    )
    if version is None:  # a file always has its current version; guard the invariant anyway
        raise FileNotFoundForUserError
    return version


async def get_file_content(session: AsyncSession, user_id: int, file_id: int) -> FileContent:
    file = await _active_file(session, user_id, file_id)
    version = await _current_version(session, file)
    return FileContent(name=file.name, version=version.number, content=version.content)


async def get_file_name(session: AsyncSession, user_id: int, file_id: int) -> str:
    return (await _active_file(session, user_id, file_id)).name


async def delete_file(
    session: AsyncSession, user_id: int, file_id: int, *, telegram_id: int
) -> str:
    """Mark the file deleted and drop the content of its versions, which frees the person's
    storage (see core/services/quotas.py); its rows, checks and events stay, so its reports
    stay readable; its open submissions are withdrawn. Returns its name."""
    file = await _active_file(session, user_id, file_id, for_update=True)
    file.status = FileStatus.DELETED
    file.updated_at = utcnow()
    await session.execute(
        update(FileVersion)
        .where(FileVersion.file_id == file.id)
        .values(content=b"")
        .execution_options(synchronize_session=False)
    )
    session.add(FileEvent(file_id=file.id, kind=FileEventKind.DELETE, telegram_id=telegram_id))
    # Its content is gone: a review of it cannot go on (the reviewers are told).
    await submissions.withdraw_open(session, member_id=user_id, file_id=file.id)
    await session.commit()
    return file.name
