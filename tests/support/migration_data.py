"""Filling a database at an old revision and reading every row back, with the columns that
revision has (read from the database itself, not from today's models)."""

import asyncio
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import Connection

from infra.database import build_engine
from infra.migrate import alembic_config
from tests.migration_fixtures import Rows

Dump = dict[str, list[dict[str, Any]]]


async def migrate_to(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


def _tables(connection: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def _insert(connection: Connection, rows: Rows) -> None:
    tables = _tables(connection)
    names = {table.name for table in tables}
    assert set(rows) == names, f"the fixture misses {names - set(rows)}, adds {set(rows) - names}"
    for table in tables:  # parents first: foreign keys are on while filling
        columns = set(table.columns.keys())
        for row in rows[table.name]:
            assert set(row) == columns, f"{table.name}: give exactly the columns {columns}"
        connection.execute(table.insert(), rows[table.name])


def _dump(connection: Connection) -> Dump:
    return {
        table.name: [
            dict(row._mapping)
            for row in connection.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in _tables(connection)
    }


async def fill(database_url: str, rows: Rows) -> None:
    engine = build_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_insert, rows)
    finally:
        await engine.dispose()


async def dump(database_url: str) -> Dump:
    engine = build_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_dump)
    finally:
        await engine.dispose()


def counts(rows: Dump) -> dict[str, int]:
    return {table: len(table_rows) for table, table_rows in sorted(rows.items())}
