"""Async Alembic environment: the URL comes from the caller or from settings."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from core.config import Settings
from core.models import Base, UtcDateTime
from infra.database import build_engine
from infra.migrate import check_foreign_keys, make_sqlite_engine_safe_to_migrate

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    """Render our UTC timestamp type as a plain timezone-aware DateTime in revisions."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _database_url() -> str:
    url = config.attributes.get("database_url")
    return url if isinstance(url, str) else Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=_render_item,
        # On SQLite too: every revision of one upgrade (or downgrade) in one transaction, which
        # the foreign key check below commits or rolls back as a whole.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            check_foreign_keys(connection)


async def run_migrations_online() -> None:
    engine = build_engine(_database_url())
    if engine.dialect.name == "sqlite":
        # Foreign keys off while batch mode rebuilds tables (see infra/migrate.py).
        make_sqlite_engine_safe_to_migrate(engine)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
