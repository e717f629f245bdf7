"""A ruff configuration sent as a document, for `/rules` and for a team's rules: its kind by
its name, its size within MAX_CONFIG_BYTES, then its bytes."""

from aiogram import Bot
from aiogram.types import Message

from bot.downloads import downloaded
from bot.features.rules import texts as rules_texts
from core.errors import ConfigRefusal, ConfigRefusedError
from core.ruff_config import CONFIG_FILE_NAMES, MAX_CONFIG_BYTES, ConfigKind


async def config_document(message: Message, bot: Bot) -> tuple[bytes, ConfigKind] | None:
    """The document's bytes and kind; None when the person was answered instead (not a
    configuration's name, or the download failed). Too large: ConfigRefusedError."""
    document = message.document
    assert document is not None  # guaranteed by the handlers' F.document filter
    kind = CONFIG_FILE_NAMES.get((document.file_name or "").lower())
    if kind is None:
        await message.answer(rules_texts.config_expected())
        return None
    if (document.file_size or 0) > MAX_CONFIG_BYTES:
        raise ConfigRefusedError(ConfigRefusal.TOO_LARGE, str(MAX_CONFIG_BYTES // 1024))
    raw = await downloaded(message, bot, document.file_id)
    return None if raw is None else (raw, kind)
