"""The owner's settings of a team: its name, a new invite link, its rules (a preset or its own
ruff configuration), its gate, and unlinking its group chat. A prompt is shown only to the
owner; what they then send is checked again when it arrives."""

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import TeamAction, TeamCallback
from bot.features.rules import texts as rules_texts
from bot.features.rules.config_document import config_document
from bot.features.teams import texts as team_texts
from bot.features.teams.keyboards import build_team_kb, build_team_rules_kb
from bot.features.teams.shown import bot_username, pressed
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from bot.screens import show
from bot.states import TeamFlow
from core.models import RulePreset
from core.ruff_config import ConfigKind, read_own_config
from core.services import team_settings, teams
from core.services.teams import TeamView
from core.team_errors import TeamNotFoundError
from core.team_models import TeamRole
from infra.ruff.runner import RuffRunner

PRESET_VALUES = {preset.value for preset in RulePreset}
TEAM_KEY = "team_id"  # the FSM data of a dialogue: which team it is for


async def _team_of_dialogue(state: FSMContext) -> int:
    team_id = (await state.get_data()).get(TEAM_KEY)
    if not isinstance(team_id, int):
        await state.clear()
        raise TeamNotFoundError
    return team_id


async def _answer_team(message: Message, bot: Bot, view: TeamView, notice: str) -> None:
    await message.answer(
        team_texts.team_screen(view, await bot_username(bot), notice=notice),
        reply_markup=build_team_kb(view),
    )


async def _ask(callback: CallbackQuery, state: FSMContext, flow: State, text: str) -> None:
    await state.set_state(flow)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(text)


async def on_rename(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    await state.update_data({TEAM_KEY: view.team_id})
    await _ask(callback, state, TeamFlow.rename, team_texts.ask_rename(view.name))


async def on_rename_entered(
    message: Message, state: FSMContext, session: AsyncSession, user_id: int, bot: Bot
) -> None:
    team_id = await _team_of_dialogue(state)
    view = await team_settings.rename_team(session, user_id, team_id, message.text or "")
    await state.clear()
    await _answer_team(message, bot, view, team_texts.renamed())


async def on_new_link(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    session: AsyncSession,
    user_id: int,
    bot: Bot,
) -> None:
    view = await team_settings.renew_invite(session, user_id, callback_data.team_id)
    text = team_texts.team_screen(view, await bot_username(bot))
    await show(callback, text, build_team_kb(view), notice=team_texts.new_link())


async def on_unlink(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    session: AsyncSession,
    user_id: int,
    bot: Bot,
) -> None:
    view = await team_settings.unlink_group(session, user_id, callback_data.team_id)
    text = team_texts.team_screen(view, await bot_username(bot))
    await show(callback, text, build_team_kb(view), notice=team_texts.group_unlinked())


async def on_rules(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    await show(callback, team_texts.team_rules_screen(view), build_team_rules_kb(view))


async def on_preset(
    callback: CallbackQuery, callback_data: TeamCallback, session: AsyncSession, user_id: int
) -> None:
    preset = RulePreset(callback_data.preset)
    view = await team_settings.choose_team_preset(session, user_id, callback_data.team_id, preset)
    notice = team_texts.team_preset_chosen(view)
    await show(
        callback, team_texts.team_rules_screen(view), build_team_rules_kb(view), notice=notice
    )


async def on_config(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    await state.update_data({TEAM_KEY: view.team_id})
    await _ask(callback, state, TeamFlow.config, team_texts.send_team_config(view.name))


async def on_config_document(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
    ruff_runner: RuffRunner,
) -> None:
    found = await config_document(message, bot)
    if found is not None:
        await _use_config(message, bot, state, session, user_id, ruff_runner, *found)


async def on_config_text(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
    ruff_runner: RuffRunner,
) -> None:
    raw = (message.text or "").encode("utf-8")
    await _use_config(message, bot, state, session, user_id, ruff_runner, raw, None)


async def on_config_other(message: Message) -> None:
    await message.answer(rules_texts.config_expected())


async def _use_config(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
    ruff_runner: RuffRunner,
    raw: bytes,
    kind: ConfigKind | None,
) -> None:
    """Read, validate and store the team's configuration; the dialogue ends once it is taken."""
    team_id = await _team_of_dialogue(state)
    config = read_own_config(raw, kind)
    view = await team_settings.use_team_config(
        session, user_id, team_id, config, ruff_runner.validate_config
    )
    await state.clear()
    await message.answer(
        team_texts.team_rules_screen(view, notice=team_texts.team_config_saved()),
        reply_markup=build_team_rules_kb(view),
    )


async def on_gate(
    callback: CallbackQuery,
    callback_data: TeamCallback,
    state: FSMContext,
    session: AsyncSession,
    user_id: int,
) -> None:
    view = await teams.team_view(session, user_id, callback_data.team_id, TeamRole.OWNER)
    await state.update_data({TEAM_KEY: view.team_id})
    await _ask(callback, state, TeamFlow.gate, team_texts.ask_gate(view))


async def on_gate_entered(
    message: Message, state: FSMContext, session: AsyncSession, user_id: int, bot: Bot
) -> None:
    team_id = await _team_of_dialogue(state)
    max_issues = team_settings.gate_value(message.text or "")
    view = await team_settings.set_gate(session, user_id, team_id, max_issues)
    await state.clear()
    await _answer_team(message, bot, view, team_texts.gate_set(view.gate_max_issues))


async def on_rename_other(message: Message) -> None:
    await message.answer(team_texts.name_expected())


async def on_gate_other(message: Message) -> None:
    await message.answer(team_texts.gate_expected())


def build_router() -> Router:
    router = registered_only(Router(name=__name__))
    router.callback_query.register(on_rename, pressed(TeamAction.RENAME))
    router.callback_query.register(on_new_link, pressed(TeamAction.NEW_LINK))
    router.callback_query.register(on_unlink, pressed(TeamAction.UNLINK))
    router.callback_query.register(on_rules, pressed(TeamAction.RULES))
    router.callback_query.register(
        on_preset,
        TeamCallback.filter((F.action == TeamAction.PRESET) & F.preset.in_(PRESET_VALUES)),
    )
    router.callback_query.register(on_config, pressed(TeamAction.CONFIG))
    router.callback_query.register(on_gate, pressed(TeamAction.GATE))
    router.message.register(on_rename_entered, TeamFlow.rename, F.text, NOT_COMMAND)
    router.message.register(on_config_document, TeamFlow.config, F.document)
    router.message.register(on_config_text, TeamFlow.config, F.text, NOT_COMMAND)
    router.message.register(on_config_other, TeamFlow.config, NOT_COMMAND)
    router.message.register(on_gate_entered, TeamFlow.gate, F.text, NOT_COMMAND)
    router.message.register(on_gate_other, TeamFlow.gate, NOT_COMMAND)
    router.message.register(on_rename_other, TeamFlow.rename, NOT_COMMAND)
    return router
