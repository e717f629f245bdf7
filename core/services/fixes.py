"""Autofix, previewed before it is applied: ruff's fixes of a checked version, with the rules
that check ran with; the fixed file handed out, or saved as the file's next version.

ruff runs with no database connection held (the session's transaction ends before it), at
most one run per person at a time and a few per process (`FixGate`, docs/fix-limits.md)."""

import asyncio
import difflib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


# How long a press waits for one of the process's fix slots before it is told to try again:
# well within the 15 s Telegram gives the bot to answer a button.
SLOT_WAIT_SECONDS = 5.0


class FixNotStartedError(Exception):
    """The fix did not run; the bot answers the press where it was made."""


class FixInProgressError(FixNotStartedError):
    """The person's previous fix is still running."""


class FixesBusyError(FixNotStartedError):
    """Every fix slot of the process stayed taken for SLOT_WAIT_SECONDS."""


class FixGate:
    """One fix run per person at a time, and at most `per_process` runs at once in the
    process: past that, a run waits up to `wait_seconds` for a slot, then is refused."""

    def __init__(self, per_process: int, wait_seconds: float = SLOT_WAIT_SECONDS) -> None:
        self._slots = asyncio.Semaphore(per_process)
        self._wait_seconds = wait_seconds
        self._running: set[int] = set()

    @asynccontextmanager
    async def run(self, user_id: int) -> AsyncIterator[None]:
        """Raises `FixInProgressError` at once while the person's previous run goes on
        (waiting for a slot counts), `FixesBusyError` when no slot frees in time."""
        if user_id in self._running:
            raise FixInProgressError
        self._running.add(user_id)
        try:
            try:
                async with asyncio.timeout(self._wait_seconds):
                    await self._slots.acquire()
            except TimeoutError:
                raise FixesBusyError from None
            try:
                yield
            finally:
                self._slots.release()
        finally:
            self._running.discard(user_id)


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
    diff: str  # see `unified_diff`; empty when nothing changed

    @property
    def changed(self) -> bool:
        return self.outcome.fixed != self.original

    @property
    def fixed_count(self) -> int:
        return max(0, self.outcome.issues_before - len(self.outcome.remaining))


def unified_diff(name: str, original: bytes, fixed: bytes) -> str:
    """The unified diff from the stored version to the fixed one, as a patch tool reads it
    (a last line without its newline is marked as such)."""
    lines = difflib.unified_diff(
        original.decode("utf-8-sig").splitlines(keepends=True),
        fixed.decode("utf-8-sig").splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
        for line in lines
    )


async def preview_fix(
    session: AsyncSession,
    user_id: int,
    check_id: int,
    fixer: Fixer,
    gate: FixGate,
    *,
    unsafe: bool,
) -> FixPreview:
    """The fixes of the version a check of the user's looked at, with that check's rules.

    Ends the session's transaction before ruff runs, so that no pooled connection waits on
    it; a later query of the session opens a new one."""
    owned = await own_check(session, user_id, check_id)
    config = await check_config(session, owned.check)
    file, version, original = owned.file, owned.version, owned.version.content
    savable = file.status != FileStatus.DELETED and file.current_version == version.number
    await session.commit()  # the connection goes back to the pool (the rows stay loaded)
    async with gate.run(user_id):
        outcome = await fixer.fix(version.id, original, config, unsafe=unsafe)
        diff = ""
        if outcome.fixed != original:
            diff = await asyncio.to_thread(unified_diff, file.name, original, outcome.fixed)
    return FixPreview(
        check_id=check_id,
        file_id=file.id,
        file_name=file.name,
        version=version.number,
        unsafe=unsafe,
        original=original,
        outcome=outcome,
        current_version=file.current_version if savable else None,
        diff=diff,
    )


async def save_fix(
    session: AsyncSession,
    uploader: files.Uploader,
    check_id: int,
    fixer: Fixer,
    gate: FixGate,
    *,
    unsafe: bool,
    max_bytes: int,
    limits: StorageLimits,
) -> files.StoredUpload:
    """Store the fixed file as the next version of its file (checked like any upload); only
    while the fixed version is still the file's newest, and within the upload limit."""
    preview = await preview_fix(session, uploader.user_id, check_id, fixer, gate, unsafe=unsafe)
    if not preview.changed:
        raise NothingToFixError
    check_content(preview.outcome.fixed, max_bytes)  # formatting can make a file longer
    # A new transaction, for the write only. The file must still be active and at the fixed
    # version (else NewerVersionError).
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
