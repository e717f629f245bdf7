"""/forget: a person's account and everything stored for it, deleted for good.

Everything goes in one transaction. The rows of their versions are locked first, so a check
being written for one of them finishes before (and is deleted with the rest) or finds its
claim gone afterwards and writes nothing. The database's own cascades (files → versions →
checks → deliveries) catch whatever a concurrent transaction added meanwhile.
"""

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotRegisteredError
from core.models import (
    Check,
    Delivery,
    EmailConfirmation,
    File,
    FileEvent,
    FileVersion,
    ReviewConfigText,
    TelegramAccount,
    User,
)
from core.services.teams import release_owned_teams

# Stands for "a Telegram account that was forgotten" where a row outlives its link.
FORGOTTEN_TELEGRAM_ID = 0


@dataclass(frozen=True)
class SignedOutChat:
    """A Telegram account that was linked to the forgotten user: its chat's state goes too."""

    telegram_id: int
    chat_id: int


@dataclass(frozen=True)
class ForgottenUser:
    email: str
    files: int
    versions: int
    checks: int
    chats: list[SignedOutChat]


async def forget_user(session: AsyncSession, user_id: int) -> ForgottenUser:
    """Delete the user, their files, versions, events, checks, deliveries (sent or pending),
    the email confirmations of their address, the review configurations only they used, and
    their Telegram accounts (signed out: the next message from one is a new person's); their
    Telegram ids are wiped from whatever rows stay. NotRegisteredError when the user is gone
    already."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        await session.rollback()
        raise NotRegisteredError
    email = user.email
    accounts = list(
        (
            await session.execute(
                select(TelegramAccount.id, TelegramAccount.telegram_id, TelegramAccount.chat_id)
                .where(TelegramAccount.user_id == user_id)
                .order_by(TelegramAccount.id)
            )
        ).all()
    )
    telegram_ids = [account.telegram_id for account in accounts]
    file_ids = select(File.id).where(File.user_id == user_id).scalar_subquery()
    version_ids = select(FileVersion.id).where(FileVersion.file_id.in_(file_ids)).scalar_subquery()
    check_ids = select(Check.id).where(Check.version_id.in_(version_ids)).scalar_subquery()
    # Locked before anything is deleted: a check job writing results waits for us, or we
    # for it (then its checks are deleted below).
    versions = len(
        list(
            await session.scalars(
                select(FileVersion.id)
                .where(FileVersion.file_id.in_(file_ids))
                .order_by(FileVersion.id)
                .with_for_update()
            )
        )
    )
    configs = {
        config_hash
        for config_hash in await session.scalars(
            select(Check.config_hash).where(Check.version_id.in_(version_ids)).distinct()
        )
        if config_hash is not None
    }
    if user.ruff_config_hash is not None:
        configs.add(user.ruff_config_hash)
    files = await session.scalar(select(func.count(File.id)).where(File.user_id == user_id))
    checks = await session.scalar(select(func.count(Check.id)).where(Check.id.in_(check_ids)))

    await session.execute(delete(Delivery).where(Delivery.check_id.in_(check_ids)))
    await session.execute(delete(Check).where(Check.version_id.in_(version_ids)))
    await session.execute(delete(FileEvent).where(FileEvent.file_id.in_(file_ids)))
    if telegram_ids:  # their marks on files of others they once signed in to
        await session.execute(
            update(FileEvent)
            .where(FileEvent.telegram_id.in_(telegram_ids))
            .values(telegram_id=None)
        )
    await session.execute(delete(FileVersion).where(FileVersion.file_id.in_(file_ids)))
    await session.execute(delete(File).where(File.user_id == user_id))
    await session.execute(
        delete(EmailConfirmation).where(func.lower(EmailConfirmation.email) == email.lower())
    )
    if telegram_ids:
        # Codes their accounts asked for other addresses stay, without their ids: they are
        # the other address's, and its hourly limit of codes must still count them.
        await session.execute(
            update(EmailConfirmation)
            .where(EmailConfirmation.telegram_id.in_(telegram_ids))
            .values(telegram_id=FORGOTTEN_TELEGRAM_ID)
        )
    await session.execute(delete(TelegramAccount).where(TelegramAccount.user_id == user_id))
    await release_owned_teams(session, user_id)  # no team is left without an owner
    await session.execute(delete(User).where(User.id == user_id))
    await _delete_unused_configs(session, configs)
    await session.commit()
    return ForgottenUser(
        email=email,
        files=files or 0,
        versions=versions,
        checks=checks or 0,
        chats=[SignedOutChat(a.telegram_id, a.chat_id) for a in accounts],
    )


async def _delete_unused_configs(session: AsyncSession, hashes: set[str]) -> None:
    """Their review configurations that no one else uses any more. One that someone else has
    just taken up (their transaction committed after our look) stays: the foreign key refuses,
    and only this step is undone."""
    if not hashes:
        return
    try:
        async with session.begin_nested():
            await session.execute(
                delete(ReviewConfigText).where(
                    ReviewConfigText.hash.in_(hashes),
                    ~exists().where(User.ruff_config_hash == ReviewConfigText.hash),
                    ~exists().where(Check.config_hash == ReviewConfigText.hash),
                )
            )
    except IntegrityError:
        return
