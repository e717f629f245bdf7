"""The invite link `https://t.me/<bot>?start=join_<token>`: a registered person joins the team
at once; anyone else registers first (the token waits in the registration dialogue's data) and
joins as soon as their code is confirmed (`join_pending`, called by the auth feature)."""

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.auth import texts as auth_texts
from bot.features.teams import texts as team_texts
from bot.features.teams.keyboards import build_team_kb
from bot.features.teams.shown import bot_username
from bot.shared.error_texts import error_text
from bot.states import AuthFlow
from core.models import ConfirmationPurpose
from core.services import teams
from core.services.accounts import AccountView
from core.team_errors import AlreadyInTeamError, InviteNotValidError

JOIN_PREFIX = "join_"
PENDING_JOIN = "join_token"  # the registration dialogue's data: the invite to accept after it


def _full_name(message: Message) -> str:
    return message.from_user.full_name if message.from_user is not None else ""


async def cmd_start_join(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    bot: Bot,
) -> None:
    await state.clear()
    token = (command.args or "").removeprefix(JOIN_PREFIX)
    if account.user_id is None:
        await teams.invited_team(session, token)  # a wrong or old link is said at once
        await state.set_state(AuthFlow.email)
        await state.update_data(
            {"purpose": ConfirmationPurpose.REGISTER.value, PENDING_JOIN: token}
        )
        await message.answer(team_texts.register_to_join() + "\n\n" + auth_texts.welcome_new())
        return
    view = await teams.join_team(session, account.user_id, token, _full_name(message))
    notice = team_texts.joined(view.name, view.role)
    await message.answer(
        team_texts.team_screen(view, await bot_username(bot), notice=notice),
        reply_markup=build_team_kb(view),
    )


async def pending_join(state: FSMContext) -> dict[str, str]:
    """The invite waiting in the dialogue's data, to keep when /login starts over."""
    token = (await state.get_data()).get(PENDING_JOIN)
    return {PENDING_JOIN: token} if isinstance(token, str) else {}


async def join_pending(
    message: Message, session: AsyncSession, bot: Bot, user_id: int, data: dict[str, object]
) -> None:
    """After a confirmed code: accept the invite the person opened before registering."""
    token = data.get(PENDING_JOIN)
    if not isinstance(token, str):
        return
    try:
        view = await teams.join_team(session, user_id, token, _full_name(message))
    except (InviteNotValidError, AlreadyInTeamError) as error:
        await message.answer(error_text(error))
        return
    notice = team_texts.joined(view.name, view.role)
    await message.answer(
        team_texts.team_screen(view, await bot_username(bot), notice=notice),
        reply_markup=build_team_kb(view),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        cmd_start_join, CommandStart(deep_link=True, magic=F.args.startswith(JOIN_PREFIX))
    )
    return router
