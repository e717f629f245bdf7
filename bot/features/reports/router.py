"""A check's report: its pages, the cards of its rules, and the whole report as an HTML
document. Each reads the check through `own_check_report`: another user's check shows
nothing and changes nothing."""

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ReportAction, ReportCallback
from bot.features.reports import rule_cards
from bot.features.reports import texts as report_texts
from bot.features.reports.keyboards import build_rule_card_kb, report_screen
from bot.features.rules import texts as rules_texts
from bot.middlewares import registered_only
from bot.screens import show
from core.config import Settings
from core.ports import RuleCatalog
from core.report_document import render_report_document
from core.services import reports, rules
from infra.mail.emails import EmailTemplates


async def on_report_open(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
) -> None:
    await _show_page(callback, callback_data, session, user_id, rule_catalog, settings)


async def on_rule_mute(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
) -> None:
    await rules.mute_rule(session, user_id, callback_data.check_id, callback_data.rule)
    notice = rules_texts.muted(callback_data.rule)
    await _show_page(callback, callback_data, session, user_id, rule_catalog, settings, notice)


async def on_rule_unmute(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
) -> None:
    await rules.unmute_rule(
        session, user_id, callback_data.rule, from_check=callback_data.check_id
    )
    notice = rules_texts.unmuted(callback_data.rule)
    await _show_page(callback, callback_data, session, user_id, rule_catalog, settings, notice)


async def _show_page(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
    notice: str | None = None,
) -> None:
    """Page `callback_data.page` of the check's report; after Mute or Unmute (its buttons
    changed) with a notice on the button's answer."""
    check = await reports.own_check_report(session, user_id, callback_data.check_id)
    text, keyboard = report_screen(
        check, await rule_catalog.rules(), callback_data.page, settings.webapp_url
    )
    await show(callback, text, keyboard, notice=notice)


async def on_rule_card(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    settings: Settings,
) -> None:
    check = await reports.own_check_report(session, user_id, callback_data.check_id)
    found = [issue for issue in check.report.issues if issue.code == callback_data.rule]
    if not found:  # not a rule of this check: its report instead
        text, keyboard = report_screen(
            check, await rule_catalog.rules(), callback_data.page, settings.webapp_url
        )
        await show(callback, text, keyboard)
        return
    url = next((issue.url for issue in found if issue.url), None)
    rule = await rule_catalog.rule(callback_data.rule)
    await show(
        callback,
        rule_cards.rule_card(callback_data.rule, rule, url),
        build_rule_card_kb(check.report.check_id, callback_data.page),
    )


async def on_report_document(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    session: AsyncSession,
    user_id: int,
    rule_catalog: RuleCatalog,
    email_templates: EmailTemplates,
    i18n: I18n,
) -> None:
    check = await reports.own_check_report(session, user_id, callback_data.check_id)
    names = {code: rule.name for code, rule in (await rule_catalog.rules()).items()}
    locale = i18n.current_locale
    content = render_report_document(email_templates.environment(locale), locale, check, names)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(content, filename=report_texts.document_name(check.report)),
            caption=report_texts.document_caption(check.report),
        )


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(
        on_report_open, ReportCallback.filter(F.action == ReportAction.OPEN)
    )
    router.callback_query.register(
        on_rule_card, ReportCallback.filter(F.action == ReportAction.RULE)
    )
    router.callback_query.register(
        on_report_document, ReportCallback.filter(F.action == ReportAction.DOCUMENT)
    )
    router.callback_query.register(
        on_rule_mute, ReportCallback.filter(F.action == ReportAction.MUTE)
    )
    router.callback_query.register(
        on_rule_unmute, ReportCallback.filter(F.action == ReportAction.UNMUTE)
    )
    return router
