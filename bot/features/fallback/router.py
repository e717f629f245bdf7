"""What nothing else took: plain text and buttons that no longer mean anything."""

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.features.fallback import texts as fallback_texts


async def on_unknown_message(message: Message) -> None:
    await message.answer(fallback_texts.unknown_text())


async def on_stale_button(callback: CallbackQuery) -> None:
    await callback.answer(fallback_texts.stale_button(), show_alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_unknown_message)
    router.callback_query.register(on_stale_button)
    return router
