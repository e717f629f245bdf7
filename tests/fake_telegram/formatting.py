"""Text, entity and inline keyboard validation as Telegram does it."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram.html import HtmlParseError, parse_html, utf16_len
from tests.fake_telegram.models import ApiError, JsonDict, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
TRIMMED = " \t\r\n\v\f"
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Strip surrounding whitespace like Telegram does, moving entities along."""
    stripped = text.strip(TRIMMED)
    if stripped == text:
        return text, entities
    lead = len(text) - len(text.lstrip(TRIMMED))  # whitespace is BMP: 1 UTF-16 unit each
    total = utf16_len(stripped)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(total, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _explicit_entities(value: object) -> list[JsonDict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise bad_request("can't parse entities JSON object")
    for entity in value:
        if not {"type", "offset", "length"} <= entity.keys():
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
    return [dict(e) for e in value]


def render(
    raw: str, parse_mode: str | None, entities: object, *, strict_ampersand: bool = True
) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` (or explicit entities) to ``raw``: (plain text, entities)."""
    mode = (parse_mode or "").lower()
    if not mode:
        plain, found = raw, _explicit_entities(entities)
    elif mode == "html":
        try:
            plain, found = parse_html(raw, strict_ampersand=strict_ampersand)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from err
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (the fake supports only HTML)")
    return _trim(plain, found)


def check_text(plain: str) -> None:
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(plain: str) -> None:
    if utf16_len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def _check_button(button: object) -> JsonDict:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if not any(key in button for key in BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://"))
    ):
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def parse_reply_markup(value: object, *, inline_only: bool = False) -> JsonDict | None:
    """Validate a reply_markup object; returns the normalised dict (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows: Any = value.get("inline_keyboard")
    if rows is None:
        if inline_only:
            raise bad_request("reply markup must be an inline keyboard")
        return dict(value)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: Field "inline_keyboard" must be an Array')
    return {"inline_keyboard": [[_check_button(b) for b in row] for row in rows]}


def check_callback_answer_text(text: str | None) -> None:
    if text is not None and utf16_len(text) > 200:
        raise ApiError("Bad Request: MESSAGE_TOO_LONG")
