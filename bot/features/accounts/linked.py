"""The Telegram accounts signed in to one user: their names as Telegram shows them (for
/start), and a note to the others when one more signs in."""

import asyncio
import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.accounts import texts as account_texts
from core.i18n import pick_locale
from core.services import accounts
from core.services.accounts import AccountView, LinkedAccount

logger = logging.getLogger(__name__)


async def telegram_names(bot: Bot, linked: Sequence[LinkedAccount]) -> dict[int, str]:
    """The name each account shows in Telegram (first and last name, @username), asked of
    Telegram when listed (nothing of it is stored); an account Telegram will not describe (a
    chat closed, the bot blocked, Telegram out of reach) is left out and shown by its id."""

    async def name(account: LinkedAccount) -> str | None:
        try:
            chat = await bot.get_chat(account.chat_id)
        except AiogramError as error:  # refused, out of reach, or an answer we cannot read
            logger.info("no name for account %s: %s", account.account_id, error)
            return None
        parts = [part for part in (chat.first_name, chat.last_name) if part]
        if chat.username:
            parts.append(f"@{chat.username}")
        return " ".join(parts) or None

    found = await asyncio.gather(*(name(account) for account in linked))
    return {
        account.account_id: shown
        for account, shown in zip(linked, found, strict=True)
        if shown is not None
    }


async def notify_other_accounts(
    session: AsyncSession, bot: Bot, i18n: I18n, *, user_id: int, account: AccountView
) -> None:
    """Tell the user's other signed-in accounts, each in its language, that one more joined."""
    for other in await accounts.linked_accounts(session, user_id=user_id):
        if other.account_id == account.account_id:
            continue
        with i18n.use_locale(pick_locale(other.language_code)):
            text = account_texts.signed_in_elsewhere(account.telegram_id)
        try:
            await bot.send_message(other.chat_id, text)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            logger.warning("sign-in note not delivered to account %s: %s", other.account_id, error)
