"""A team's group chat: `/team` sent in a group by a team's owner offers their teams to link
the group to; anyone else gets one line. Nothing else of the bot works in a group
(`bot/private_chats.py` lets only these two through)."""

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import TeamGroupCallback
from bot.features.teams import texts as team_texts
from bot.features.teams.keyboards import build_group_kb
from bot.shared.error_texts import error_text
from core.services import team_settings, teams
from core.services.accounts import AccountView
from core.team_errors import GroupLinkedElsewhereError, TeamNotFoundError, TeamRoleRequiredError

GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}


async def cmd_team_in_group(message: Message, session: AsyncSession, account: AccountView) -> None:
    owned = (
        await teams.owned_teams(session, account.user_id) if account.user_id is not None else []
    )
    if not owned:
        await message.answer(team_texts.group_owner_only())
        return
    await message.answer(
        team_texts.group_choose_team(), reply_markup=build_group_kb(owned, message.chat.id)
    )


async def on_group_link(
    callback: CallbackQuery,
    callback_data: TeamGroupCallback,
    session: AsyncSession,
    account: AccountView,
) -> None:
    message = callback.message
    if account.user_id is None or message is None:
        await callback.answer(team_texts.group_owner_only(), show_alert=True)
        return
    try:
        name = await team_settings.link_group(
            session, account.user_id, callback_data.team_id, message.chat.id
        )
    except (TeamNotFoundError, TeamRoleRequiredError):
        await callback.answer(team_texts.group_owner_only(), show_alert=True)
        return
    except GroupLinkedElsewhereError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer()
    if isinstance(message, Message):
        await message.edit_text(team_texts.group_linked(name))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type.in_(GROUPS))
    router.callback_query.filter(F.message.chat.type.in_(GROUPS))
    router.message.register(cmd_team_in_group, Command("team"))
    router.callback_query.register(on_group_link, TeamGroupCallback.filter())
    return router
