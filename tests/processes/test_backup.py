"""Backups: made beside an embedded database before it is upgraded (the last three kept), on
demand with `reviewbot backup PATH`, and restored by copying them back."""

import asyncio
import shlex
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from core.models import FileVersion, User
from infra.backup import back_up_before_upgrade, upgrade_backups
from infra.database import build_engine, build_session_factory
from infra.migrate import head_revision
from tests.migration_fixtures import rows_at
from tests.support.databases import fresh_postgres_database, sqlite_url
from tests.support.migration_data import dump, fill, migrate_to
from tests.support.processes import machine_environment, run_reviewbot


async def _reviewbot(folder: Path, *args: str, database_url: str) -> tuple[int, str]:
    environment = {
        **machine_environment(),
        "PYTHONUNBUFFERED": "1",
        "METRICS_PORT": "0",
        "DATABASE_URL": database_url,
    }
    return await run_reviewbot(folder, *args, environment=environment)


def _restore(backup: Path, database: Path) -> None:
    """What docs/data-safety.md tells the operator: with the bot stopped, the copy goes back in
    place of the file, and a write-ahead log left beside it goes away."""
    for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, database)


async def test_migrate_backs_up_an_old_database_beside_it_before_upgrading(
    tmp_path: Path,
) -> None:
    url, database = sqlite_url(tmp_path), tmp_path / "reviewbot.db"
    await migrate_to(url, "0002")
    await fill(url, rows_at("0002"))
    before = await dump(url)

    code, output = await _reviewbot(tmp_path, "migrate", database_url=url)

    assert code == 0, output
    [backup] = upgrade_backups(database)
    assert backup.name.startswith("reviewbot.db.backup-")
    assert backup.name.endswith("-0002")
    said = [line for line in output.splitlines() if "backed up" in line]
    assert len(said) == 1
    assert said[0].endswith(f"backed up the database to {backup} before upgrading it")
    assert (await dump(url))["files"] != []  # upgraded, and kept its rows
    _restore(backup, database)
    assert await dump(url) == before  # the backup is the database as it was at 0002


async def test_only_the_last_three_backups_before_upgrades_are_kept(tmp_path: Path) -> None:
    url, database = sqlite_url(tmp_path), tmp_path / "reviewbot.db"
    await migrate_to(url, "0003")
    start = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    made = [back_up_before_upgrade(url, start + timedelta(minutes=n)) for n in range(5)]

    assert upgrade_backups(database) == made[2:]
    assert [path.name for path in upgrade_backups(database)] == [
        "reviewbot.db.backup-20261205T190200.000Z-0003",
        "reviewbot.db.backup-20261205T190300.000Z-0003",
        "reviewbot.db.backup-20261205T190400.000Z-0003",
    ]


async def test_no_backup_for_a_new_database_or_one_already_at_head(tmp_path: Path) -> None:
    url, database = sqlite_url(tmp_path), tmp_path / "reviewbot.db"
    database.touch()  # an empty file, as a first start may leave
    assert back_up_before_upgrade(url) is None

    for _ in range(2):  # creates the schema, then finds it at head
        code, output = await _reviewbot(tmp_path, "migrate", database_url=url)
        assert code == 0, output
        assert "backed up" not in output
    assert upgrade_backups(database) == []


async def test_reviewbot_backup_writes_a_copy_that_restores_every_row(tmp_path: Path) -> None:
    url, database = sqlite_url(tmp_path / "var"), tmp_path / "var" / "reviewbot.db"
    await migrate_to(url, "head")
    rows = rows_at(head_revision())
    await fill(url, rows)
    before = await dump(url)

    code, output = await _reviewbot(tmp_path, "backup", "copy.db", database_url=url)

    assert code == 0, output
    assert output.strip() == f"reviewbot: backed up {database} to copy.db"
    engine = build_engine(url)
    async with engine.begin() as connection:  # the accident: every person deleted
        await connection.execute(delete(User))
    await engine.dispose()
    assert (await dump(url))["file_versions"] == []

    _restore(tmp_path / "copy.db", database)

    assert await dump(url) == before
    engine = build_engine(url)
    async with build_session_factory(engine)() as session:
        stored = (await session.scalars(select(FileVersion).order_by(FileVersion.id))).all()
    await engine.dispose()
    assert [version.content for version in stored] == [
        row["content"] for row in rows["file_versions"]
    ]
    code, output = await _reviewbot(tmp_path, "backup", "copy.db", database_url=url)
    assert code == 2
    assert output.strip() == "reviewbot: copy.db exists: name a new file for the backup"


@pytest.mark.services
async def test_reviewbot_backup_on_postgresql_prints_a_pg_dump_command_that_works(
    tmp_path: Path,
) -> None:
    async with fresh_postgres_database() as url, fresh_postgres_database() as restored_url:
        await migrate_to(url, "head")
        await fill(url, rows_at(head_revision()))
        parts = make_url(url)
        with_password = parts.set(password="s3cret-pw").render_as_string(hide_password=False)

        code, output = await _reviewbot(tmp_path, "backup", "dump.pgc", database_url=with_password)

        assert code == 0, output
        assert "s3cret" not in output
        command = output.splitlines()[0]
        assert command == (
            f"pg_dump --format=custom --no-owner --host={parts.host} --port={parts.port} "
            f"--username={parts.username} --file=dump.pgc --dbname={parts.database}"
        )
        if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
            pytest.skip("pg_dump and pg_restore are not installed here")
        dumped = await asyncio.create_subprocess_exec(*shlex.split(command), cwd=tmp_path)
        assert await dumped.wait() == 0
        target = make_url(restored_url).set(drivername="postgresql")
        restored = await asyncio.create_subprocess_exec(
            "pg_restore",
            "--no-owner",
            f"--dbname={target.render_as_string(hide_password=False)}",
            "dump.pgc",
            cwd=tmp_path,
        )
        assert await restored.wait() == 0
        assert await dump(restored_url) == await dump(url)
