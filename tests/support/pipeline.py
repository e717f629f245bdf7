"""Helpers for pipeline tests: reading checks and deliveries, ruff as the oracle."""

import asyncio
import json
import subprocess
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select

from core.database import SessionFactory
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


def ruff_oracle_count(content: bytes, folder: Path) -> int:
    """How many issues `ruff check --isolated --output-format json` reports on these bytes."""
    path = folder / "oracle.py"
    path.write_bytes(content)
    completed = subprocess.run(
        [find_ruff_bin(), "check", "--isolated", "--output-format", "json", "--exit-zero", path],
        capture_output=True,
        check=True,
        cwd=folder,
    )
    return len(json.loads(completed.stdout))


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
                session, uploader, name=name, content=content, telegram_file_id=None
            )
        return list(await session.scalars(select(FileVersion.id).order_by(FileVersion.id)))


async def checks(session_factory: SessionFactory) -> list[Check]:
    async with session_factory() as session:
        return list(await session.scalars(select(Check).order_by(Check.id)))


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
