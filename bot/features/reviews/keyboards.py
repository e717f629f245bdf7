"""Keyboards of review by people in chat."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FileAction,
    FileCallback,
    FixAction,
    FixCallback,
    ReportAction,
    ReportCallback,
    ReviewAction,
    ReviewCallback,
    SubmitCallback,
)
from bot.features.files import texts as file_texts
from bot.features.fixes import texts as fix_texts
from bot.features.reviews import texts as review_texts
from bot.shared import texts as shared_texts
from bot.shared.webapp import webapp_button
from core.services.review_chat import SubmitChoice
from core.services.submission_views import ReviewLists, SubmissionView
from core.services.submissions import SubmitOutcome
from core.team_models import CommentState

MAX_RESOLVE_BUTTONS = 8


def build_team_choice_kb(choice: SubmitChoice) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for team in choice.teams:
        builder.button(
            text=team.name,
            callback_data=SubmitCallback(file_id=choice.file_id, team_id=team.team_id),
        )
    builder.button(
        text=shared_texts.button_back(),
        callback_data=FileCallback(action=FileAction.OPEN, file_id=choice.file_id),
    )
    builder.adjust(1)
    return builder.as_markup()


def build_blocked_kb(outcome: SubmitOutcome) -> InlineKeyboardMarkup:
    """Fix (the gate check's fixes, with its rules) and the gate check's report."""
    check_id = outcome.verdict.check_id
    builder = InlineKeyboardBuilder()
    if outcome.verdict.error is None:
        builder.button(
            text=fix_texts.button_fix(),
            callback_data=FixCallback(action=FixAction.PREVIEW, check_id=check_id),
        )
    builder.button(
        text=file_texts.button_report(),
        callback_data=ReportCallback(action=ReportAction.OPEN, check_id=check_id),
    )
    return builder.as_markup()


def build_sent_kb(submission_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=review_texts.button_open(),
        callback_data=ReviewCallback(action=ReviewAction.OPEN, submission_id=submission_id),
    )
    return builder.as_markup()


def build_submission_kb(view: SubmissionView, webapp_url: str = "") -> InlineKeyboardMarkup:
    """The steps the viewer may take, Resolve per open or changed comment, the code, and the
    Mini App's view with WEBAPP_URL."""

    def step(text: str, action: ReviewAction, comment_id: int = 0) -> InlineKeyboardButton:
        data = ReviewCallback(
            action=action, submission_id=view.submission_id, comment_id=comment_id
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    rows: list[list[InlineKeyboardButton]] = []
    steps = []
    if view.can_take:
        steps.append(step(review_texts.button_take(), ReviewAction.TAKE))
    if view.can_approve:
        steps.append(step(review_texts.button_approve(), ReviewAction.APPROVE))
    if steps:
        rows.append(steps)
    if view.can_request_changes:
        rows.append([step(review_texts.button_request_changes(), ReviewAction.CHANGES)])
    if view.can_withdraw:
        rows.append([step(review_texts.button_withdraw(), ReviewAction.WITHDRAW)])
    if view.can_comment:
        numbers = review_texts.comment_numbers(view)
        resolvable = [
            step(
                review_texts.button_resolve(numbers[comment.comment_id]),
                ReviewAction.RESOLVE,
                comment.comment_id,
            )
            for comment in view.comments
            if comment.state in {CommentState.OPEN, CommentState.CHANGED}
        ][:MAX_RESOLVE_BUTTONS]
        rows.extend(resolvable[i : i + 2] for i in range(0, len(resolvable), 2))
    last = [step(review_texts.button_code(), ReviewAction.CODE)]
    webapp = webapp_button(webapp_url, f"/reviews/{view.submission_id}")
    if webapp is not None:
        last.append(webapp)
    rows.append(last)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def build_after_comment_kb(submission_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, action in (
        (review_texts.button_request_changes(), ReviewAction.CHANGES),
        (review_texts.button_approve(), ReviewAction.APPROVE),
    ):
        builder.button(
            text=text,
            callback_data=ReviewCallback(action=action, submission_id=submission_id),
        )
    builder.button(
        text=review_texts.button_open(),
        callback_data=ReviewCallback(action=ReviewAction.OPEN, submission_id=submission_id),
    )
    builder.adjust(2, 1)
    return builder.as_markup()


def build_reviews_kb(lists: ReviewLists) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for line in (*lists.to_review, *lists.mine):
        builder.button(
            text=review_texts.list_button(line),
            callback_data=ReviewCallback(
                action=ReviewAction.OPEN, submission_id=line.submission_id
            ),
        )
    builder.adjust(1)
    return builder.as_markup()
