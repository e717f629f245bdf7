"""Registration (/start), login (/login) and logout (/logout) by an emailed one-time code."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import CodeAction, CodeCallback
from bot.features.accounts import texts as account_texts
from bot.features.accounts.keyboards import build_accounts_kb
from bot.features.accounts.linked import notify_other_accounts, telegram_names
from bot.features.auth import texts as auth_texts
from bot.features.auth.codes import CodeSending
from bot.features.auth.keyboards import build_code_kb
from bot.features.teams.joining import join_pending, pending_join
from bot.filters import NOT_COMMAND
from bot.states import AuthFlow
from core.errors import ConfirmationNotFoundError
from core.models import ConfirmationPurpose
from core.services import accounts
from core.services.accounts import AccountView

CODE_PATTERN = r"^\s*\d{6}\s*$"


async def cmd_start(
    message: Message, state: FSMContext, session: AsyncSession, account: AccountView, bot: Bot
) -> None:
    await state.clear()
    if account.email is not None and account.user_id is not None:
        linked = await accounts.linked_accounts(session, user_id=account.user_id)
        names = await telegram_names(bot, linked)
        await message.answer(
            auth_texts.welcome_back(account.email)
            + "\n\n"
            + account_texts.linked_accounts(linked, account.account_id, names),
            reply_markup=build_accounts_kb(linked, account.account_id),
        )
        return
    await state.set_state(AuthFlow.email)
    await state.update_data(purpose=ConfirmationPurpose.REGISTER.value)
    await message.answer(auth_texts.welcome_new())


async def cmd_login(message: Message, state: FSMContext, account: AccountView) -> None:
    invite = await pending_join(state)  # a team's invite opened before signing in stays
    await state.clear()
    if account.email is not None:
        await message.answer(auth_texts.welcome_back(account.email))
        return
    await state.set_state(AuthFlow.email)
    await state.update_data({"purpose": ConfirmationPurpose.LOGIN.value, **invite})
    await message.answer(auth_texts.ask_login_email())


async def cmd_logout(
    message: Message, state: FSMContext, session: AsyncSession, account: AccountView
) -> None:
    await state.clear()
    email = await accounts.logout(session, telegram_id=account.telegram_id)
    await message.answer(auth_texts.logged_out(email))


async def on_email_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    i18n: I18n,
    codes: CodeSending,
) -> None:
    purpose = ConfirmationPurpose((await state.get_data())["purpose"])
    sent = await codes.request(
        session,
        locale=i18n.current_locale,
        telegram_id=account.telegram_id,
        email_text=message.text or "",
        purpose=purpose,
    )
    await state.set_state(AuthFlow.code)
    await state.update_data(confirmation_id=sent.confirmation_id)
    await message.answer(
        auth_texts.code_sent(sent.email, sent.lifetime_minutes), reply_markup=build_code_kb()
    )


async def on_email_not_text(message: Message) -> None:
    await message.answer(auth_texts.email_expected())


async def on_code_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    codes: CodeSending,
    bot: Bot,
    i18n: I18n,
) -> None:
    dialogue = await state.get_data()
    confirmation_id = dialogue.get("confirmation_id")
    if confirmation_id is None:
        raise ConfirmationNotFoundError
    confirmed = await codes.confirm(
        session,
        telegram_id=account.telegram_id,
        confirmation_id=confirmation_id,
        code_text=message.text or "",
    )
    await state.clear()
    if confirmed.purpose is ConfirmationPurpose.REGISTER:
        await message.answer(auth_texts.registered(confirmed.email))
    else:
        await message.answer(auth_texts.logged_in(confirmed.email))
        await notify_other_accounts(session, bot, i18n, user_id=confirmed.user_id, account=account)
    # An invite opened before the account existed is accepted now (bot/features/teams).
    await join_pending(message, session, bot, confirmed.user_id, dialogue)


async def on_code_malformed(message: Message) -> None:
    await message.answer(auth_texts.code_format())


async def on_code_resend(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    i18n: I18n,
    codes: CodeSending,
) -> None:
    confirmation_id = (await state.get_data()).get("confirmation_id")
    if confirmation_id is None:
        raise ConfirmationNotFoundError
    sent = await codes.resend(
        session,
        locale=i18n.current_locale,
        telegram_id=account.telegram_id,
        confirmation_id=confirmation_id,
    )
    await state.update_data(confirmation_id=sent.confirmation_id)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(
            auth_texts.code_sent(sent.email, sent.lifetime_minutes), reply_markup=build_code_kb()
        )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_login, Command("login"))
    router.message.register(cmd_logout, Command("logout"))
    router.message.register(on_email_entered, AuthFlow.email, F.text, NOT_COMMAND)
    router.message.register(on_email_not_text, AuthFlow.email, NOT_COMMAND)
    router.message.register(on_code_entered, AuthFlow.code, F.text.regexp(CODE_PATTERN))
    router.message.register(on_code_malformed, AuthFlow.code, NOT_COMMAND)
    router.callback_query.register(
        on_code_resend, AuthFlow.code, CodeCallback.filter(F.action == CodeAction.RESEND)
    )
    return router
