"""Buttons under a review notice: what the recipient can do next with the submission."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FixAction,
    FixCallback,
    ReportAction,
    ReportCallback,
    ReviewAction,
    ReviewCallback,
)
from bot.features.fixes import texts as fix_texts
from bot.features.reports import texts as report_texts
from bot.features.reviews import notice_texts as texts
from bot.shared.webapp import webapp_button
from core.services.notices import Notice
from core.team_models import CommentState, NoticeKind

# "Resolve #k" buttons under a resubmission at most (one per comment whose line changed).
MAX_RESOLVE_BUTTONS = 8


def build_notice_kb(notice: Notice, webapp_url: str = "") -> InlineKeyboardMarkup | None:
    """None for the group chat's line and a withdrawal: nothing to do there."""
    if notice.group or notice.kind is NoticeKind.WITHDRAWN:
        return None
    builder = InlineKeyboardBuilder()
    if notice.kind is NoticeKind.BLOCKED:
        if notice.gate is None or notice.gate.check_id is None:
            return None
        check_id = notice.gate.check_id
        builder.button(
            text=fix_texts.button_fix(),
            callback_data=FixCallback(action=FixAction.PREVIEW, check_id=check_id),
        )
        builder.button(
            text=report_texts.button_full_report(),
            callback_data=ReportCallback(action=ReportAction.OPEN, check_id=check_id),
        )
        return builder.as_markup()
    _open(builder, notice, webapp_url)
    if notice.kind in {NoticeKind.SUBMITTED, NoticeKind.RESUBMITTED} and not notice.to_member:
        for action, text in (
            (ReviewAction.TAKE, texts.button_take()),
            (ReviewAction.APPROVE, texts.button_approve()),
            (ReviewAction.CHANGES, texts.button_changes()),
        ):
            builder.button(text=text, callback_data=_review(action, notice))
        builder.adjust(2)
        _resolve_buttons(builder, notice)
    elif notice.kind is NoticeKind.CHANGES_REQUESTED and notice.to_member:
        builder.button(
            text=texts.button_withdraw(), callback_data=_review(ReviewAction.WITHDRAW, notice)
        )
    return builder.as_markup()


def _review(action: ReviewAction, notice: Notice, comment_id: int = 0) -> ReviewCallback:
    return ReviewCallback(action=action, submission_id=notice.submission_id, comment_id=comment_id)


def _open(builder: InlineKeyboardBuilder, notice: Notice, webapp_url: str) -> None:
    """The submission in the Mini App's code view with WEBAPP_URL, else its screen in chat."""
    webapp = webapp_button(webapp_url, f"/reviews/{notice.submission_id}")
    if webapp is not None:
        builder.add(webapp)
        return
    builder.button(text=texts.button_open(), callback_data=_review(ReviewAction.OPEN, notice))


def _resolve_buttons(builder: InlineKeyboardBuilder, notice: Notice) -> None:
    """One per comment shown as "changed — resolve?", numbered as the message numbers them."""
    row = InlineKeyboardBuilder()
    changed = [
        (number, comment)
        for number, comment in enumerate(notice.comments, start=1)
        if comment.state is CommentState.CHANGED
    ]
    for number, comment in changed[:MAX_RESOLVE_BUTTONS]:
        row.button(
            text=texts.button_resolve(number),
            callback_data=_review(ReviewAction.RESOLVE, notice, comment.id),
        )
    row.adjust(4)
    builder.attach(row)
