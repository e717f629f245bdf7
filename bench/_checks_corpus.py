"""The corpus of the check benchmarks: every `.py` file of the running interpreter's standard
library that the bot would accept, loaded into a fresh database as pending versions of a few
people, as the bot stores uploads (a file, its first version and its upload event)."""

import asyncio
import hashlib
import os
import secrets
import sysconfig
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import func, insert, select

from core.errors import UploadRefusedError
from core.models import (
    CheckState,
    File,
    FileEvent,
    FileEventKind,
    FileStatus,
    FileVersion,
    TelegramAccount,
    User,
    utcnow,
)
from core.services.uploads import check_content
from infra.database import SessionFactory
from infra.migrate import upgrade_to_head

MAX_UPLOAD_BYTES = 1_048_576
# Installed packages live under the standard library's folder in some installations.
_NOT_STDLIB = {"site-packages", "dist-packages"}
# Files are read from disk and inserted this many at a time: the loader never holds the corpus.
LOAD_CHUNK = 100


def postgres_admin_url() -> str:
    """Where benchmark databases are made: BENCH_POSTGRES_URL, else the tests' server."""
    return os.environ.get(
        "BENCH_POSTGRES_URL",
        os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )


def stdlib_corpus(limit: int | None = None) -> list[Path]:
    """The standard library's `.py` files the bot would accept, in a stable order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    accepted: list[Path] = []
    for path in sorted(root.rglob("*.py")):
        if _NOT_STDLIB & set(path.relative_to(root).parts) or not path.is_file():
            continue
        try:
            check_content(path.read_bytes(), MAX_UPLOAD_BYTES)
        except UploadRefusedError:
            continue
        accepted.append(path)
        if limit is not None and len(accepted) >= limit:
            break
    return accepted


def _chunks(paths: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(paths), size):
        yield paths[start : start + size]


async def load_pending(
    session_factory: SessionFactory, paths: Sequence[Path], *, people: int = 4
) -> list[int]:
    """Registered people (Telegram ids 1001, 1002, …) owning these files, spread round-robin,
    each a pending first version; returns the people's Telegram ids."""
    telegram_ids = [1001 + n for n in range(people)]
    async with session_factory() as session:
        accounts: list[tuple[int, int, int]] = []  # user id, account id, telegram id
        for telegram_id in telegram_ids:
            user = User(email=f"bench{telegram_id}@example.com", email_confirmed_at=utcnow())
            session.add(user)
            await session.flush()
            account = TelegramAccount(
                telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id
            )
            session.add(account)
            await session.flush()
            accounts.append((user.id, account.id, telegram_id))
        await session.commit()
    position = 0
    for chunk in _chunks(paths, LOAD_CHUNK):
        async with session_factory() as session:
            owners = [accounts[(position + n) % people] for n in range(len(chunk))]
            names = [f"{position + n:04d}_{path.name}" for n, path in enumerate(chunk)]
            file_ids = list(
                await session.scalars(
                    insert(File).returning(File.id, sort_by_parameter_order=True),
                    [
                        {"user_id": user_id, "name": name, "status": FileStatus.NEW}
                        for (user_id, _account, _tg), name in zip(owners, names, strict=True)
                    ],
                )
            )
            rows = []
            for file_id, (_user, account_id, _tg), path in zip(
                file_ids, owners, chunk, strict=True
            ):
                content = await asyncio.to_thread(path.read_bytes)
                rows.append(
                    {
                        "file_id": file_id,
                        "number": 1,
                        "content": content,
                        "size": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "uploaded_by": account_id,
                        "check_state": CheckState.PENDING,
                    }
                )
            version_ids = list(
                await session.scalars(
                    insert(FileVersion).returning(FileVersion.id, sort_by_parameter_order=True),
                    rows,
                )
            )
            await session.execute(
                insert(FileEvent),
                [
                    {
                        "file_id": file_id,
                        "version_id": version_id,
                        "kind": FileEventKind.UPLOAD,
                        "telegram_id": telegram_id,
                    }
                    for file_id, version_id, (_u, _a, telegram_id) in zip(
                        file_ids, version_ids, owners, strict=True
                    )
                ],
            )
            await session.commit()
        position += len(chunk)
    return telegram_ids


async def pending_count(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(FileVersion)
            .where(FileVersion.check_state.in_([CheckState.PENDING, CheckState.CLAIMED]))
        )
        return count or 0


async def migrate(database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, database_url)


@asynccontextmanager
async def fresh_database(folder: Path, *, sqlite: bool) -> AsyncIterator[str]:
    """A migrated, empty database: a SQLite file in `folder`, or a PostgreSQL database with a
    random name, dropped afterwards. Yields its SQLAlchemy URL."""
    if sqlite:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        await migrate(url)
        yield url
        return
    name = f"reviewbot_bench_{secrets.token_hex(4)}"
    admin_url = postgres_admin_url()
    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0]
        url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        await migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
