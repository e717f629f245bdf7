"""Documents: a new file, a same-name replacement, or the version the Replace button waits for."""

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.downloads import downloaded
from bot.features.uploads import texts as upload_texts
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from bot.states import ReplaceFlow
from core.config import Settings
from core.errors import FileNotFoundForUserError
from core.ports import Wakeup
from core.services import files, quotas, uploads
from core.services.accounts import AccountView


async def on_replacement_document(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    account: AccountView,
    wakeup: Wakeup,
) -> None:
    target_file_id = (await state.get_data()).get("file_id")
    try:
        await _store_document(message, bot, session, settings, account, wakeup, target_file_id)
    except FileNotFoundForUserError:
        await state.clear()  # the file was deleted meanwhile: nothing left to replace
        raise
    await state.clear()


async def on_replacement_not_document(message: Message) -> None:
    await message.answer(upload_texts.document_expected())


async def on_document_upload(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    account: AccountView,
    wakeup: Wakeup,
) -> None:
    await _store_document(message, bot, session, settings, account, wakeup, target_file_id=None)


async def _store_document(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    account: AccountView,
    wakeup: Wakeup,
    target_file_id: int | None,
) -> None:
    uploader = files.Uploader.of(account)
    document = message.document
    assert document is not None  # guaranteed by the F.document filter
    name = uploads.check_document(
        document.file_name, document.file_size, settings.max_upload_bytes
    )
    limits = quotas.StorageLimits.of(settings)
    await quotas.check_room(
        session,
        uploader.user_id,
        limits,
        name=name,
        target_file_id=target_file_id,
        declared_size=document.file_size,
    )
    content = await downloaded(message, bot, document.file_id)
    if content is None:
        return
    uploads.check_content(content, settings.max_upload_bytes)
    stored = await files.store_upload(
        session,
        uploader,
        name=name,
        content=content,
        telegram_file_id=document.file_id,
        limits=limits,
        target_file_id=target_file_id,
    )
    await message.answer(
        upload_texts.stored(stored.name, stored.version, replaced=stored.replaced)
    )
    await wakeup.notify()


def build_router() -> Router:
    documents = registered_only(Router(name=f"{__name__}.documents"))
    documents.message.register(on_replacement_document, ReplaceFlow.document, F.document)
    documents.message.register(on_document_upload, F.document)
    # While a replacement is awaited, anything but a document is told so, registered or not.
    prompt = Router(name=f"{__name__}.prompt")
    prompt.message.register(on_replacement_not_document, ReplaceFlow.document, NOT_COMMAND)
    router = Router(name=__name__)
    router.include_routers(documents, prompt)
    return router
