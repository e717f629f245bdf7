"""Upgrades keep data: a database filled at each revision, upgraded to head, still holds every
row, link and byte, on SQLite and PostgreSQL. See tests/migration_fixtures for the rule."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from infra.migrate import ForeignKeyViolationError, alembic_config
from tests.migration_fixtures import FIXTURES, NEW_COLUMN_DEFAULTS, rows_at
from tests.support.databases import fresh_postgres_database, sqlite_url
from tests.support.migration_data import Dump, counts, dump, fill, migrate_to

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@asynccontextmanager
async def _empty_database(backend: str, folder: Path) -> AsyncIterator[str]:
    if backend == SQLITE:
        yield sqlite_url(folder)
        return
    async with fresh_postgres_database() as url:
        yield url


def _without_new_columns(
    table: str, row: dict[str, Any], old: set[str], before: Dump
) -> dict[str, Any]:
    """The row as it was before the upgrade: each column added since must hold its default
    (or what its migration fills in)."""
    kept = {}
    for column, value in row.items():
        if column in old:
            kept[column] = value
            continue
        assert (table, column) in NEW_COLUMN_DEFAULTS, (
            f"{table}.{column} is new: add its default to NEW_COLUMN_DEFAULTS"
        )
        default = NEW_COLUMN_DEFAULTS[table, column]
        expected = default(row, before) if callable(default) else default
        assert value == expected, (table, column, row)
    return kept


def _assert_kept(before: Dump, after: Dump) -> None:
    assert set(before) <= set(after)
    for table, rows in before.items():
        old = set(rows[0]) if rows else set()
        kept = [_without_new_columns(table, row, old, before) for row in after[table]]
        assert kept == rows, f"rows of {table} changed"


def test_every_revision_has_its_fixture() -> None:
    missing = [revision for revision in _revisions() if revision not in FIXTURES]
    assert not missing, (
        f"revisions {missing} have no fixture in tests/migration_fixtures: every migration "
        "adds the rows a database holds at its revision, in the same change"
    )


@pytest.mark.parametrize("backend", [SQLITE, POSTGRESQL])
@pytest.mark.parametrize("revision", sorted(FIXTURES))
async def test_a_database_filled_at_a_revision_keeps_every_row_at_head(
    revision: str, backend: str, tmp_path: Path
) -> None:
    async with _empty_database(backend, tmp_path) as url:
        await migrate_to(url, revision)
        await fill(url, rows_at(revision))
        before = await dump(url)
        assert all(before.values()), f"a table is empty at {revision}: {counts(before)}"
        await migrate_to(url, "head")
        after = await dump(url)
        assert counts(after) == {**counts(after), **counts(before)}, "rows were lost"
        _assert_kept(before, after)


async def test_an_upgrade_leaving_a_dangling_row_fails_and_changes_nothing(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    await migrate_to(url, "0003")
    await fill(url, rows_at("0003"))
    with sqlite3.connect(tmp_path / "reviewbot.db") as connection:  # foreign keys off here
        connection.execute("UPDATE deliveries SET check_id = 999 WHERE id = 5")
    before = await dump(url)

    with pytest.raises(ForeignKeyViolationError, match=r"1 rows .* deliveries rowid 5 -> checks"):
        await migrate_to(url, "head")

    assert await dump(url) == before
    with sqlite3.connect(tmp_path / "reviewbot.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0003",)
        ]


@pytest.mark.parametrize("backend", [SQLITE, POSTGRESQL])
async def test_a_downgrade_to_the_oldest_fixture_keeps_every_row(
    backend: str, tmp_path: Path
) -> None:
    oldest = min(FIXTURES)
    async with _empty_database(backend, tmp_path) as url:
        await migrate_to(url, "head")
        await fill(url, rows_at(_revisions()[-1]))
        before = counts(await dump(url))
        await asyncio.to_thread(command.downgrade, alembic_config(url), oldest)
        assert counts(await dump(url)) == {
            table: count for table, count in before.items() if table in FIXTURES[oldest]()
        }
