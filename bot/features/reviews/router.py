"""Review by people in chat: "📤 Send for review" (the team's gate first), the submission screen
and its steps, the code under review, comments by reply, and /reviews.

Every handler reads the submission through `core.services.submissions.visible_submission`
(inside the services): a forged or foreign id is answered "not found" and shows nothing."""

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ReviewAction, ReviewCallback, SubmitCallback
from bot.code_blocks import message_code
from bot.features.fixes import texts as fix_texts
from bot.features.reviews import texts as review_texts
from bot.features.reviews.keyboards import (
    build_after_comment_kb,
    build_blocked_kb,
    build_reviews_kb,
    build_sent_kb,
    build_submission_kb,
    build_team_choice_kb,
)
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from bot.screens import show
from bot.shared import texts as shared_texts
from core.config import Settings
from core.ports import Wakeup
from core.services import review_chat, review_comments, submission_views, submissions
from core.services.accounts import AccountView
from core.services.fixes import FixGate, FixInProgressError, FixNotStartedError
from core.services.gate import GateChecker
from core.team_errors import NotACommentReplyError

# How a review button's callback data begins (a replied message's buttons name its submission).
REVIEW_PREFIX = ReviewCallback.__prefix__ + ReviewCallback.__separator__


async def on_submit(
    callback: CallbackQuery,
    callback_data: SubmitCallback,
    session: AsyncSession,
    user_id: int,
    gate_checker: GateChecker,
    fix_gate: FixGate,
    wakeup: Wakeup,
) -> None:
    """Several teams and none chosen: the choice. Otherwise the team's gate runs (in the
    person's fix slot: one ruff run of theirs at a time) and the version is sent if it passes."""
    choice = await review_chat.submit_choice(session, user_id, callback_data.file_id)
    only = choice.teams[0].team_id if len(choice.teams) == 1 else 0
    team_id = callback_data.team_id or only
    if team_id not in {team.team_id for team in choice.teams}:  # none chosen, left, or forged
        await show(
            callback, review_texts.choose_team(choice.file_name), build_team_choice_kb(choice)
        )
        return
    try:
        async with fix_gate.run(user_id):
            outcome = await submissions.submit_for_review(
                session, gate_checker, user_id=user_id, file_id=choice.file_id, team_id=team_id
            )
    except FixNotStartedError as error:
        busy = not isinstance(error, FixInProgressError)
        text = fix_texts.fixes_busy() if busy else fix_texts.still_working()
        await callback.answer(text, show_alert=True)
        return
    await callback.answer()
    if outcome.submission_id is None:
        text, keyboard = review_texts.blocked(outcome), build_blocked_kb(outcome)
    else:
        await wakeup.notify()
        text, keyboard = review_texts.sent(outcome), build_sent_kb(outcome.submission_id)
    if callback.message is not None:
        await callback.message.answer(text, reply_markup=keyboard)


async def on_review_open(
    callback: CallbackQuery,
    callback_data: ReviewCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
) -> None:
    view = await submission_views.submission_view(session, user_id, callback_data.submission_id)
    await show(
        callback,
        review_texts.submission_screen(view),
        build_submission_kb(view, settings.webapp_url),
    )


async def on_review_step(
    callback: CallbackQuery,
    callback_data: ReviewCallback,
    session: AsyncSession,
    user_id: int,
    settings: Settings,
    wakeup: Wakeup,
) -> None:
    """Take, approve, request changes, withdraw or resolve a comment; the pressed message
    becomes the submission's screen as it is now."""
    submission_id, action = callback_data.submission_id, callback_data.action
    match action:
        case ReviewAction.TAKE:
            await submissions.take(session, user_id, submission_id)
        case ReviewAction.APPROVE:
            await submissions.approve(session, user_id, submission_id)
        case ReviewAction.CHANGES:
            await submissions.request_changes(session, user_id, submission_id)
        case ReviewAction.WITHDRAW:
            await submissions.withdraw(session, user_id, submission_id)
        case _:
            await review_comments.resolve_comment(
                session, user_id, submission_id, callback_data.comment_id
            )
    await wakeup.notify()
    view = await submission_views.submission_view(session, user_id, submission_id)
    await show(
        callback,
        review_texts.submission_screen(view),
        build_submission_kb(view, settings.webapp_url),
        notice=_step_notice(action, view, callback_data.comment_id),
    )


def _step_notice(
    action: ReviewAction, view: submission_views.SubmissionView, comment_id: int
) -> str:
    match action:
        case ReviewAction.TAKE:
            return review_texts.taken()
        case ReviewAction.APPROVE:
            return review_texts.approved()
        case ReviewAction.CHANGES:
            return review_texts.changes_requested()
        case ReviewAction.WITHDRAW:
            return review_texts.withdrawn()
        case _:
            return review_texts.resolved(review_texts.comment_numbers(view).get(comment_id, 0))


async def on_review_code(
    callback: CallbackQuery,
    callback_data: ReviewCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    code = await review_chat.submission_code(session, user_id, callback_data.submission_id)
    if not code.content:
        await callback.answer(shared_texts.empty_document(), show_alert=True)
        return
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(code.content, filename=code.name),
            caption=review_texts.code_caption(code.name, code.version),
        )


async def cmd_reviews(message: Message, session: AsyncSession, user_id: int) -> None:
    lists = await submission_views.review_lists(session, user_id)
    await message.answer(review_texts.reviews_screen(lists), reply_markup=build_reviews_kb(lists))


async def on_comment_reply(message: Message, session: AsyncSession, user_id: int) -> None:
    """`12: text`, `12-14: text` or a general comment, in reply to a submission's notice; a
    reply to anything else is answered as plain text is (`NotACommentReplyError`), or, when it
    holds a code block, goes on to be reviewed as pasted code."""
    replied = message.reply_to_message
    assert replied is not None  # guaranteed by the filter
    try:
        comment = await review_comments.comment_by_reply(
            session,
            user_id,
            chat_id=message.chat.id,
            message_id=replied.message_id,
            text=message.text or "",
            shown_submission_id=_submission_shown(replied),
        )
    except NotACommentReplyError:
        if message_code(message) is not None:
            raise SkipHandler from None  # pasted code, for the snippets router
        raise
    await message.answer(
        review_texts.comment_saved(comment.first_line, comment.last_line),
        reply_markup=build_after_comment_kb(comment.submission_id),
    )


def _submission_shown(replied: Message) -> int | None:
    """The one submission a message of ours shows (its screen, or what followed a comment),
    read from its buttons; the services still check who may comment on it."""
    markup = replied.reply_markup
    if replied.from_user is None or not replied.from_user.is_bot or markup is None:
        return None
    shown: set[int] = set()
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data or ""
            if data.startswith(REVIEW_PREFIX):
                try:
                    shown.add(ReviewCallback.unpack(data).submission_id)
                except (TypeError, ValueError):
                    continue
    # One submission only: a list (/reviews) shows several, and a reply to it names none.
    return shown.pop() if len(shown) == 1 else None


def _from_registered(message: Message, account: AccountView) -> bool:
    """Replies of people without an account go on to be answered as plain text is."""
    return account.user_id is not None


STEPS = {
    ReviewAction.TAKE,
    ReviewAction.APPROVE,
    ReviewAction.CHANGES,
    ReviewAction.WITHDRAW,
    ReviewAction.RESOLVE,
}


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.message.register(cmd_reviews, Command("reviews"))
    router.message.register(
        on_comment_reply,
        StateFilter(None),
        F.reply_to_message,
        F.text,
        NOT_COMMAND,
        _from_registered,
    )
    router.callback_query.register(on_submit, SubmitCallback.filter())
    router.callback_query.register(
        on_review_open,
        ReviewCallback.filter(F.action.in_({ReviewAction.OPEN, ReviewAction.COMMENTS})),
    )
    router.callback_query.register(on_review_step, ReviewCallback.filter(F.action.in_(STEPS)))
    router.callback_query.register(
        on_review_code, ReviewCallback.filter(F.action == ReviewAction.CODE)
    )
    return router
