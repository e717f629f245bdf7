"""/stats for the Telegram ids in ADMIN_IDS; anyone else falls through to the unknown-command
answer, as if the command did not exist."""

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.admin import texts as admin_texts
from core.clock import Clock
from core.config import Settings
from core.services.stats import collect_stats


class FromAdmin(Filter):
    async def __call__(self, message: Message, settings: Settings) -> bool:
        return message.from_user is not None and message.from_user.id in settings.admin_ids


async def cmd_stats(message: Message, session: AsyncSession, clock: Clock) -> None:
    stats = await collect_stats(session, now=clock.now())
    await message.answer(admin_texts.stats_text(stats))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_stats, Command("stats"), FromAdmin())
    return router
