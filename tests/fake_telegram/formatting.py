"""Message text and captions as Telegram renders them: parse mode or explicit entities, trim,
length limits. Keyboards are in ``keyboards.py``, explicit entities in ``entities.py``."""

from __future__ import annotations

from typing import NamedTuple

from tests.fake_telegram.entities import UserLookup, explicit_entities
from tests.fake_telegram.html import HtmlParseError, parse_html, utf16_len
from tests.fake_telegram.models import ApiError, JsonDict, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
TRIMMED = " \t\r\n\v\f"


class Rendered(NamedTuple):
    """What the user sees: the plain text, its entities, and links Telegram silently dropped."""

    text: str
    entities: list[JsonDict]
    dropped_links: list[str]


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


def _mentioned_users(entities: list[JsonDict], known_user: UserLookup) -> None:
    """``<a href="tg://user?id=N">``: Telegram sends it only when the bot knows user N."""
    for entity in entities:
        if entity["type"] == "text_mention":
            user = known_user(int(entity["user"]["id"]))
            if user is None:
                raise bad_request("user not found")
            entity["user"] = user


def render(
    raw: str,
    parse_mode: str | None,
    entities: object,
    *,
    known_user: UserLookup,
    strict_ampersand: bool = True,
) -> Rendered:
    """Apply ``parse_mode`` (or else the explicit ``entities``) to ``raw``, then trim."""
    mode = (parse_mode or "").lower()
    dropped: list[str] = []
    if not raw or mode in ("", "none"):
        plain, found = raw, explicit_entities(entities, raw, known_user)
    elif mode == "html":
        try:
            plain, found, dropped = parse_html(raw, strict_ampersand=strict_ampersand)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from err
        _mentioned_users(found, known_user)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (the fake supports only HTML)")
    plain, found = _trim(plain, found)
    return Rendered(plain, found, dropped)


def check_text(plain: str) -> None:
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(plain: str) -> None:
    if utf16_len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def check_callback_answer_text(text: str | None) -> None:
    if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
        raise ApiError("Bad Request: MESSAGE_TOO_LONG")
