"""The check job judges a batch against its files' baselines in the transaction that writes it,
with as many queries for thirty files as for three (docs/baselines.md)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from checks import claims
from checks.check_rows import RuffRun
from core.models import Check, CheckResult, File, FileVersion, TelegramAccount, User, utcnow
from core.review import Issue
from core.services import baselines
from core.services.files import Uploader, store_upload
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from tests.support.pipeline import DEFAULT_LIMITS

OLD = b"a = missing_a\nb = missing_b\nc = missing_c\n"
MOVED = b"# moved\n" * 5 + OLD
NEW = MOVED + b"d = missing_d\n"


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine runs meanwhile."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _person(session_factory: SessionFactory, telegram_id: int) -> Uploader:
    async with session_factory() as session:
        user = User(email=f"judge{telegram_id}@example.com", email_confirmed_at=utcnow())
        session.add(user)
        await session.flush()
        account = TelegramAccount(telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id)
        session.add(account)
        await session.commit()
        return Uploader(user_id=user.id, account_id=account.id, telegram_id=telegram_id)


async def _upload(session_factory: SessionFactory, who: Uploader, files: dict[str, bytes]) -> None:
    async with session_factory() as session:
        for name, content in files.items():
            await store_upload(
                session, who, name=name, content=content, telegram_file_id=None,
                limits=DEFAULT_LIMITS,
            )  # fmt: skip


async def _check_pending(session_factory: SessionFactory, engine: AsyncEngine) -> list[str]:
    """Claim and check every pending version in one batch; the statements of its writing."""
    async with session_factory() as session:
        taken = await claims.claim_versions(
            session, worker_id="judge", max_versions=500, lease=timedelta(minutes=5)
        )
    runner = RuffRunner()
    found = await runner.check_batch({v.version_id: v.content for v in taken}, taken[0].config)
    run = RuffRun(taken[0].config, await runner.version(), utcnow())
    with counted(engine) as statements:
        async with session_factory() as session:
            written = await claims.record_results(
                session, worker_id="judge", run=run, results=found
            )
    assert len(written) == len(taken)
    return statements


async def _judged_batch(
    session_factory: SessionFactory, engine: AsyncEngine, telegram_id: int, count: int
) -> list[str]:
    """`count` files with a baseline at version 1, whose version 2 (moved, half with a new
    issue) is checked in one batch; the statements that batch's writing took."""
    who = await _person(session_factory, telegram_id)
    names = [f"t{telegram_id}_{n}.py" for n in range(count)]
    await _upload(session_factory, who, dict.fromkeys(names, OLD))
    await _check_pending(session_factory, engine)
    async with session_factory() as session:
        file_ids = list(await session.scalars(select(File.id).where(File.user_id == who.user_id)))
        for file_id in file_ids:
            assert (await baselines.accept_current(session, who.user_id, file_id)).accepted == 3
    await _upload(
        session_factory, who, {name: NEW if n % 2 else MOVED for n, name in enumerate(names)}
    )
    statements = await _check_pending(session_factory, engine)

    async with session_factory() as session:
        rows = (
            await session.execute(
                select(File.name, Check)
                .join(FileVersion, FileVersion.id == Check.version_id)
                .join(File, File.id == FileVersion.file_id)
                .where(File.user_id == who.user_id, FileVersion.number == 2)
            )
        ).all()
    assert len(rows) == count
    for name, check in rows:
        has_new = names.index(name) % 2 == 1
        assert check.baseline_version == 1
        assert check.accepted_count == 3
        assert check.result is (CheckResult.FAILED if has_new else CheckResult.PASSED)
        issues = [Issue.from_json(item) for item in check.issues]
        assert [i.line for i in issues if not i.accepted] == ([9] if has_new else [])
        assert [i.line for i in issues if i.accepted] == [6, 7, 8]
    return statements


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith("INSERT")]


async def test_a_batch_of_many_files_is_judged_with_as_many_queries_as_a_few(
    session_factory: SessionFactory, engine: AsyncEngine
) -> None:
    # The reads and updates of the writing (SQLite sends a bulk INSERT … RETURNING a row at a
    # time; PostgreSQL in one statement: the inserts are not what is measured here).
    few = _reads(await _judged_batch(session_factory, engine, 501, 3))
    many = _reads(await _judged_batch(session_factory, engine, 502, 30))
    assert len(many) == len(few), (few, many)
    judging = [s for s in many if "file_baselines" in s]
    assert len(judging) == 1  # the batch's baselines, their checks and sources: one query


async def test_files_without_a_baseline_are_not_judged(
    session_factory: SessionFactory, engine: AsyncEngine
) -> None:
    who = await _person(session_factory, 503)
    await _upload(session_factory, who, {"plain.py": OLD})
    await _check_pending(session_factory, engine)
    await _upload(session_factory, who, {"plain.py": NEW})
    await _check_pending(session_factory, engine)
    async with session_factory() as session:
        judged = list(await session.execute(select(Check.baseline_version, Check.accepted_count)))
    assert [tuple(row) for row in judged] == [(None, 0), (None, 0)]
