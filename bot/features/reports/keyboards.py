"""Keyboards of a check's report: its rules, its pages, the HTML document, and the way back."""

from collections.abc import Mapping

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    CheckLogAction,
    CheckLogCallback,
    FileAction,
    FileCallback,
    FixAction,
    FixCallback,
    ReportAction,
    ReportCallback,
)
from bot.features.fixes import texts as fix_texts
from bot.features.reports import texts as report_texts
from bot.features.reports.pages import ReportPage, report_page
from bot.features.rules import texts as rules_texts
from bot.shared import texts as shared_texts
from bot.shared.webapp import webapp_button
from core.ports import Rule
from core.review import SYNTAX_ERROR_CODE
from core.services.reports import OwnedCheck


def build_report_kb(
    check: OwnedCheck, page: ReportPage, webapp_url: str = ""
) -> InlineKeyboardMarkup:
    """Per rule its card and Mute/Unmute, the pages, Fix and the HTML document, then « Back
    (with WEBAPP_URL, "🌐 Open" beside it: the report in the Mini App)."""
    check_id = check.report.check_id
    builder = InlineKeyboardBuilder()
    for code in page.rules:
        row = InlineKeyboardBuilder()
        row.button(
            text=report_texts.button_rule(code),
            callback_data=ReportCallback(
                action=ReportAction.RULE, check_id=check_id, page=page.number, rule=code
            ),
        )
        if code != SYNTAX_ERROR_CODE:  # not a rule: nothing to mute
            muted = code in check.muted_now
            row.button(
                text=rules_texts.button_unmute(code) if muted else rules_texts.button_mute(code),
                callback_data=ReportCallback(
                    action=ReportAction.UNMUTE if muted else ReportAction.MUTE,
                    check_id=check_id,
                    page=page.number,
                    rule=code,
                ),
            )
        builder.attach(row)
    navigation = InlineKeyboardBuilder()
    if page.number > 0:
        navigation.button(
            text=shared_texts.button_previous(),
            callback_data=ReportCallback(
                action=ReportAction.OPEN, check_id=check_id, page=page.number - 1
            ),
        )
    if page.number < page.count - 1:
        navigation.button(
            text=shared_texts.button_next(),
            callback_data=ReportCallback(
                action=ReportAction.OPEN, check_id=check_id, page=page.number + 1
            ),
        )
    builder.attach(navigation)
    if check.report.issues:
        document = InlineKeyboardBuilder()
        if any(issue.fixable for issue in check.report.issues):
            document.button(
                text=fix_texts.button_fix(),
                callback_data=FixCallback(
                    action=FixAction.PREVIEW, check_id=check_id, page=page.number
                ),
            )
        document.button(
            text=report_texts.button_html_report(),
            callback_data=ReportCallback(
                action=ReportAction.DOCUMENT, check_id=check_id, page=page.number
            ),
        )
        builder.attach(document)
    back = _back(check)
    webapp = webapp_button(webapp_url, f"/checks/{check_id}")
    if webapp is not None:
        back.add(webapp)
    builder.attach(back)
    return builder.as_markup()


def build_rule_card_kb(check_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=shared_texts.button_back(),
        callback_data=ReportCallback(action=ReportAction.OPEN, check_id=check_id, page=page),
    )
    return builder.as_markup()


def _back(check: OwnedCheck) -> InlineKeyboardBuilder:
    """Back to the file's card while the file is active; to the check log once deleted."""
    builder = InlineKeyboardBuilder()
    if check.file_active:
        target: FileCallback | CheckLogCallback = FileCallback(
            action=FileAction.OPEN, file_id=check.report.file_id
        )
    else:
        target = CheckLogCallback(action=CheckLogAction.PAGE)
    builder.button(text=shared_texts.button_back(), callback_data=target)
    return builder


def report_screen(
    check: OwnedCheck, rules: Mapping[str, Rule], number: int, webapp_url: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """Page `number` of the check's report with its keyboard."""
    page = report_page(check, rules, number)
    return page.text, build_report_kb(check, page, webapp_url)


def build_result_kb(check_id: int, webapp_url: str = "") -> InlineKeyboardMarkup:
    """Under a check's result in the chat: the report of that very check (and, with
    WEBAPP_URL, "🌐 Open" beside it: the same report in the Mini App)."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=report_texts.button_full_report(),
        callback_data=ReportCallback(action=ReportAction.OPEN, check_id=check_id),
    )
    webapp = webapp_button(webapp_url, f"/checks/{check_id}")
    if webapp is not None:
        builder.add(webapp)
    return builder.as_markup()
