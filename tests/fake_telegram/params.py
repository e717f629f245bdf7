"""Typed access to Bot API parameters that arrive as JSON, urlencoded or multipart fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.fake_telegram.models import JsonDict, bad_request

JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope",
        "allowed_updates", "link_preview_options", "reply_parameters", "menu_button",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {
        "chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time",
        "message_thread_id", "reply_to_message_id",
    }
)  # fmt: skip
BOOL_FIELDS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
        "disable_content_type_detection", "allow_sending_without_reply",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None = None


class Params:
    """The parameters of one call; form values are strings, JSON values are typed."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def record(self) -> JsonDict:
        """A typed copy for ``fake.requests``: form strings decoded, uploads summarised."""
        result: JsonDict = {}
        for key, value in self.raw.items():
            result[key] = value
            if isinstance(value, Upload):
                result[key] = {"filename": value.filename, "size": len(value.content)}
            elif not isinstance(value, str):
                continue
            elif key in JSON_FIELDS:
                try:
                    result[key] = json.loads(value)
                except ValueError:
                    result[key] = value
            elif key in INT_FIELDS and value.lstrip("-").isdigit():
                result[key] = int(value)
            elif key in BOOL_FIELDS and value in {"true", "false"}:
                result[key] = value == "true"
        return result

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, Upload):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise bad_request(f'field "{name}" must be of type String')
        return value

    def get_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def get_bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.lower() in {"true", "1"}
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def upload(self, name: str) -> Upload | None:
        value = self.raw.get(name)
        return value if isinstance(value, Upload) else None

    def chat_id(self) -> int:
        value = self.raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise bad_request("chat not found")

    def required_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            if name == "message_id":
                raise bad_request("message identifier is not specified")
            raise bad_request(f"{name} is empty")
        return value
