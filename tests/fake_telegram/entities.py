"""Explicit message entities (``entities``/``caption_entities`` sent without ``parse_mode``).

Checked in Telegram's three steps: the Bot API reads each object (``Client::get_text_entity``,
refusals start with "can't parse MessageEntity: "), tdlib resolves links, users and custom
emoji (``get_message_entities``), then checks every span against the text
(``fix_formatted_text``: offsets in UTF-16 code units, empty spans dropped).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fake_telegram import json_fields as fields
from tests.fake_telegram.html import utf16_len
from tests.fake_telegram.links import LinkError, check_link, link_error, link_user_id
from tests.fake_telegram.models import JsonDict, bad_request

# Telegram finds these in the text itself; the Bot API skips them when a bot sends them.
DETECTED_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number",
     "bank_card_number"}
)  # fmt: skip
PLAIN_TYPES = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "blockquote",
     "expandable_blockquote"}
)  # fmt: skip
MAX_ENTITY_BOUND = 1_000_000

UserLookup = Callable[[int], JsonDict | None]


def _read(item: object) -> JsonDict | None:
    """One entity as the Bot API reads it; None for types Telegram detects itself."""
    if not isinstance(item, dict):
        raise fields.FieldError("expected an Object")
    entity: JsonDict = {
        "offset": fields.integer(item, "offset"),
        "length": fields.integer(item, "length"),
    }
    kind = fields.string(item, "type", required=True)
    if not kind:
        raise fields.FieldError("Type is not specified")
    entity["type"] = kind
    if kind == "pre":
        language = fields.string(item, "language")
        if language:
            entity["language"] = language
    elif kind == "text_link":
        entity["url"] = fields.string(item, "url", required=True)
    elif kind == "text_mention":
        user = fields.typed(item, "user", dict, required=True)
        entity["user"] = {"id": fields.integer(user, "id", bits=fields.INT64)}
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = fields.integer(item, "custom_emoji_id", bits=fields.INT64)
    elif kind in DETECTED_TYPES:
        return None
    elif kind not in PLAIN_TYPES:
        raise fields.FieldError("Unsupported type specified")
    return entity


def _resolve(entity: JsonDict, known_user: UserLookup) -> None:
    """tdlib's step: links are checked and normalised, mentioned users must be known."""
    if entity["type"] == "text_link":
        url = entity["url"]
        user_id = link_user_id(url)
        if user_id is not None:
            del entity["url"]
            entity.update(type="text_mention", user={"id": user_id})
        else:
            try:
                entity["url"] = check_link(url)
            except LinkError as err:
                raise bad_request(f"entity {link_error(url, err)}") from None
    if entity["type"] == "text_mention":
        user = known_user(int(entity["user"]["id"]))
        if user is None:
            raise bad_request("user not found")
        entity["user"] = user
    if entity["type"] == "custom_emoji":
        if entity["custom_emoji_id"] == 0:
            raise bad_request("invalid custom emoji identifier specified")
        entity["custom_emoji_id"] = str(entity["custom_emoji_id"])


def _byte_offset_after(text: str, utf16_offset: int) -> int:
    """UTF-8 length of the text up to the end of the character holding ``utf16_offset``."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > utf16_offset:
            return len(text[: index + 1].encode())
    return len(text.encode())


def _splits_pair(text: str, utf16_offset: int) -> bool:
    prefix = text.encode("utf-16-le")[: utf16_offset * 2]
    return len(prefix) >= 2 and 0xD800 <= int.from_bytes(prefix[-2:], "little") <= 0xDBFF


def _check_span(text: str, entity: JsonDict) -> None:
    """tdlib's ``fix_formatted_text`` checks of one span against the UTF-16 text."""
    offset, length = int(entity["offset"]), int(entity["length"])
    end, total = offset + length, utf16_len(text)
    if offset > total:
        raise bad_request(f"entity begins after the end of the text at UTF-16 offset {offset}")
    if end > total:
        raise bad_request(
            f"entity beginning at UTF-16 offset {offset} ends after the end of the text at "
            f"UTF-16 offset {end}"
        )
    if _splits_pair(text, offset):
        raise bad_request(
            "entity begins in a middle of a UTF-16 symbol at byte offset "
            f"{_byte_offset_after(text, offset)}"
        )
    if _splits_pair(text, end):
        raise bad_request(
            f"entity beginning at UTF-16 offset {offset} ends in a middle of a UTF-16 symbol "
            f"at byte offset {_byte_offset_after(text, end)}"
        )


def explicit_entities(value: object, text: str, known_user: UserLookup) -> list[JsonDict]:
    """The entities Telegram keeps for ``text``, or the ApiError it answers."""
    if not isinstance(value, list):
        return []  # the Bot API ignores anything but an array here
    read: list[JsonDict] = []
    for item in value:
        try:
            entity = _read(item)
        except fields.FieldError as err:
            raise bad_request(f"can't parse MessageEntity: {err}") from None
        if entity is not None:
            read.append(entity)
    for entity in read:
        _resolve(entity, known_user)
    for entity in read:
        for bound in ("offset", "length"):
            if not 0 <= int(entity[bound]) <= MAX_ENTITY_BOUND:
                raise bad_request(f"receive an entity with incorrect {bound} {entity[bound]}")
    kept = sorted((e for e in read if e["length"] > 0), key=lambda e: (e["offset"], -e["length"]))
    for entity in kept:
        _check_span(text, entity)
    return kept
