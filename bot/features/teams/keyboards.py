"""Keyboards of `/team`: the person's teams, a team's screen (by role), the owner's screens of
its people, its rules, the confirmations, and the group chat's choice of team."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    DashboardAction,
    DashboardCallback,
    TeamAction,
    TeamCallback,
    TeamGroupCallback,
)
from bot.features.reports.texts import preset_name
from bot.features.teams import buttons
from bot.shared.texts import button_back, button_next, button_previous
from core.models import RulePreset
from core.services.teams import TeamSummary, TeamView
from core.team_models import Team, TeamRole

MEMBERS_PER_PAGE = 20


def _press(action: TeamAction, team_id: int = 0, member_id: int = 0) -> TeamCallback:
    return TeamCallback(action=action, team_id=team_id, member_id=member_id)


def build_teams_kb(teams: list[TeamSummary]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for team in teams:
        builder.button(
            text=buttons.button_team(team), callback_data=_press(TeamAction.OPEN, team.team_id)
        )
    builder.button(text=buttons.button_new_team(), callback_data=_press(TeamAction.NEW))
    builder.adjust(1)
    return builder.as_markup()


def build_team_kb(view: TeamView) -> InlineKeyboardMarkup:
    team = view.team_id
    builder = InlineKeyboardBuilder()
    sizes: list[int] = []
    if view.role is TeamRole.OWNER:
        builder.button(
            text=buttons.button_members(), callback_data=_press(TeamAction.MEMBERS, team)
        )
    if view.reviews:
        builder.button(
            text=buttons.button_dashboard(),
            callback_data=DashboardCallback(action=DashboardAction.OPEN, team_id=team),
        )
    sizes.append(2 if view.role is TeamRole.OWNER else 1)
    if view.role is TeamRole.OWNER:
        builder.button(text=buttons.button_rename(), callback_data=_press(TeamAction.RENAME, team))
        builder.button(
            text=buttons.button_new_link(), callback_data=_press(TeamAction.NEW_LINK, team)
        )
        builder.button(text=buttons.button_rules(), callback_data=_press(TeamAction.RULES, team))
        builder.button(text=buttons.button_gate(), callback_data=_press(TeamAction.GATE, team))
        sizes += [2, 2]
        if view.group_chat_id is not None:
            builder.button(
                text=buttons.button_unlink(), callback_data=_press(TeamAction.UNLINK, team)
            )
            sizes.append(1)
        builder.button(text=buttons.button_delete(), callback_data=_press(TeamAction.DELETE, team))
    else:
        builder.button(text=buttons.button_leave(), callback_data=_press(TeamAction.LEAVE, team))
    builder.button(text=buttons.button_teams(), callback_data=_press(TeamAction.LIST))
    builder.adjust(*sizes, 1)
    return builder.as_markup()


def build_members_kb(view: TeamView, page: int = 0) -> InlineKeyboardMarkup:
    """A button per person but the owner, MEMBERS_PER_PAGE a page."""
    people = [member for member in view.members if member.role is not TeamRole.OWNER]
    pages = max(1, -(-len(people) // MEMBERS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for member in people[page * MEMBERS_PER_PAGE : (page + 1) * MEMBERS_PER_PAGE]:
        builder.button(
            text=buttons.button_member(member),
            callback_data=_press(TeamAction.MEMBER, view.team_id, member.member_id),
        )
    builder.adjust(1)
    paging = InlineKeyboardBuilder()
    for shown, text, to in (
        (page > 0, button_previous(), page - 1),
        (page < pages - 1, button_next(), page + 1),
    ):
        if shown:
            paging.button(
                text=text,
                callback_data=TeamCallback(
                    action=TeamAction.MEMBERS, team_id=view.team_id, page=to
                ),
            )
    builder.attach(paging)
    back = InlineKeyboardBuilder()
    back.button(
        text=buttons.button_back_to_team(), callback_data=_press(TeamAction.OPEN, view.team_id)
    )
    builder.attach(back)
    return builder.as_markup()


def build_member_kb(team_id: int, member_id: int, role: TeamRole) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if role is TeamRole.MEMBER:
        builder.button(
            text=buttons.button_make_reviewer(),
            callback_data=_press(TeamAction.REVIEWER, team_id, member_id),
        )
    else:
        builder.button(
            text=buttons.button_make_member(),
            callback_data=_press(TeamAction.DEMOTE, team_id, member_id),
        )
        builder.button(
            text=buttons.button_make_owner(),
            callback_data=_press(TeamAction.OWNER, team_id, member_id),
        )
    builder.button(
        text=buttons.button_remove(), callback_data=_press(TeamAction.REMOVE, team_id, member_id)
    )
    builder.button(
        text=buttons.button_back_to_members(), callback_data=_press(TeamAction.MEMBERS, team_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def build_confirm_kb(yes_text: str, yes: TeamCallback, back: TeamCallback) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=yes_text, callback_data=yes)
    builder.button(text=button_back(), callback_data=back)
    builder.adjust(2)
    return builder.as_markup()


def build_team_rules_kb(view: TeamView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    presets = list(RulePreset.built_in())
    if view.config_hash is not None:
        presets.append(RulePreset.CUSTOM)
    for preset in presets:
        name = preset_name(preset, view.config_hash)
        builder.button(
            text=f"✅ {name}" if view.preset is preset else name,
            callback_data=TeamCallback(
                action=TeamAction.PRESET, team_id=view.team_id, preset=preset.value
            ),
        )
    builder.button(
        text=buttons.button_use_config(), callback_data=_press(TeamAction.CONFIG, view.team_id)
    )
    builder.button(
        text=buttons.button_back_to_team(), callback_data=_press(TeamAction.OPEN, view.team_id)
    )
    builder.adjust(len(RulePreset.built_in()), 1)
    return builder.as_markup()


def build_group_kb(teams: list[Team], chat_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for team in teams:
        mark = "✅ " if team.group_chat_id == chat_id else ""
        builder.button(text=mark + team.name, callback_data=TeamGroupCallback(team_id=team.id))
    builder.adjust(1)
    return builder.as_markup()
