"""Pasted code: a code block sent outside any dialogue is reviewed as a file (a new
`snippet-<n>.py`, or the next version of the file whose result, report or card it replies to)."""

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import FileCallback, FixCallback, HistoryCallback, ReportCallback
from bot.code_blocks import PastedCode, has_code_block
from bot.features.snippets import texts as snippet_texts
from bot.features.uploads import texts as upload_texts
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from core.config import Settings
from core.ports import Wakeup
from core.services import files, quotas, snippets
from core.services.accounts import AccountView

# Buttons that name a check (a result, a report page, a fix) or a file (a card, a history).
NAMING: tuple[type[CallbackData], ...] = (
    ReportCallback,
    FixCallback,
    FileCallback,
    HistoryCallback,
)


async def on_code_block(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    account: AccountView,
    wakeup: Wakeup,
    pasted: PastedCode,
) -> None:
    if not pasted.code:
        await message.answer(snippet_texts.empty_block())
        return
    stored = await snippets.store_snippet(
        session,
        files.Uploader.of(account),
        # A lone surrogate cannot be UTF-8: kept as it is, so the content check refuses it.
        pasted.code.encode("utf-8", "surrogatepass"),
        limits=quotas.StorageLimits.of(settings),
        max_bytes=settings.max_upload_bytes,
        wakeup=wakeup,
        replied=replied_to(message, bot.id),
    )
    text = upload_texts.stored(stored.name, stored.version, replaced=stored.replaced)
    if pasted.left_out:
        text += "\n\n" + snippet_texts.left_out(pasted.left_out)
    await message.answer(text)


def replied_to(message: Message, bot_id: int) -> snippets.RepliedTo | None:
    """The checks and files named by the buttons of the bot's message this one replies to
    (the services check whose they are)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return None
    if replied.reply_markup is None:
        return None
    check_ids: set[int] = set()
    file_ids: set[int] = set()
    for row in replied.reply_markup.inline_keyboard:
        for button in row:
            named = _named(button.callback_data or "")
            if isinstance(named, ReportCallback | FixCallback):
                check_ids.add(named.check_id)
            elif isinstance(named, FileCallback | HistoryCallback):
                file_ids.add(named.file_id)
    return snippets.RepliedTo(check_ids=frozenset(check_ids), file_ids=frozenset(file_ids))


def _named(data: str) -> CallbackData | None:
    for factory in NAMING:
        if data.startswith(factory.__prefix__ + factory.__separator__):
            try:
                return factory.unpack(data)
            except (TypeError, ValueError):
                return None  # not ours, or forged
    return None


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.message.register(on_code_block, StateFilter(None), F.text, NOT_COMMAND, has_code_block)
    return router
