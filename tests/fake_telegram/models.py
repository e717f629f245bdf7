"""Plain data objects shared by the fake Telegram server and its test helpers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

OutputKind = Literal["message", "edit", "document", "callback_answer", "delete"]
JsonDict = dict[str, Any]


class ApiError(Exception):
    """A Bot API refusal: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        description: str,
        error_code: int = 400,
        retry_after: int | None = None,
        *,
        announced: bool = False,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.retry_after = retry_after
        # Announced by the test (fail_next, block): not counted in ``fake.refused``.
        self.announced = announced


def bad_request(detail: str) -> ApiError:
    return ApiError(f"Bad Request: {detail}", 400)


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app: str | None = None  # the Mini App address a web_app button opens


@dataclass
class BotOutput:
    """Something the bot did in a chat, as a Telegram client would see it."""

    kind: OutputKind
    chat_id: int
    message_id: int | None = None
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    document: bytes | None = None
    filename: str | None = None
    show_alert: bool = False
    entities: list[JsonDict] = field(default_factory=list)

    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def has_button(self, text: str) -> bool:
        return text in self.button_texts()

    def find_button(self, text_or_data: str) -> Button | None:
        """The button whose text (exactly) or callback_data equals ``text_or_data``."""
        for row in self.buttons:
            for button in row:
                if text_or_data in (button.text, button.callback_data):
                    return button
        return None

    def describe(self) -> str:
        parts = [f"{self.kind}#{self.message_id}" if self.message_id else self.kind]
        if self.text:
            parts.append(repr(self.text[:300]))
        if self.filename is not None or self.document is not None:
            size = len(self.document) if self.document is not None else 0
            parts.append(f"file={self.filename!r} ({size} bytes)")
        if self.buttons:
            parts.append(f"buttons={self.button_texts()!r}")
        if self.show_alert:
            parts.append("show_alert")
        return " ".join(parts)


@dataclass
class RecordedRequest:
    """One Bot API call the bot made and what the fake answered."""

    method: str
    params: JsonDict
    ok: bool
    error: str | None = None
    error_code: int | None = None
    # When the fake answered it (time.monotonic(), the clock asyncio's loop uses too).
    at: float = field(default_factory=time.monotonic)

    def __str__(self) -> str:
        if self.ok:
            return f"{self.method} ok"
        return f"{self.method} -> {self.error_code} {self.error!r} params={self.params!r}"


@dataclass
class StoredFile:
    """A file Telegram knows about: uploaded by a user or by the bot."""

    file_id: str
    file_unique_id: str
    content: bytes
    size: int
    filename: str | None = None
    mime_type: str | None = None
    file_path: str | None = None

    def document_dict(self) -> JsonDict:
        doc: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.filename is not None:
            doc["file_name"] = self.filename
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass
class StoredMessage:
    """The current state of one message in a chat."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    html: str = ""
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    document: StoredFile | None = None
    edit_date: int | None = None

    @property
    def buttons(self) -> list[list[Button]]:
        if self.reply_markup is None:
            return []
        return [
            [
                Button(
                    str(b["text"]),
                    b.get("callback_data"),
                    b.get("url"),
                    b["web_app"]["url"] if "web_app" in b else None,
                )
                for b in row
            ]
            for row in self.reply_markup.get("inline_keyboard", [])
        ]

    def to_output(self, kind: OutputKind) -> BotOutput:
        return BotOutput(
            kind=kind,
            chat_id=self.chat_id,
            message_id=self.message_id,
            text=self.text or "",
            html=self.html,
            parse_mode=self.parse_mode,
            buttons=self.buttons,
            document=self.document.content if self.document else None,
            filename=self.document.filename if self.document else None,
            entities=[dict(e) for e in self.entities],
        )
