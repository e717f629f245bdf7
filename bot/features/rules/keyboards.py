"""The `/rules` keyboard: a button per preset (the current one marked), the person's own
configuration, and an Unmute button per muted rule."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import RulesAction, RulesCallback
from bot.features.rules import texts as rules_texts
from core.models import RulePreset
from core.services.rules import RuleSettings

UNMUTE_PER_ROW = 2


def build_rules_kb(settings: RuleSettings) -> InlineKeyboardMarkup:
    presets = InlineKeyboardBuilder()
    for preset in RulePreset.built_in():
        presets.button(
            text=rules_texts.button_preset(preset, settings.preset is preset),
            callback_data=RulesCallback(action=RulesAction.PRESET, preset=preset.value),
        )
    if settings.own_config_hash is not None:
        presets.button(
            text=rules_texts.button_preset(
                RulePreset.CUSTOM,
                settings.preset is RulePreset.CUSTOM,
                settings.own_config_hash,
            ),
            callback_data=RulesCallback(action=RulesAction.PRESET, preset=RulePreset.CUSTOM),
        )
    presets.adjust(len(RulePreset.built_in()))
    own = InlineKeyboardBuilder()
    own.button(
        text=rules_texts.button_own_config(),
        callback_data=RulesCallback(action=RulesAction.OWN_CONFIG),
    )
    presets.attach(own)
    unmute = InlineKeyboardBuilder()
    for code in settings.muted:
        unmute.button(
            text=rules_texts.button_unmute(code),
            callback_data=RulesCallback(action=RulesAction.UNMUTE, rule=code),
        )
    unmute.adjust(UNMUTE_PER_ROW)
    presets.attach(unmute)
    return presets.as_markup()
