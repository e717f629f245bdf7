"""Pruning: what is kept only for a while goes after PRUNE_AFTER_HOURS.

- email confirmations that were used, or expired, that long ago (a code's hourly limits look
  back one hour only, so nothing that counts is lost);
- the `.eml` files the file mailer wrote into MAIL_DIR (when SMTP_HOST is empty) that long ago.

The job runs hourly in the worker's scheduler (`reviewbot run` and `reviewbot worker`); running
it twice, or in two processes at once, deletes nothing more. FSM state in Redis needs no job: it
is written with a TTL of the same length (see `bot.app.build_storage`).
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_
from sqlalchemy.engine import CursorResult

from core.clock import SYSTEM_CLOCK, Clock
from core.models import EmailConfirmation
from infra.database import SessionFactory, is_outage

logger = logging.getLogger(__name__)

PRUNE_INTERVAL = timedelta(hours=1)
MAIL_SUFFIX = ".eml"


@dataclass(frozen=True)
class Pruned:
    confirmations: int
    mail_files: int


async def prune_confirmations(session_factory: SessionFactory, before: datetime) -> int:
    """Delete the confirmations used or expired before `before`; how many went."""
    async with session_factory() as session:
        result = await session.execute(
            delete(EmailConfirmation).where(
                or_(
                    EmailConfirmation.confirmed_at < before,
                    EmailConfirmation.expires_at < before,
                )
            )
        )
        await session.commit()
    assert isinstance(result, CursorResult)  # a DELETE's result
    return result.rowcount


def prune_mail_files(folder: Path, before: datetime) -> int:
    """Delete the `.eml` files in `folder` last written before `before`; how many went. Other
    files, and folders, stay; a file gone meanwhile is skipped."""
    if not folder.is_dir():
        return 0
    cutoff = before.timestamp()
    removed = 0
    for path in folder.iterdir():
        if path.suffix != MAIL_SUFFIX:
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


class PruningJob:
    """One pruning run; `mail_dir` is None when mail goes by SMTP (no files are written)."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        keep: timedelta,
        mail_dir: Path | None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._session_factory = session_factory
        self._keep = keep
        self._mail_dir = mail_dir
        self._clock = clock

    async def run(self) -> Pruned:
        before = self._clock.now() - self._keep
        confirmations = 0
        try:
            confirmations = await prune_confirmations(self._session_factory, before)
        except asyncio.CancelledError:
            # The process is stopping (a SIGTERM right after start, when pruning runs first):
            # nothing is lost, the next start prunes again. Not a traceback in the log.
            logger.info("pruning stopped: the process is stopping")
            return Pruned(0, 0)
        except Exception as error:
            if not is_outage(error):
                raise
            logger.warning("pruning skipped the confirmations: the database is away (%s)", error)
        mail_files = 0
        if self._mail_dir is not None:
            mail_files = await asyncio.to_thread(prune_mail_files, self._mail_dir, before)
        if confirmations or mail_files:
            logger.info(
                "pruned %s email confirmations and %s mail files older than %s",
                confirmations,
                mail_files,
                self._keep,
            )
        return Pruned(confirmations=confirmations, mail_files=mail_files)
