"""Migrations: a stairway up and down every revision, and a schema that matches the models."""

import asyncio

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from infra.database import build_engine
from infra.migrate import alembic_config
from tests.support.stack import Stack


async def _tables(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_every_revision_upgrades_downgrades_and_upgrades_again(stack: Stack) -> None:
    config = alembic_config(stack.database_url)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    assert revisions, "no migrations found"
    await asyncio.to_thread(command.downgrade, config, "base")
    assert await _tables(stack.database_url) == set()
    for revision in revisions:
        await asyncio.to_thread(command.upgrade, config, revision.revision)
        below = revision.down_revision
        await asyncio.to_thread(
            command.downgrade, config, below if isinstance(below, str) else "base"
        )
        await asyncio.to_thread(command.upgrade, config, revision.revision)
    assert "files" in await _tables(stack.database_url)


async def test_models_and_migrations_agree(stack: Stack) -> None:
    config = alembic_config(stack.database_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    # `alembic check` raises when autogenerate would produce any operation.
    await asyncio.to_thread(command.check, config)
