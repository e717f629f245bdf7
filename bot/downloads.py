"""Fetching a document the person sent."""

from io import BytesIO

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message

from bot.shared import texts as shared_texts


async def downloaded(message: Message, bot: Bot, file_id: str) -> bytes | None:
    """The document's bytes; None, with the person told, when Telegram does not hand it over."""
    buffer = BytesIO()
    try:
        await bot.download(file_id, destination=buffer)
    except TelegramBadRequest:
        await message.answer(shared_texts.download_failed())
        return None
    return buffer.getvalue()
