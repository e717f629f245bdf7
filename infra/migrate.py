"""Running Alembic from code, with the URL given rather than read from alembic.ini; and what
makes a migration safe on SQLite (foreign keys off while tables are rebuilt, checked after)."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

PROJECT_DIR = Path(__file__).resolve().parent.parent
# How many violating rows the error names (all of them are counted).
SHOWN_VIOLATIONS = 10


class ForeignKeyViolationError(Exception):
    """A migration left rows pointing at rows that do not exist: it was rolled back."""


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migrations found"
    return head


def upgrade_to_head(database_url: str) -> None:
    """Blocking: call it outside a running event loop, or through `asyncio.to_thread`."""
    command.upgrade(alembic_config(database_url), "head")


def downgrade_to(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def make_sqlite_engine_safe_to_migrate(engine: AsyncEngine) -> None:
    """Foreign keys off on every connection of this engine, and real transactions around DDL.

    Alembic's batch mode rebuilds a SQLite table by copy, drop and rename; with foreign keys on,
    the drop fires every ON DELETE CASCADE and SET NULL pointing at the table and empties the
    tables below it. `PRAGMA foreign_keys` is ignored inside a transaction, so it is set when
    the connection opens, before anything begins. Python's sqlite3 would also commit DDL as it
    goes; here the driver is left in autocommit and SQLAlchemy emits BEGIN itself, so the whole
    upgrade is one transaction that a failed check rolls back (SQLite's own recipe for schema
    changes: https://www.sqlite.org/lang_altertable.html#otheralter).
    """
    event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    event.listen(engine.sync_engine, "begin", _begin)


def _foreign_keys_off(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # the driver begins nothing; _begin does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def check_foreign_keys(connection: Connection) -> None:
    """Raise ForeignKeyViolationError naming the rows whose parent is missing, if any."""
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
        raise ForeignKeyViolationError("foreign keys are on during a SQLite migration")
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if not violations:
        return
    shown = "; ".join(
        f"{table} rowid {rowid} -> {parent} (constraint {index})"
        for table, rowid, parent, index in violations[:SHOWN_VIOLATIONS]
    )
    more = len(violations) - SHOWN_VIOLATIONS
    raise ForeignKeyViolationError(
        f"the migration would leave {len(violations)} rows pointing at missing rows, so it "
        f"was rolled back: {shown}{f' and {more} more' if more > 0 else ''}"
    )
