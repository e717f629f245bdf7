"""What every `/team` screen needs: the bot's username (for the invite link) and the filter of
one of its buttons."""

from aiogram import Bot, F
from aiogram.filters.callback_data import CallbackQueryFilter

from bot.callbacks import TeamAction, TeamCallback


async def bot_username(bot: Bot) -> str:
    return (await bot.me()).username or ""


def pressed(*actions: TeamAction) -> CallbackQueryFilter:
    """A press of one of `actions` of `TeamCallback`."""
    return TeamCallback.filter(F.action.in_(actions))
