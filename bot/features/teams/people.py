"""The owner's screens of a team's people: the list, one person, their role, handing the team
over, and removing someone."""

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import TeamAction, TeamCallback
from bot.features.teams import buttons
from bot.features.teams import texts as team_texts
from bot.features.teams.keyboards import build_confirm_kb, build_member_kb, build_members_kb
from bot.features.teams.shown import pressed
from bot.middlewares import registered_only
from bot.screens import show
from core.services import team_settings, teams
from core.team_models import TeamRole

ROLES = {TeamAction.REVIEWER: TeamRole.REVIEWER, TeamAction.DEMOTE: TeamRole.MEMBER}


async def on_members(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    page = callback_data.page
    await show(callback, team_texts.members_screen(view), build_members_kb(view, page))


async def on_member(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view, member = await team_settings.member_view(
        session, user_id, callback_data.team_id, callback_data.member_id
    )
    await show(
        callback,
        team_texts.member_screen(view, member.display_name, member.role),
        build_member_kb(view.team_id, member.id, member.role),
    )


async def on_role(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    role = ROLES[callback_data.action]
    member = await team_settings.set_role(
        session, user_id, callback_data.team_id, callback_data.member_id, role
    )
    view = await teams.team_view(session, user_id, callback_data.team_id)
    await show(
        callback,
        team_texts.member_screen(view, member.display_name, member.role),
        build_member_kb(view.team_id, member.id, member.role),
        notice=team_texts.role_changed(member.display_name, member.role),
    )


async def on_owner(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view, member = await team_settings.member_view(
        session, user_id, callback_data.team_id, callback_data.member_id
    )
    yes = TeamCallback(action=TeamAction.OWNER_YES, team_id=view.team_id, member_id=member.id)
    back = TeamCallback(action=TeamAction.MEMBER, team_id=view.team_id, member_id=member.id)
    keyboard = build_confirm_kb(buttons.button_yes_owner(), yes, back)
    await show(callback, team_texts.confirm_owner(member.display_name, view.name), keyboard)


async def on_owner_confirmed(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    member = await team_settings.make_owner(
        session, user_id, callback_data.team_id, callback_data.member_id
    )
    view = await teams.team_view(session, user_id, callback_data.team_id)
    await show(
        callback,
        team_texts.members_screen(view),
        build_members_kb(view),
        notice=team_texts.owner_changed(member.display_name),
    )


async def on_remove(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view, member = await team_settings.member_view(
        session, user_id, callback_data.team_id, callback_data.member_id
    )
    yes = TeamCallback(action=TeamAction.REMOVE_YES, team_id=view.team_id, member_id=member.id)
    back = TeamCallback(action=TeamAction.MEMBER, team_id=view.team_id, member_id=member.id)
    keyboard = build_confirm_kb(buttons.button_yes_remove(), yes, back)
    await show(callback, team_texts.confirm_remove(member.display_name, view.name), keyboard)


async def on_remove_confirmed(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    name = await team_settings.remove_member(
        session, user_id, callback_data.team_id, callback_data.member_id
    )
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    await show(
        callback,
        team_texts.members_screen(view),
        build_members_kb(view),
        notice=team_texts.removed(name),
    )


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(on_members, pressed(TeamAction.MEMBERS))
    router.callback_query.register(on_member, pressed(TeamAction.MEMBER))
    router.callback_query.register(on_role, pressed(TeamAction.REVIEWER, TeamAction.DEMOTE))
    router.callback_query.register(on_owner, pressed(TeamAction.OWNER))
    router.callback_query.register(on_owner_confirmed, pressed(TeamAction.OWNER_YES))
    router.callback_query.register(on_remove, pressed(TeamAction.REMOVE))
    router.callback_query.register(on_remove_confirmed, pressed(TeamAction.REMOVE_YES))
    return router
