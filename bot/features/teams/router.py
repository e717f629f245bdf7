"""/team: the person's teams, creating one, a team's screen, leaving and deleting it. The
owner's screens of its people are in `people.py`, its settings in `settings.py`, the invite
link in `joining.py` and the group chat in `groups.py`."""

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import TeamAction, TeamCallback
from bot.features.teams import buttons, groups, joining, people, settings
from bot.features.teams import texts as team_texts
from bot.features.teams.keyboards import build_confirm_kb, build_team_kb, build_teams_kb
from bot.features.teams.shown import bot_username, pressed
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from bot.screens import show
from bot.states import TeamFlow
from core.services import team_settings, teams
from core.team_models import TeamRole


async def cmd_team(
    message: Message, state: FSMContext, session: AsyncSession, user_id: int
) -> None:
    await state.clear()
    mine = await teams.my_teams(session, user_id)
    await message.answer(team_texts.teams_screen(mine), reply_markup=build_teams_kb(mine))


async def on_list(callback: CallbackQuery, session: AsyncSession, user_id: int) -> None:
    mine = await teams.my_teams(session, user_id)
    await show(callback, team_texts.teams_screen(mine), build_teams_kb(mine))


async def on_open(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    session: AsyncSession,
    user_id: int,
    bot: Bot,
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id)
    await show(
        callback, team_texts.team_screen(view, await bot_username(bot)), build_team_kb(view)
    )


async def on_new(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(TeamFlow.name)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(team_texts.ask_name())


async def on_name_entered(
    message: Message, state: FSMContext, session: AsyncSession, user_id: int, bot: Bot
) -> None:
    shown_as = message.from_user.full_name if message.from_user is not None else ""
    view = await teams.create_team(session, user_id, message.text or "", shown_as)
    await state.clear()
    notice = team_texts.created(view.name)
    await message.answer(
        team_texts.team_screen(view, await bot_username(bot), notice=notice),
        reply_markup=build_team_kb(view),
    )


async def on_name_other(message: Message) -> None:
    await message.answer(team_texts.name_expected())


async def on_leave(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id)
    back = TeamCallback(action=TeamAction.OPEN, team_id=view.team_id)
    yes = TeamCallback(action=TeamAction.LEAVE_YES, team_id=view.team_id)
    keyboard = build_confirm_kb(buttons.button_yes_leave(), yes, back)
    await show(callback, team_texts.confirm_leave(view.name), keyboard)


async def on_leave_confirmed(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    name = await teams.leave_team(session, user_id, callback_data.team_id)
    mine = await teams.my_teams(session, user_id)
    await show(
        callback, team_texts.teams_screen(mine, notice=team_texts.left(name)), build_teams_kb(mine)
    )


async def on_delete(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    back = TeamCallback(action=TeamAction.OPEN, team_id=view.team_id)
    yes = TeamCallback(action=TeamAction.DELETE_YES, team_id=view.team_id)
    keyboard = build_confirm_kb(buttons.button_yes_delete(), yes, back)
    await show(callback, team_texts.confirm_delete(view.name), keyboard)


async def on_delete_confirmed(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    name = await team_settings.delete_team(session, user_id, callback_data.team_id)
    mine = await teams.my_teams(session, user_id)
    notice = team_texts.deleted(name)
    await show(callback, team_texts.teams_screen(mine, notice=notice), build_teams_kb(mine))


def _screen_router() -> Router:
    router = registered_only(Router(name=f"{__name__}.screen"))
    router.message.register(cmd_team, Command("team"), F.chat.type == ChatType.PRIVATE)
    router.callback_query.register(on_list, pressed(TeamAction.LIST))
    router.callback_query.register(on_open, pressed(TeamAction.OPEN))
    router.callback_query.register(on_new, pressed(TeamAction.NEW))
    router.callback_query.register(on_leave, pressed(TeamAction.LEAVE))
    router.callback_query.register(on_leave_confirmed, pressed(TeamAction.LEAVE_YES))
    router.callback_query.register(on_delete, pressed(TeamAction.DELETE))
    router.callback_query.register(on_delete_confirmed, pressed(TeamAction.DELETE_YES))
    router.message.register(on_name_entered, TeamFlow.name, F.text, NOT_COMMAND)
    router.message.register(on_name_other, TeamFlow.name, NOT_COMMAND)
    return router


def build_router() -> Router:
    router = Router(name=__name__)
    router.include_routers(
        groups.build_router(),
        joining.build_router(),
        _screen_router(),
        people.build_router(),
        settings.build_router(),
    )
    return router
