"""/rules: the preset, the muted rules, and the person's own ruff configuration (a document
or pasted text, only while they are asked for it)."""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import RulesAction, RulesCallback
from bot.features.rules import texts as rules_texts
from bot.features.rules.config_document import config_document
from bot.features.rules.keyboards import build_rules_kb
from bot.filters import NOT_COMMAND
from bot.middlewares import registered_only
from bot.screens import show
from bot.states import RulesFlow
from core.models import RulePreset
from core.ruff_config import ConfigKind, read_own_config
from core.services import rules
from core.services.accounts import AccountView
from infra.ruff.runner import RuffRunner

PRESET_VALUES = {preset.value for preset in RulePreset}


async def cmd_rules(message: Message, session: AsyncSession, user_id: int) -> None:
    settings = await rules.rule_settings(session, user_id)
    await message.answer(rules_texts.rules_screen(settings), reply_markup=build_rules_kb(settings))


async def on_preset(
    callback: CallbackQuery,
    callback_data: RulesCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    preset = RulePreset(callback_data.preset)
    settings = await rules.choose_preset(session, user_id, preset)
    notice = rules_texts.preset_chosen(preset, settings.own_config_hash)
    await show(
        callback, rules_texts.rules_screen(settings), build_rules_kb(settings), notice=notice
    )


async def on_unmute(
    callback: CallbackQuery,
    callback_data: RulesCallback,
    session: AsyncSession,
    user_id: int,
) -> None:
    await rules.unmute_rule(session, user_id, callback_data.rule)
    settings = await rules.rule_settings(session, user_id)
    notice = rules_texts.unmuted(callback_data.rule)
    await show(
        callback, rules_texts.rules_screen(settings), build_rules_kb(settings), notice=notice
    )


async def on_own_config(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(RulesFlow.config)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(rules_texts.send_config())


async def on_config_document(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    ruff_runner: RuffRunner,
) -> None:
    found = await config_document(message, bot)
    if found is not None:
        await _use_config(message, state, session, account, ruff_runner, *found)


async def on_config_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    ruff_runner: RuffRunner,
) -> None:
    raw = (message.text or "").encode("utf-8")
    await _use_config(message, state, session, account, ruff_runner, raw, kind=None)


async def on_config_other(message: Message) -> None:
    await message.answer(rules_texts.config_expected())


async def _use_config(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: AccountView,
    ruff_runner: RuffRunner,
    raw: bytes,
    kind: ConfigKind | None,
) -> None:
    """Read, validate and store the configuration; the flow ends only when it is taken."""
    config = read_own_config(raw, kind)
    settings = await rules.use_own_config(
        session, account.require_user_id(), config, ruff_runner.validate_config
    )
    await state.clear()
    notice = rules_texts.own_config_saved(config.hash)
    await message.answer(
        rules_texts.rules_screen(settings, notice=notice), reply_markup=build_rules_kb(settings)
    )


def build_router() -> Router:
    screen = registered_only(Router(name=f"{__name__}.screen"))
    screen.message.register(cmd_rules, Command("rules"))
    screen.callback_query.register(
        on_preset,
        RulesCallback.filter((F.action == RulesAction.PRESET) & F.preset.in_(PRESET_VALUES)),
    )
    screen.callback_query.register(on_unmute, RulesCallback.filter(F.action == RulesAction.UNMUTE))
    screen.callback_query.register(
        on_own_config, RulesCallback.filter(F.action == RulesAction.OWN_CONFIG)
    )
    # The dialogue after "Use my configuration" answers a file of the wrong name, or a refused
    # configuration, before it asks for registration (in `_use_config`): no middleware here.
    dialogue = Router(name=f"{__name__}.config")
    dialogue.message.register(on_config_document, RulesFlow.config, F.document)
    dialogue.message.register(on_config_text, RulesFlow.config, F.text, NOT_COMMAND)
    dialogue.message.register(on_config_other, RulesFlow.config, NOT_COMMAND)
    router = Router(name=__name__)
    router.include_routers(screen, dialogue)
    return router
