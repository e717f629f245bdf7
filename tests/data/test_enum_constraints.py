"""Every enum column's CHECK constraint, in a database migrated to head, allows exactly its
enum's values: a preset (or status) added in code without its migration fails here, not in
production when the first row with the new value is refused.

Enums are stored portably (core/models.py `_enum`): VARCHAR(16) plus a named CHECK constraint
`ck_<table>_<enum name>` listing the values (`native_enum=False`), on SQLite and PostgreSQL
alike. The columns are found in the models' metadata, so a new enum column is covered too.
"""

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum

from alembic import command
from sqlalchemy import Enum, text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import NAMING_CONVENTION, Base
from infra.database import build_engine
from infra.migrate import alembic_config
from tests.support.stack import Stack

LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class EnumColumn:
    table: str
    column: str
    constraint: str
    enum_class: type[StrEnum]
    length: int

    @property
    def values(self) -> set[str]:
        return {member.value for member in self.enum_class}


def enum_columns() -> list[EnumColumn]:
    """Every column of the models typed with a StrEnum, and the name its CHECK constraint
    gets from the naming convention."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if not isinstance(kind, Enum) or kind.enum_class is None:
                continue
            assert issubclass(kind.enum_class, StrEnum), f"{table.name}.{column.name}"
            assert kind.name is not None, f"{table.name}.{column.name} has an unnamed enum"
            assert kind.length is not None
            names = {"table_name": table.name, "constraint_name": kind.name}
            name = NAMING_CONVENTION["ck"] % names
            found.append(EnumColumn(table.name, column.name, name, kind.enum_class, kind.length))
    return found


def check_expression(table_sql: str, constraint: str) -> str | None:
    """The parenthesised expression of `CONSTRAINT <name> CHECK (...)` in SQLite's
    `CREATE TABLE` text (quotes and nested parentheses respected)."""
    match = re.search(rf"CONSTRAINT\s+\"?{re.escape(constraint)}\"?\s+CHECK\s*\(", table_sql)
    if match is None:
        return None
    depth, quoted = 1, False
    for index in range(match.end(), len(table_sql)):
        char = table_sql[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return table_sql[match.end() : index]
    return None


async def constraint_sql(connection: AsyncConnection, column: EnumColumn) -> str | None:
    if connection.dialect.name == "sqlite":
        table_sql = await connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": column.table},
        )
        return check_expression(table_sql or "", column.constraint)
    definition: str | None = await connection.scalar(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND conrelid = CAST(:table AS regclass) AND conname = :name"
        ),
        {"table": column.table, "name": column.constraint},
    )
    return definition


def allowed_values(expression: str) -> set[str]:
    """The string literals of the constraint: SQLite keeps `col IN ('a', 'b')`, PostgreSQL
    gives `((col)::text = ANY ((ARRAY['a'::character varying, ...])::text[]))`."""
    return {literal.replace("''", "'") for literal in LITERAL.findall(expression)}


def test_the_models_have_enum_columns() -> None:
    """The introspection finds the columns it is meant to guard (not a silent empty list)."""
    found = {(column.table, column.column) for column in enum_columns()}
    assert {("users", "rule_preset"), ("checks", "preset"), ("files", "status")} <= found


async def test_every_enum_check_constraint_allows_exactly_the_enum_values(stack: Stack) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(stack.database_url), "head")
    engine = build_engine(stack.database_url)
    wrong = []
    try:
        async with engine.connect() as connection:
            for column in enum_columns():
                where = f"{column.table}.{column.column} ({column.enum_class.__name__})"
                expression = await constraint_sql(connection, column)
                if expression is None:
                    wrong.append(f"{where}: no CHECK constraint {column.constraint}")
                    continue
                if column.column not in expression:
                    wrong.append(f"{where}: {column.constraint} does not name the column")
                allowed = allowed_values(expression)
                if allowed != column.values:
                    wrong.append(
                        f"{where}: the database allows {sorted(allowed)}, the code has "
                        f"{sorted(column.values)}; missing in the database: "
                        f"{sorted(column.values - allowed)}, no longer in the code: "
                        f"{sorted(allowed - column.values)}"
                    )
                too_long = sorted(value for value in column.values if len(value) > column.length)
                if too_long:
                    wrong.append(f"{where}: longer than VARCHAR({column.length}): {too_long}")
    finally:
        await engine.dispose()
    assert not wrong, (
        "An enum's values and its column's CHECK constraint differ. Write a migration that "
        "alters the column's type (see migrations/versions/*_0003_review_controls.py and "
        "docs/presets-and-limits.md), with its fixture in tests/migration_fixtures:\n"
        + "\n".join(wrong)
    )
