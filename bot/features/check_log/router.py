"""/report: the check log, a page at a time, and its exports as documents."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import CheckLogAction, CheckLogCallback
from bot.features.check_log import texts as check_log_texts
from bot.features.check_log.keyboards import build_check_log_kb
from bot.features.reviews import texts as review_texts
from bot.middlewares import registered_only
from bot.screens import show
from core import exports
from core.models import utcnow
from core.services import check_log
from core.services.check_log import LogEntry
from core.services.submission_views import review_lists


async def cmd_report(message: Message, session: AsyncSession, user_id: int) -> None:
    """The first page of the log and, for a person who sent files for review, their newest
    submissions' statuses."""
    page = await check_log.check_log_page(session, user_id, page=0)
    reviews = review_texts.report_section(await review_lists(session, user_id, limit=5))
    text = check_log_texts.check_log_screen(page)
    await message.answer(
        f"{text}\n\n{reviews}" if reviews else text, reply_markup=build_check_log_kb(page)
    )


async def on_check_log_page(
    callback: CallbackQuery,
    callback_data: CheckLogCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    page = await check_log.check_log_page(session, user_id, page=callback_data.page)
    await show(callback, check_log_texts.check_log_screen(page), build_check_log_kb(page))


async def on_check_log_export(
    callback: CallbackQuery,
    callback_data: CheckLogCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    entries = await check_log.check_log_entries(session, user_id)
    if not entries:
        await callback.answer(check_log_texts.nothing_to_export(), show_alert=True)
        return
    content, extension = _document(callback_data.action, entries)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(content, filename=f"checks-{utcnow():%Y-%m-%d}.{extension}"),
            caption=check_log_texts.export_caption(len(entries), extension.upper()),
        )


def _document(action: CheckLogAction, entries: list[LogEntry]) -> tuple[bytes, str]:
    """The log written in the asked format, and the file name's extension."""
    match action:
        case CheckLogAction.CSV:
            return exports.log_csv(entries, check_log_texts.export_headers()), "csv"
        case CheckLogAction.XLSX:
            headers = check_log_texts.export_headers()
            title = check_log_texts.export_sheet_title()
            return exports.log_xlsx(entries, headers, title), "xlsx"
        case _:
            return exports.log_json(entries), "json"


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.message.register(cmd_report, Command("report"))
    router.callback_query.register(
        on_check_log_page, CheckLogCallback.filter(F.action == CheckLogAction.PAGE)
    )
    router.callback_query.register(
        on_check_log_export, CheckLogCallback.filter(F.action != CheckLogAction.PAGE)
    )
    return router
