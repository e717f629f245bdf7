"""Telegram accounts: who is talking to the bot and which user (if any) they are."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AccountNotFoundError, NotRegisteredError
from core.models import LARGEST_ID, TelegramAccount, User

# Row ids are INTEGER columns: anything beyond is a forged id, not a query for PostgreSQL.


@dataclass(frozen=True)
class LinkedAccount:
    account_id: int
    telegram_id: int
    chat_id: int
    language_code: str
    linked_at: datetime | None


@dataclass(frozen=True)
class AccountView:
    account_id: int
    telegram_id: int
    user_id: int | None
    email: str | None
    language_code: str

    def require_user_id(self) -> int:
        if self.user_id is None:
            raise NotRegisteredError
        return self.user_id


async def touch_account(
    session: AsyncSession, *, telegram_id: int, chat_id: int, language_code: str | None
) -> AccountView:
    """The account of this Telegram user, created on first contact; keeps the language fresh.

    Runs for every update, so it reads plain columns (no ORM object) and writes only when
    something changed."""
    language = (language_code or "en")[:16]
    row = (
        await session.execute(
            select(
                TelegramAccount.id,
                TelegramAccount.user_id,
                TelegramAccount.chat_id,
                TelegramAccount.language_code,
                User.email,
            )
            .outerjoin(User, User.id == TelegramAccount.user_id)
            .where(TelegramAccount.telegram_id == telegram_id)
        )
    ).first()
    if row is None:
        account = TelegramAccount(telegram_id=telegram_id, chat_id=chat_id, language_code=language)
        session.add(account)
        try:
            await session.commit()
        except IntegrityError:  # a concurrent update from the same person created it first
            await session.rollback()
            return await touch_account(
                session, telegram_id=telegram_id, chat_id=chat_id, language_code=language_code
            )
        return AccountView(
            account_id=account.id,
            telegram_id=telegram_id,
            user_id=None,
            email=None,
            language_code=language,
        )
    if row.language_code != language or row.chat_id != chat_id:
        await session.execute(
            update(TelegramAccount)
            .where(TelegramAccount.id == row.id)
            .values(language_code=language, chat_id=chat_id)
        )
        await session.commit()
    return AccountView(
        account_id=row.id,
        telegram_id=telegram_id,
        user_id=row.user_id,
        email=row.email,
        language_code=language,
    )


async def logout(session: AsyncSession, *, telegram_id: int) -> str:
    """Unlink the account from its user; returns the address it was linked to."""
    row = (
        await session.execute(
            select(TelegramAccount, User.email)
            .join(User, User.id == TelegramAccount.user_id)
            .where(TelegramAccount.telegram_id == telegram_id)
        )
    ).first()
    if row is None:
        raise NotRegisteredError
    account, email = row
    account.user_id = None
    account.linked_at = None
    await session.commit()
    return email


async def linked_accounts(session: AsyncSession, *, user_id: int) -> list[LinkedAccount]:
    """The Telegram accounts signed in to the user, first linked first."""
    rows = await session.execute(
        select(
            TelegramAccount.id,
            TelegramAccount.telegram_id,
            TelegramAccount.chat_id,
            TelegramAccount.language_code,
            TelegramAccount.linked_at,
        )
        .where(TelegramAccount.user_id == user_id)
        .order_by(TelegramAccount.linked_at, TelegramAccount.id)
    )
    return [LinkedAccount(*row) for row in rows]


async def unlink_other(
    session: AsyncSession, *, user_id: int, current_account_id: int, account_id: int
) -> LinkedAccount:
    """Sign another of the user's Telegram accounts out; `AccountNotFoundError` for an id that
    is not one of the user's other accounts (the current one signs out with /logout)."""
    if not 1 <= account_id <= LARGEST_ID or account_id == current_account_id:
        raise AccountNotFoundError
    account = (
        await session.execute(
            select(TelegramAccount).where(
                TelegramAccount.id == account_id, TelegramAccount.user_id == user_id
            )
        )
    ).scalar_one_or_none()
    if account is None:
        raise AccountNotFoundError
    unlinked = LinkedAccount(
        account.id, account.telegram_id, account.chat_id, account.language_code, account.linked_at
    )
    account.user_id = None
    account.linked_at = None
    await session.commit()
    return unlinked
