"""The rules (the chat's /rules): the presets with the current one marked, the muted rules with
Unmute, and the person's own ruff configuration, pasted or picked as a file and validated by
ruff exactly as the chat validates it."""

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiohttp import BodyPartReader, web

from bot.features.reports.texts import config_label, preset_name
from bot.features.rules import texts as rules_texts
from core.errors import ConfigRefusal, ConfigRefusedError
from core.models import RulePreset
from core.ruff_config import (
    CONFIG_FILE_NAMES,
    MAX_CONFIG_BYTES,
    RULE_CODE,
    ConfigKind,
    ConfigSummary,
    read_own_config,
)
from core.services import rules
from core.services.rules import RuleSettings
from webapp.app import Ctx, Page, WebApp

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PresetChoice:
    value: str  # what POST api/rules/preset takes
    name: str  # as shown: "strict", "custom 1a2b3c4d"
    description: str
    current: bool


@dataclass(frozen=True)
class OwnConfigView:
    hash: str
    label: str  # "custom 1a2b3c4d"
    summary: ConfigSummary | None
    summary_text: str  # "selects E, F; ignores E501"
    text: str | None  # the stored ruff.toml text (normalized)


@dataclass(frozen=True)
class RulesView:
    preset: RulePreset
    presets: list[PresetChoice]
    muted: tuple[str, ...]
    own_config: OwnConfigView | None


def plain(text: str) -> str:
    """A chat text (Telegram HTML) as plain text, for the page to escape as it shows it."""
    return html.unescape(_TAG.sub("", text))


def _view(settings: RuleSettings) -> RulesView:
    presets = [
        PresetChoice(
            value=preset.value,
            name=preset.value,
            description=rules_texts.preset_description(preset),
            current=settings.preset is preset,
        )
        for preset in RulePreset.built_in()
    ]
    own = None
    if settings.own_config_hash is not None:
        summary_text = (
            plain(rules_texts.config_summary(settings.own_config))
            if settings.own_config is not None
            else ""
        )
        own = OwnConfigView(
            hash=settings.own_config_hash,
            label=config_label(settings.own_config_hash),
            summary=settings.own_config,
            summary_text=summary_text,
            text=settings.own_config_text,
        )
        presets.append(
            PresetChoice(
                value=RulePreset.CUSTOM.value,
                name=own.label,
                description=_("your configuration: {summary}").format(summary=summary_text),
                current=settings.preset is RulePreset.CUSTOM,
            )
        )
    return RulesView(preset=settings.preset, presets=presets, muted=settings.muted, own_config=own)


def _notice(ctx: Ctx, settings: RuleSettings) -> str | None:
    """The short confirmation shown after a change (the action's `data-then` names it), only
    when it is true now: it reads the settings, the URL only names the change."""
    rule = ctx.request.query.get("rule", "")
    match ctx.request.query.get("done"):
        case "preset":
            return rules_texts.preset_chosen(settings.preset, settings.own_config_hash)
        case "unmute" if RULE_CODE.fullmatch(rule) and rule not in settings.muted:
            return rules_texts.unmuted(rule)
        case "config" if settings.own_config_hash is not None:
            return plain(rules_texts.own_config_saved(settings.own_config_hash))
    return None


async def rules_page(ctx: Ctx) -> Page:
    settings = await rules.rule_settings(ctx.session, ctx.viewer.user_id)
    return Page("rules/rules.html", _view(settings), {"notice": _notice(ctx, settings)})


class _NoConfigError(Exception):
    """No configuration came: nothing pasted, no file picked, or a file of another name."""


async def _fields(request: web.Request) -> dict[str, Any] | None:
    """The JSON object sent (the app sends a form's fields so); None for anything else."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _bad(error: str) -> web.Response:
    return web.json_response({"error": error}, status=400)


async def choose_preset(ctx: Ctx) -> web.StreamResponse:
    value = ((await _fields(ctx.request)) or {}).get("preset")
    if value not in {preset.value for preset in RulePreset}:
        return _bad("unknown_preset")
    settings = await rules.choose_preset(ctx.session, ctx.viewer.user_id, RulePreset(value))
    return web.json_response(
        {
            "preset": settings.preset.value,
            "name": preset_name(settings.preset, settings.own_config_hash),
            "message": rules_texts.preset_chosen(settings.preset, settings.own_config_hash),
        }
    )


async def unmute(ctx: Ctx) -> web.StreamResponse:
    code = ((await _fields(ctx.request)) or {}).get("rule")
    if not isinstance(code, str) or not RULE_CODE.fullmatch(code):
        return _bad("unknown_rule")
    await rules.unmute_rule(ctx.session, ctx.viewer.user_id, code)
    return web.json_response({"unmuted": code, "message": rules_texts.unmuted(code)})


async def own_config(ctx: Ctx) -> web.StreamResponse:
    """The person's configuration as text (a JSON `text`, or the form's `text`) or as a file
    (the form's `file`): read, validated by ruff and stored as the chat's dialogue does it."""
    try:
        raw, kind = await _config_sent(ctx.request)
        config = read_own_config(raw, kind)
        settings = await rules.use_own_config(
            ctx.session, ctx.viewer.user_id, config, ctx.deps.ruff_runner.validate_config
        )
    except _NoConfigError:
        message = _("Pick your pyproject.toml, ruff.toml or .ruff.toml, or paste its text.")
        return web.json_response({"error": "no_config", "message": message}, status=422)
    except ConfigRefusedError as error:
        reason = _refusal_reason(error)
        return web.json_response(
            {"error": "ConfigRefusedError", "message": plain(reason), "html": reason},
            status=422,
        )
    assert settings.own_config_hash is not None  # just stored
    return web.json_response(
        {
            "config_hash": settings.own_config_hash,
            "preset": settings.preset.value,
            "message": plain(rules_texts.own_config_saved(settings.own_config_hash)),
        }
    )


def _refusal_reason(error: ConfigRefusedError) -> str:
    """The chat's reason, without its last line (which tells to send another or /cancel)."""
    text = rules_texts.config_refusal(error)
    return text.removesuffix("\n" + _("Send a corrected one, or /cancel."))


async def _config_sent(request: web.Request) -> tuple[bytes, ConfigKind | None]:
    """The configuration's bytes and, for a file, its kind by its name (None: pasted text)."""
    if not request.content_type.startswith("multipart/"):
        text = ((await _fields(request)) or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            raise _NoConfigError
        return text.encode("utf-8"), None
    pasted = b""
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file" and part.filename:
            kind = CONFIG_FILE_NAMES.get(part.filename.lower())
            if kind is None:
                raise _NoConfigError
            return await _read_part(part), kind
        if part.name == "text":
            pasted = await _read_part(part)
    if not pasted.strip():
        raise _NoConfigError
    return pasted, None


async def _read_part(part: BodyPartReader) -> bytes:
    """A part of the form, read up to the configuration's limit (more: refused, unread)."""
    content = bytearray()
    while chunk := await part.read_chunk(16 * 1024):
        content += chunk
        if len(content) > MAX_CONFIG_BYTES:
            raise ConfigRefusedError(ConfigRefusal.TOO_LARGE, str(MAX_CONFIG_BYTES // 1024))
    return bytes(content)


def register(webapp: WebApp) -> None:
    webapp.page("/rules", rules_page)
    webapp.action("POST", "/rules/preset", choose_preset)
    webapp.action("POST", "/rules/unmute", unmute)
    webapp.action("POST", "/rules/config", own_config)
