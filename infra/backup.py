"""Backups: of the embedded SQLite file with SQLite's online backup API (safe while the bot
runs), before an upgrade and on demand; for PostgreSQL, the `pg_dump` command to run."""

import glob
import logging
import shlex
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from infra.database import sqlite_path
from infra.migrate import head_revision

logger = logging.getLogger(__name__)

# Backups made before upgrades that stay beside the database; older ones are deleted.
BACKUPS_KEPT = 3
BACKUP_INFIX = ".backup-"


class NothingToBackUpError(Exception):
    """The database file named by the URL does not exist."""


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite file behind the URL, or None for PostgreSQL (and an in-memory database)."""
    return sqlite_path(make_url(database_url))


def back_up_sqlite(source: Path, target: Path) -> None:
    """Copy the database page by page with sqlite3's backup API: a consistent copy even while
    other processes write. The copy is written under a temporary name and renamed once
    complete, so a file with the final name is always a whole backup."""
    if not source.is_file():
        raise NothingToBackUpError(f"there is no database at {source}")
    partial = target.with_name(f"{target.name}.part")
    partial.unlink(missing_ok=True)
    with closing(_open_existing(source)) as db, closing(sqlite3.connect(partial)) as copy:
        db.backup(copy)
    partial.replace(target)


def _open_existing(path: Path) -> sqlite3.Connection:
    """mode=rw: never create a database as a side effect of looking at it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)


def stored_revision(path: Path) -> str | None:
    """The Alembic revision of the SQLite file; None if it holds no tables at all (a new file),
    "none" if it holds tables but no revision."""
    with closing(_open_existing(path)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            return "none"
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else "none"


def back_up_before_upgrade(database_url: str, now: datetime | None = None) -> Path | None:
    """Before migrating an existing SQLite file that is not at head: a backup beside it named
    `<file>.backup-<UTC time>-<revision>`, keeping the last BACKUPS_KEPT. Returns its path;
    None when there is nothing to keep (PostgreSQL, a new or empty file, already at head)."""
    path = sqlite_file(database_url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    revision = stored_revision(path)
    if revision is None or revision == head_revision():
        return None
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}Z"
    target = path.with_name(f"{path.name}{BACKUP_INFIX}{stamp}-{revision}")
    back_up_sqlite(path, target)
    for old in upgrade_backups(path)[:-BACKUPS_KEPT]:
        old.unlink()
        logger.info("deleted the old backup %s", old)
    return target


def upgrade_backups(path: Path) -> list[Path]:
    """The backups made before upgrades of this file, oldest first (the name sorts by time)."""
    pattern = f"{glob.escape(path.name)}{BACKUP_INFIX}*"
    return sorted(p for p in path.parent.glob(pattern) if not p.name.endswith(".part"))


def pg_dump_command(database_url: str, target: Path) -> str:
    """The `pg_dump` command that backs up this PostgreSQL database to `target` in pg_dump's
    custom format, without the password (pg_dump asks for it, or reads PGPASSWORD or
    ~/.pgpass)."""
    url = make_url(database_url)
    words = ["pg_dump", "--format=custom", "--no-owner"]
    if url.host:
        words.append(f"--host={url.host}")
    if url.port:
        words.append(f"--port={url.port}")
    if url.username:
        words.append(f"--username={url.username}")
    words += [f"--file={target}", f"--dbname={url.database or ''}"]
    return shlex.join(words)
