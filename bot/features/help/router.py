"""/help and /cancel, available in any state."""

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.features.help import texts as help_texts


async def cmd_help(message: Message) -> None:
    await message.answer(help_texts.help_text())


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(help_texts.nothing_to_cancel())
        return
    await state.clear()
    await message.answer(help_texts.cancelled())


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_cancel, Command("cancel"))
    return router
