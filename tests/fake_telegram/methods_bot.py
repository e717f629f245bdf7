"""Bot API methods about the bot itself: updates, commands, files, chat actions."""

from __future__ import annotations

import json
import re

from tests.fake_telegram import json_fields as fields
from tests.fake_telegram.keyboards import web_app_link
from tests.fake_telegram.methods import HANDLERS, method, sendable_chat
from tests.fake_telegram.models import ApiError, JsonDict, bad_request
from tests.fake_telegram.params import Params
from tests.fake_telegram.polling import CONFLICT
from tests.fake_telegram.state import World
from tests.fake_telegram.webhook import WEBHOOK_ACTIVE

MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_COMMANDS = 100
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
LANGUAGE_RE = re.compile(r"[a-z]{2}")
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
SCOPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip


@method("getMe")
async def get_me(world: World, params: Params) -> JsonDict:
    return world.bot_user


@method("getChat")
async def get_chat(world: World, params: Params) -> JsonDict:
    """A private chat the user opened, as ChatFullInfo; else "chat not found" (as Telegram)."""
    state = world.chat(params.chat_id())
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
    return {
        **state.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys((*gifts, "gifts_from_channels"), True),
    }


@method("close")
@method("logOut")
async def accept(world: World, params: Params) -> bool:
    if params.get_bool("drop_pending_updates"):
        world.updates.clear()
    return True


@method("getUpdates")
async def get_updates(world: World, params: Params) -> list[JsonDict]:
    limit = min(max(params.get_int("limit") or 100, 1), 100)
    timeout = max(params.get_int("timeout") or 0, 0)
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        world.allowed_updates = [str(kind) for kind in allowed]
    if world.webhook is not None:
        raise ApiError(WEBHOOK_ACTIVE, 409)
    poll = await world.polls.enter()
    try:
        world.confirm(params.get_int("offset"))
        await world.updates_changed.wait_until(
            lambda: world.closing or poll.terminated or bool(world.pending(limit)), timeout
        )
        if poll.terminated:
            raise ApiError(CONFLICT, 409)
        return world.deliver(world.pending(limit))
    finally:
        world.polls.leave(poll)


@method("getFile")
async def get_file(world: World, params: Params) -> JsonDict:
    stored = world.files.get(params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": world.file_path_for(stored),
    }


@method("sendChatAction")
async def send_chat_action(world: World, params: Params) -> bool:
    sendable_chat(world, params)
    if params.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _commands_key(world: World, params: Params) -> tuple[str, str]:
    scope = params.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"] in {"chat", "chat_administrators", "chat_member"}:
        if "chat_id" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"] == "chat" and not _known_chat(world, scope["chat_id"]):
            raise bad_request("chat not found")  # a chat the user never opened with the bot
        world_key = json.dumps(scope, sort_keys=True)
    else:
        world_key = str(scope["type"])
    language = params.get_str("language_code") or ""
    if language and not LANGUAGE_RE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return world_key, language


def _known_chat(world: World, chat_id: object) -> bool:
    state = world.chats.get(chat_id) if isinstance(chat_id, int) else None
    return state is not None and state.opened


@method("setMyCommands")
async def set_my_commands(world: World, params: Params) -> bool:
    commands = params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked: list[JsonDict] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command, "description": description})
    world.commands[_commands_key(world, params)] = checked
    return True


@method("getMyCommands")
async def get_my_commands(world: World, params: Params) -> list[JsonDict]:
    return world.commands.get(_commands_key(world, params), [])


@method("deleteMyCommands")
async def delete_my_commands(world: World, params: Params) -> bool:
    world.commands.pop(_commands_key(world, params), None)
    return True


# What getChatMenuButton answers while nothing was set ("no specific value", as Telegram says).
DEFAULT_MENU_BUTTON: JsonDict = {"type": "default"}


def _menu_button_fields(raw: object) -> JsonDict:
    """The Bot API's reading of a MenuButton object, or FieldError."""
    if not isinstance(raw, dict):
        raise fields.FieldError("MenuButton must be an Object")
    kind = fields.string(raw, "type", required=True)
    if kind in {"default", "commands"}:
        return {"type": kind}
    if kind != "web_app":
        raise fields.FieldError("MenuButton has unsupported type")
    text = fields.string(raw, "text", required=True)
    web_app = fields.typed(raw, "web_app", dict, required=True)
    return {
        "type": kind,
        "text": text,
        "web_app": {"url": fields.string(web_app, "url", required=True)},
    }


def _read_menu_button(params: Params) -> JsonDict:
    """``menu_button`` as the Bot API reads it (``Client::get_bot_menu_button``; absent: the
    default), then tdlib's checks of a web_app one (non-empty text, an https address)."""
    raw = params.raw.get("menu_button")
    if raw is None or raw == "":
        return dict(DEFAULT_MENU_BUTTON)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse menu button JSON object") from None
    try:
        button = _menu_button_fields(raw)
    except fields.FieldError as err:
        raise bad_request(f"can't parse menu button: {err}") from None
    if button["type"] != "web_app":
        return button
    if not button["text"]:
        raise bad_request("menu button text must be non-empty")
    button["web_app"]["url"] = web_app_link(button["web_app"]["url"], "menu button web app")
    return button


def _menu_button_chat(world: World, params: Params) -> int | None:
    """The private chat of ``chat_id`` (its user's id; None without one: the default button).
    As the Bot API: a user id (``get_user_id``) the bot knows (``check_user``)."""
    if "chat_id" not in params:
        return None
    value = params.get_str("chat_id") or ""
    user_id = int(value) if value.lstrip("-").isdigit() else 0
    if user_id <= 0:
        raise bad_request("invalid chat_id specified")
    state = world.chats.get(user_id)
    if state is None or not state.opened:
        raise bad_request("user not found")
    return user_id


@method("setChatMenuButton")
async def set_chat_menu_button(world: World, params: Params) -> bool:
    """The default menu button of every private chat, or (with ``chat_id``) one chat's; a
    chat's own button set to "default" falls back to the bot's default button again."""
    button = _read_menu_button(params)  # read before the chat, as the Bot API does
    chat = _menu_button_chat(world, params)
    if chat is not None and button["type"] == "default":
        world.menu_buttons.pop(chat, None)
    elif chat is None and button["type"] == "default":
        world.menu_buttons.pop(None, None)
    else:
        world.menu_buttons[chat] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(world: World, params: Params) -> JsonDict:
    """The chat's own button, else the default one."""
    chat = _menu_button_chat(world, params)
    if chat is not None and chat in world.menu_buttons:
        return dict(world.menu_buttons[chat])
    return dict(world.menu_buttons.get(None, DEFAULT_MENU_BUTTON))


ALL_HANDLERS = HANDLERS  # every method, registered by this module and by methods.py
