"""Helpers for pipeline tests: reading checks and deliveries, ruff as the oracle, ruff
wrappers, and waiting (`reviewbot` processes are in tests.support.processes)."""

import asyncio
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, func, select

from core.models import (
    Check,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    FileVersion,
    TelegramAccount,
    User,
    utcnow,
)
from core.services.files import Uploader, store_upload
from core.services.quotas import StorageLimits
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram, RecordedRequest

# The defaults of MAX_FILES_PER_USER and MAX_STORED_BYTES_PER_USER, for files stored directly.
DEFAULT_LIMITS = StorageLimits(max_files=500, max_bytes=52_428_800)


def ruff_oracle_count(content: bytes, folder: Path) -> int:
    """How many issues `ruff check --isolated` reports on these bytes: one json-lines line each
    (counted, not parsed, so that a megabyte with a million issues costs no gigabytes)."""
    path = folder / "oracle.py"
    path.write_bytes(content)
    args = ["check", "--isolated", "--no-cache", "--output-format", "json-lines", "--exit-zero"]
    completed = subprocess.run(
        [find_ruff_bin(), *args, path], stdout=subprocess.PIPE, check=True, cwd=folder
    )
    return completed.stdout.count(b"\n")


async def seed_uploads(
    session_factory: SessionFactory, files: dict[str, bytes], *, telegram_id: int = 99
) -> list[int]:
    """A registered user with these files uploaded (as the bot stores them); version ids."""
    async with session_factory() as session:
        user = User(email=f"user{telegram_id}@example.com", email_confirmed_at=utcnow())
        session.add(user)
        await session.flush()
        account = TelegramAccount(telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id)
        session.add(account)
        await session.commit()
        uploader = Uploader(user_id=user.id, account_id=account.id, telegram_id=telegram_id)
        for name, content in files.items():
            await store_upload(
                session, uploader, name=name, content=content, telegram_file_id=None,
                limits=DEFAULT_LIMITS,
            )  # fmt: skip
        return list(await session.scalars(select(FileVersion.id).order_by(FileVersion.id)))


async def seed_people(
    session_factory: SessionFactory, first_id: int, people: int, each: int, source: bytes
) -> list[int]:
    """`people` registered users (Telegram ids from `first_id` on) with `each` uploads of
    `source` each, named `p<id>_<n>.py`; their Telegram ids."""
    ids = [first_id + n for n in range(people)]
    for telegram_id in ids:
        files = {f"p{telegram_id}_{n}.py": source for n in range(each)}
        await seed_uploads(session_factory, files, telegram_id=telegram_id)
    return ids


async def count_rows(
    session_factory: SessionFactory, model: type[object], *where: ColumnElement[bool]
) -> int:
    """How many rows of `model`'s table match `where`."""
    async with session_factory() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return int(found or 0)


async def sent_deliveries(session_factory: SessionFactory) -> int:
    """How many deliveries (both channels) are marked sent."""
    return await count_rows(session_factory, Delivery, Delivery.status == DeliveryStatus.SENT)


async def checks(session_factory: SessionFactory) -> list[Check]:
    async with session_factory() as session:
        return list(await session.scalars(select(Check).order_by(Check.id)))


async def checks_per_version(session_factory: SessionFactory) -> Counter[int]:
    """How many checks each version that has one got."""
    async with session_factory() as session:
        return Counter(await session.scalars(select(Check.version_id)))


async def deliveries(session_factory: SessionFactory) -> dict[DeliveryChannel, list[Delivery]]:
    async with session_factory() as session:
        rows = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
    grouped: dict[DeliveryChannel, list[Delivery]] = {c: [] for c in DeliveryChannel}
    for row in rows:
        grouped[row.channel].append(row)
    return grouped


async def wait_for_delivery(
    session_factory: SessionFactory,
    channel: DeliveryChannel,
    status: DeliveryStatus,
    *,
    count: int = 1,
    timeout: float = 15.0,  # noqa: ASYNC109
) -> list[Delivery]:
    """Wait until `count` deliveries of the channel have the status; return them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = [d for d in (await deliveries(session_factory))[channel] if d.status is status]
        if len(found) >= count:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"no {count} {channel} deliveries {status} in {timeout}s")
        await asyncio.sleep(0.05)


def counting_ruff(folder: Path) -> tuple[str, Path]:
    """A ruff wrapper that logs each invocation's arguments, then runs the real ruff."""
    log = folder / "ruff-calls.log"
    wrapper = folder / "ruff-wrapper.sh"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{find_ruff_bin()}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper), log


def failing_ruff(folder: Path) -> str:
    """A ruff that always fails, as a broken installation would."""
    wrapper = folder / "broken-ruff.sh"
    wrapper.write_text('#!/bin/sh\necho "ruff: internal error" >&2\nexit 2\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def gated_ruff(folder: Path, *, parties: int = 2, patience_seconds: int = 30) -> tuple[str, Path]:
    """Like `counting_ruff`, but a check waits until `parties` checks have started (or the
    patience ran out): no worker can run through every batch before the others claim one."""
    log = folder / "ruff-calls.log"
    wrapper = folder / "ruff-gated.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'if [ "$1" = check ]; then\n'
        f"  tries={patience_seconds * 10}\n"
        f'  while [ "$(grep -c ^check "{log}")" -lt {parties} ] && [ "$tries" -gt 0 ]; do\n'
        "    sleep 0.1; tries=$((tries - 1))\n"
        "  done\n"
        "fi\n"
        f'exec "{find_ruff_bin()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper), log


def sent_to(telegram: FakeTelegram, chat_id: int, fragment: str) -> list[RecordedRequest]:
    """The accepted sendMessage requests to the chat whose text contains `fragment`."""
    return [
        request
        for request in telegram.calls("sendMessage")
        if request.ok
        and request.params.get("chat_id") == chat_id
        and fragment in str(request.params.get("text", ""))
    ]


async def wait_until_past(moment: datetime) -> None:
    """Return once the wall clock (the one the jobs schedule by) has passed `moment`."""
    await asyncio.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.05)
    assert utcnow() > moment


async def wait_until(
    condition: Callable[[], bool],
    what: str,
    timeout: float = 60.0,  # noqa: ASYNC109
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        await asyncio.sleep(0.05)
