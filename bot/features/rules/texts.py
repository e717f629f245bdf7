"""Texts of `/rules`: the presets, the muted rules, a person's own configuration, and why a
configuration was refused."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import config_label, preset_name, shorten
from bot.shared.formatting import quote
from core import errors
from core.models import RulePreset
from core.ruff_config import ConfigSummary
from core.services.rules import RuleSettings

# The most rule codes a list of the screen shows (a configuration may select hundreds).
MAX_LISTED_CODES = 40
# How much of ruff's reason for refusing a configuration is shown (UTF-16 units).
MAX_RUFF_REASON = 3000
MARK_CURRENT = "✅"


def preset_description(preset: RulePreset) -> str:
    """The preset's description from the registry (core/presets.py, marked there with N_)."""
    return _(preset.description)


def codes(listed: tuple[str, ...]) -> str:
    shown = ", ".join(quote(code) for code in listed[:MAX_LISTED_CODES])
    rest = len(listed) - MAX_LISTED_CODES
    return shown + (" " + _("and {count} more").format(count=rest) if rest > 0 else "")


def config_summary(summary: ConfigSummary) -> str:
    select = codes(summary.select) if summary.select is not None else _("ruff's defaults")
    parts = [_("selects {codes}").format(codes=select)]
    if summary.extend_select:
        parts.append(_("also selects {codes}").format(codes=codes(summary.extend_select)))
    if summary.ignore:
        parts.append(_("ignores {codes}").format(codes=codes(summary.ignore)))
    return "; ".join(parts)


def rules_screen(settings: RuleSettings, notice: str | None = None) -> str:
    lines = [notice, ""] if notice else []
    lines.append(_("<b>Review rules</b> for your next checks."))
    lines.append("")
    for preset in RulePreset.built_in():
        mark = MARK_CURRENT if settings.preset is preset else "•"
        lines.append(f"{mark} <b>{preset.value}</b> — {preset_description(preset)}")
    if settings.own_config_hash is not None and settings.own_config is not None:
        mark = MARK_CURRENT if settings.preset is RulePreset.CUSTOM else "•"
        label = config_label(settings.own_config_hash)
        lines.append(
            f"{mark} <b>{quote(label)}</b> — "
            + _("your configuration: {summary}").format(
                summary=config_summary(settings.own_config)
            )
        )
    lines.append("")
    if settings.muted:
        lines.append(
            ngettext(
                "Muted ({count}): {codes}. It is left out of your checks.",
                "Muted ({count}): {codes}. They are left out of your checks.",
                len(settings.muted),
            ).format(count=len(settings.muted), codes=codes(settings.muted))
        )
    else:
        lines.append(_("No muted rules. A report's 🔇 button mutes a rule."))
    lines.append("")
    lines.append(
        _(
            "«Use my configuration» takes your <code>pyproject.toml</code>, "
            "<code>ruff.toml</code> or <code>.ruff.toml</code>."
        )
    )
    return "\n".join(lines)


def preset_chosen(preset: RulePreset, config_hash: str | None) -> str:
    return _("Your next checks use {preset}.").format(preset=preset_name(preset, config_hash))


def own_config_saved(config_hash: str) -> str:
    return _("✅ Your configuration {label} is saved: your next checks use it.").format(
        label=f"<b>{quote(config_label(config_hash))}</b>"
    )


def send_config() -> str:
    return _(
        "Send your ruff configuration: <code>pyproject.toml</code> (only its "
        "<code>[tool.ruff]</code> settings are read), <code>ruff.toml</code> or "
        "<code>.ruff.toml</code> as a document, or paste its text here.\n\n"
        "It is only read by ruff, never run. Settings that name files or paths (extend, src, "
        "include, exclude, per-file-ignores, cache-dir…) are not accepted: your files are "
        "checked one by one, away from any folder.\n/cancel to stop."
    )


def config_expected() -> str:
    return _(
        "I am waiting for <code>pyproject.toml</code>, <code>ruff.toml</code> or "
        "<code>.ruff.toml</code>, or its text pasted as a message. /cancel to stop."
    )


def button_preset(preset: RulePreset, current: bool, config_hash: str | None = None) -> str:
    name = preset_name(preset, config_hash)
    return f"{MARK_CURRENT} {name}" if current else name


def button_own_config() -> str:
    return _("📄 Use my configuration")


def button_unmute(code: str) -> str:
    return _("🔊 Unmute {code}").format(code=code)


def button_mute(code: str) -> str:
    return _("🔇 Mute {code}").format(code=code)


def muted(code: str) -> str:
    return _("🔇 {code} muted: your next checks leave it out. /rules to unmute.").format(code=code)


def unmuted(code: str) -> str:
    return _("🔊 {code} is checked again from your next check.").format(code=code)


def config_refusal(error: errors.ConfigRefusedError) -> str:
    kind = errors.ConfigRefusal
    match error.refusal:
        case kind.TOO_LARGE:
            reason = _("This configuration is too large: the limit is {size} KiB.").format(
                size=error.detail
            )
        case kind.NOT_UTF8:
            reason = _("This configuration is not UTF-8 text.")
        case kind.NOT_TOML:
            reason = _("This is not valid TOML: {reason}.").format(reason=quote(error.detail))
        case kind.NO_RUFF_SECTION:
            reason = _(
                "This <code>pyproject.toml</code> has no <code>[tool.ruff]</code> settings: "
                "only ruff's settings are read."
            )
        case kind.PATH_SETTINGS:
            reason = _(
                "These settings name files or paths, which I never read: {keys}. Remove them "
                "and send the configuration again."
            ).format(keys=quote(error.detail))
        case kind.OUTPUT_SETTINGS:
            reason = _(
                "These settings change what ruff writes or prints, and a check never fixes "
                "your file: {keys}. Remove them and send the configuration again."
            ).format(keys=quote(error.detail))
        case kind.TOO_DEEP:
            reason = _(
                "This configuration is nested too deeply: at most {depth} tables or arrays "
                "inside one another."
            ).format(depth=error.detail)
        case kind.RUFF_REJECTED:
            reason = _("ruff refused this configuration:") + (
                f"\n<pre>{quote(shorten(error.detail, MAX_RUFF_REASON))}</pre>"
            )
    return reason + "\n" + _("Send a corrected one, or /cancel.")
