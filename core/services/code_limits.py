"""How many confirmation codes may be mailed: per address and per Telegram account an hour,
counted from the codes stored, with requests for the same address or account taking turns.

An address is counted without its `+tag` (`ann+1@x` is `ann@x`). A look-up that mails nothing
("no account uses this address", "already registered") counts for the account too: it is stored
as a confirmation row without address or code (`LOOKUP_EMAIL`), which can never be confirmed."""

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakValueDictionary

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import CodeLimitError, CodeLimitScope
from core.models import ConfirmationPurpose, EmailConfirmation

CODE_LIMIT_WINDOW = timedelta(hours=1)
LOOKUP_EMAIL = ""  # the address of a look-up row: none, so no stranger's address is kept

# Held while a code is counted, stored and mailed, so that requests at the same moment cannot
# all count before any of them is stored (see `counting`).
_request_locks: "WeakValueDictionary[str, asyncio.Lock]" = WeakValueDictionary()


@dataclass(frozen=True)
class CodeLimits:
    """How many codes one address, and one Telegram account, may get per `CODE_LIMIT_WINDOW`."""

    per_email: int = 5
    per_account: int = 5

    @classmethod
    def of(cls, settings: Settings) -> "CodeLimits":
        return cls(
            per_email=settings.codes_per_email_per_hour,
            per_account=settings.codes_per_account_per_hour,
        )


@asynccontextmanager
async def counting(session: AsyncSession, key: str) -> AsyncIterator[None]:
    """Other requests for `key` wait until this one's code is stored or refused: in this
    process by a lock, across processes on PostgreSQL by an advisory lock that lasts until the
    session's transaction ends. Taken always in the same order (account, then address)."""
    lock = _request_locks.get(key)
    if lock is None:
        lock = _request_locks[key] = asyncio.Lock()
    async with lock:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
        yield


async def check_hourly_limit(
    session: AsyncSession,
    whose: ColumnElement[bool],
    limit: int,
    scope: CodeLimitScope,
    now: datetime,
) -> None:
    """`CodeLimitError` when `limit` codes were sent within the last hour; it tells how long
    until the oldest of them leaves the hour. Counted from the stored codes, so the limit holds
    across processes and restarts, and across Telegram accounts for an address."""
    # The next code may go once the `limit`-th newest code in the hour has left it.
    blocking = await session.scalar(
        select(EmailConfirmation.sent_at)
        .where(whose, EmailConfirmation.sent_at > now - CODE_LIMIT_WINDOW)
        .order_by(EmailConfirmation.sent_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if blocking is None:
        return
    wait = blocking + CODE_LIMIT_WINDOW - now
    raise CodeLimitError(scope, limit, max(1, math.ceil(wait.total_seconds())))


def base_address(email: str) -> str:
    """The address without the `+tag` of its local part; `email` is already lower case."""
    local, at, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0]}{at}{domain.lower()}"


def same_mailbox(email: str) -> ColumnElement[bool]:
    """Confirmations to `email`'s mailbox: to its base address or to any `+tag` of it."""
    base = base_address(email)
    local, _, domain = base.rpartition("@")
    tagged = f"{_escape_like(local)}+%@{_escape_like(domain)}"
    return or_(EmailConfirmation.email == base, EmailConfirmation.email.like(tagged, escape="\\"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def record_lookup(
    session: AsyncSession,
    telegram_id: int,
    purpose: ConfirmationPurpose,
    now: datetime,
    max_attempts: int,
) -> None:
    """Keep a look-up that mailed nothing, so that it counts in the account's hourly limit.
    Its tries are used up and it has expired at once: no code can ever match it."""
    session.add(
        EmailConfirmation(
            telegram_id=telegram_id,
            email=LOOKUP_EMAIL,
            purpose=purpose,
            code_hash=b"",
            code_salt=b"",
            attempts=max_attempts,
            sent_at=now,
            expires_at=now,
        )
    )
