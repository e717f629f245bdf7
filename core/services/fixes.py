"""Autofix, previewed before it is applied: ruff's fixes of a checked version, with the rules
that check ran with; the fixed file handed out, or saved as the file's next version."""

import difflib
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NothingToFixError
from core.models import FileStatus
from core.review import Issue
from core.ruff_config import ReviewConfig
from core.services import files
from core.services.quotas import StorageLimits
from core.services.reports import check_config, own_check
from core.services.uploads import check_content


@dataclass(frozen=True)
class FixOutcome:
    """What ruff's fixes and `ruff format` made of a source."""

    fixed: bytes
    issues_before: int
    remaining: list[Issue]
    unsafe_available: int  # remaining issues that ruff could fix with unsafe fixes
    formatted: bool  # False when `ruff format` could not run (a syntax error)


class Fixer(Protocol):
    async def fix(
        self, key: int, source: bytes, config: ReviewConfig, *, unsafe: bool
    ) -> FixOutcome:
        """Fix `source` (ruff names it after `key`) with `config`; never touches storage."""


@dataclass(frozen=True)
class FixPreview:
    check_id: int
    file_id: int
    file_name: str
    version: int
    unsafe: bool
    original: bytes
    outcome: FixOutcome
    # The file's current version, when the fix can be saved as the next one (the file is
    # active and the fixed version is its newest); None otherwise.
    current_version: int | None

    @property
    def changed(self) -> bool:
        return self.outcome.fixed != self.original

    @property
    def fixed_count(self) -> int:
        return max(0, self.outcome.issues_before - len(self.outcome.remaining))

    def diff(self) -> str:
        """The unified diff from the stored version to the fixed one, as a patch tool reads it
        (a last line without its newline is marked as such)."""
        name = self.file_name
        lines = difflib.unified_diff(
            self.original.decode("utf-8-sig").splitlines(keepends=True),
            self.outcome.fixed.decode("utf-8-sig").splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
        return "".join(
            line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
            for line in lines
        )


async def preview_fix(
    session: AsyncSession, user_id: int, check_id: int, fixer: Fixer, *, unsafe: bool
) -> FixPreview:
    """The fixes of the version a check of the user's looked at, with that check's rules."""
    owned = await own_check(session, user_id, check_id)
    config = await check_config(session, owned.check)
    outcome = await fixer.fix(owned.version.id, owned.version.content, config, unsafe=unsafe)
    file = owned.file
    savable = file.status != FileStatus.DELETED and file.current_version == owned.version.number
    return FixPreview(
        check_id=check_id,
        file_id=file.id,
        file_name=file.name,
        version=owned.version.number,
        unsafe=unsafe,
        original=owned.version.content,
        outcome=outcome,
        current_version=file.current_version if savable else None,
    )


async def save_fix(
    session: AsyncSession,
    uploader: files.Uploader,
    check_id: int,
    fixer: Fixer,
    *,
    unsafe: bool,
    max_bytes: int,
    limits: StorageLimits,
) -> files.StoredUpload:
    """Store the fixed file as the next version of its file (checked like any upload); only
    while the fixed version is still the file's newest, and within the upload limit."""
    preview = await preview_fix(session, uploader.user_id, check_id, fixer, unsafe=unsafe)
    if not preview.changed:
        raise NothingToFixError
    check_content(preview.outcome.fixed, max_bytes)  # formatting can make a file longer
    # The file must still be active and at the fixed version (else NewerVersionError).
    return await files.store_upload(
        session,
        uploader,
        name=preview.file_name,
        content=preview.outcome.fixed,
        telegram_file_id=None,
        limits=limits,
        target_file_id=preview.file_id,
        expected_version=preview.version,
    )
