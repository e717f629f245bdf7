"""``reply_markup`` as the Bot API reads it (``Client::get_reply_markup``) and tdlib checks it.

One object may hold ``keyboard`` (ReplyKeyboardMarkup), ``inline_keyboard``,
``remove_keyboard`` (ReplyKeyboardRemove) or ``force_reply`` (ForceReply); the first of these
that is present and non-empty wins, and an object with none of them means "no markup", as in
the Bot API. Wrong types are refused with the Bot API's words.
"""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import json_fields as fields
from tests.fake_telegram.links import LinkError, check_link, link_error
from tests.fake_telegram.models import ApiError, JsonDict

MAX_CALLBACK_DATA = 64
# Inline button kinds besides url, callback_data and web_app (not used by our bot; only
# accepted).
OTHER_INLINE_ACTIONS = (
    "callback_game", "pay", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "login_url", "copy_text",
)  # fmt: skip
# Telegram's answer to a web_app button outside a private chat (or any button kind the chat
# does not allow).
BUTTON_TYPE_INVALID = "BUTTON_TYPE_INVALID"
KEYBOARD_BUTTON_FLAGS = ("request_phone_number", "request_contact", "request_location")
KEYBOARD_BUTTON_OBJECTS = ("request_poll", "web_app", "request_users", "request_user")
MARKUP_FLAGS = (
    "hide_keyboard", "remove_keyboard", "personal_keyboard", "selective",
    "force_reply_keyboard", "force_reply",
)  # fmt: skip
SHOWN_KEYBOARD_FLAGS = ("resize_keyboard", "one_time_keyboard", "is_persistent")


def refuse(message: str) -> ApiError:
    """A 400 with the message worded as the Bot API words it."""
    return ApiError(f"Bad Request: {fields.bot_api_wording(message)}", 400)


def _button_text(text: str, what: str) -> str:
    if not text:
        raise refuse(f"{what} text must be non-empty")
    if not text.strip():
        raise refuse("BUTTON_TEXT_INVALID")
    return text


def _read_inline_button(button: object) -> tuple[JsonDict, str, str, str, str | None]:
    """The Bot API's reading: (button, text, url, callback_data, web_app url), or
    FieldError."""
    if not isinstance(button, dict):
        raise fields.FieldError("InlineKeyboardButton must be an Object")
    text = fields.string(button, "text", required=True)
    url = fields.string(button, "url")
    data = fields.string(button, "callback_data")
    web_app = fields.typed(button, "web_app", dict)
    web_app_url = None if web_app is None else fields.string(web_app, "url", required=True)
    if (
        not url
        and not data
        and web_app is None
        and not any(key in button for key in OTHER_INLINE_ACTIONS)
    ):
        raise fields.FieldError("Text buttons are unallowed in the inline keyboard")
    return button, text, url, data, web_app_url


def _inline_button(value: object) -> JsonDict:
    try:
        button, text, url, data, web_app_url = _read_inline_button(value)
    except fields.FieldError as err:
        raise refuse(f"Can't parse inline keyboard button: {err}") from None
    result: JsonDict = {**button, "text": _button_text(text, "Inline keyboard button")}
    if url:
        try:
            check_link(url)
        except LinkError as err:
            raise refuse(f"Inline keyboard button {link_error(url, err)}") from None
        result["url"] = url
    elif web_app_url is not None:
        result["web_app"] = {"url": web_app_link(web_app_url, "Inline keyboard button Web App")}
    elif data:
        if len(data.encode()) > MAX_CALLBACK_DATA:
            raise refuse("BUTTON_DATA_INVALID")
        result["callback_data"] = data
    return result


def web_app_link(url: str, what: str) -> str:
    """A Web App's address as Telegram keeps it: https only (tdlib's ``check_link`` with
    ``https_only``); refused with ``what`` in front of tdlib's reason."""
    try:
        return check_link(url, https_only=True)
    except LinkError as err:
        raise refuse(f"{what} {link_error(url, err)}") from None


def _read_keyboard_button(button: object) -> JsonDict:
    """The Bot API's reading of a KeyboardButton (a String is a button with that text)."""
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise fields.FieldError("KeyboardButton must be a String or an Object")
    text = fields.string(button, "text", required=True)
    for flag in KEYBOARD_BUTTON_FLAGS:
        fields.boolean(button, flag)
    for name in KEYBOARD_BUTTON_OBJECTS:
        fields.typed(button, name, dict)
    request_chat = fields.typed(button, "request_chat", dict)
    if request_chat is not None:
        fields.integer(request_chat, "request_id")
    return {**button, "text": text}


def _keyboard_button(value: object) -> JsonDict:
    try:
        button = _read_keyboard_button(value)
    except fields.FieldError as err:
        raise refuse(f"Can't parse keyboard button: {err}") from None
    return {**button, "text": _button_text(button["text"], "Keyboard button")}


def _rows(markup: JsonDict, name: str, row_error: str) -> list[list[Any]]:
    rows = fields.typed(markup, name, list) or []
    if not all(isinstance(row, list) for row in rows):
        raise fields.FieldError(row_error)
    return list(rows)


def _read(markup: object) -> JsonDict | None:
    if not isinstance(markup, dict):
        raise fields.FieldError("Object expected as reply markup")
    rows = _rows(markup, "keyboard", 'Field "keyboard" must be an Array of Arrays')
    keyboard = [[_keyboard_button(b) for b in row] for row in rows]
    inline_rows = _rows(
        markup,
        "inline_keyboard",
        'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    )
    inline_keyboard = [[_inline_button(b) for b in row] for row in inline_rows]
    flags = {name: fields.boolean(markup, name) for name in MARKUP_FLAGS}
    fields.string(markup, "input_field_placeholder")
    if keyboard:
        shown = {name: fields.boolean(markup, name) for name in SHOWN_KEYBOARD_FLAGS}
        return {"keyboard": keyboard, **{k: v for k, v in shown.items() if v}}
    if inline_keyboard:
        return {"inline_keyboard": inline_keyboard}
    if flags["hide_keyboard"] or flags["remove_keyboard"]:
        return {"remove_keyboard": True}
    if flags["force_reply"] or flags["force_reply_keyboard"]:
        return {"force_reply": True}
    return None


def parse_reply_markup(
    value: object, *, inline_only: bool = False, private_chat: bool = True
) -> JsonDict | None:
    """The markup Telegram keeps (None for none), or the ApiError it answers. ``web_app``
    buttons of an inline keyboard are allowed only in a private chat (``private_chat``)."""
    if value is None:
        return None
    try:
        markup = _read(value)
    except fields.FieldError as err:
        raise refuse(str(err)) from None
    if inline_only and markup is not None and "inline_keyboard" not in markup:
        raise refuse("Inline keyboard expected")
    if not private_chat and markup is not None:
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        if any("web_app" in button for button in buttons):
            raise refuse(BUTTON_TYPE_INVALID)
    return markup
