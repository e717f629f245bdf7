"""Who is calling: Telegram's launch data (`Authorization: tma <initData>`), checked with the
bot token (aiogram's `safe_parse_webapp_init_data`) and its age, and the registered person
linked to that Telegram account. Anything else is 401 and nothing is read."""

from dataclasses import dataclass
from datetime import datetime

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import pick_locale
from core.models import TelegramAccount

SCHEME = "tma "


class NotSignedInError(Exception):
    """The request carries no valid launch data of a linked account (401)."""


@dataclass(frozen=True)
class Viewer:
    """The person behind a request."""

    user_id: int
    account_id: int
    telegram_id: int
    locale: str


def launch_data(
    header: str | None, bot_token: str, *, now: datetime, max_age: int
) -> WebAppInitData:
    if not header or not header.startswith(SCHEME):
        raise NotSignedInError("no launch data")
    try:
        data = safe_parse_webapp_init_data(bot_token, header[len(SCHEME) :].strip())
    except ValueError:
        raise NotSignedInError("launch data not signed by this bot") from None
    age = (now - data.auth_date).total_seconds()
    if data.user is None or age > max_age or age < -300:
        raise NotSignedInError("launch data too old, or of no user")
    return data


async def viewer_of(session: AsyncSession, data: WebAppInitData) -> Viewer:
    assert data.user is not None  # launch_data refuses data of no user
    row = (
        await session.execute(
            select(
                TelegramAccount.id, TelegramAccount.user_id, TelegramAccount.language_code
            ).where(TelegramAccount.telegram_id == data.user.id)
        )
    ).one_or_none()
    if row is None or row.user_id is None:
        raise NotSignedInError("Telegram account not linked to a person")
    language = data.user.language_code or row.language_code
    return Viewer(
        user_id=row.user_id,
        account_id=row.id,
        telegram_id=data.user.id,
        locale=pick_locale(language),
    )
