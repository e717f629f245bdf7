"""Telegram's HTML parse mode, modelled on tdlib's ``parse_html``.

Returns the entity-free text and the message entities (offsets in UTF-16 code units), or
raises :class:`HtmlParseError` with a tdlib-like detail. Unlike tdlib, a bare ``&`` that
does not start a recognised entity is refused when ``strict_ampersand`` is true (the Bot API
documentation requires escaping it; tdlib itself silently keeps it).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from tests.fake_telegram.models import JsonDict

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SPACES = " \t\r\n\v\f"
NAME_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + ".-")
MAX_CODE_POINT = 0x10FFFF
MAX_REFERENCE_LENGTH = 10


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is tdlib's detail."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_pos: int


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[pos] == '&'``: (character, position after it)."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        hexadecimal = text.startswith("x", end)
        end += hexadecimal
        digits = string.hexdigits if hexadecimal else string.digits
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start or end - pos >= MAX_REFERENCE_LENGTH:
            return None
        code = int(text[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end] in string.ascii_letters:
            end += 1
        named = NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if text.startswith(";", end):
        end += 1
    return char, end


class _Parser:
    def __init__(self, text: str, *, strict_ampersand: bool) -> None:
        self.text = text
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode())

    def char(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.out_len += len(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> tuple[str, list[JsonDict]]:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "&":
                decoded = _decode_entity(text, self.pos)
                if decoded is None and self.strict_ampersand:
                    raise HtmlParseError(
                        f"Character '&' is reserved and must be escaped as \"&amp;\" "
                        f"at byte offset {self.byte_offset(self.pos)}"
                    )
                char, self.pos = decoded if decoded else ("&", self.pos + 1)
                self.emit(char)
            elif c != "<":
                self.emit(c)
                self.pos += 1
            elif self.char(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.open:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        for entity in self.entities:
            entity.pop("_language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in SPACES:
            self.pos += 1

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] not in SPACES + ">":
            self.pos += 1
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.text[begin + 1 : self.pos].lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument = ""
        while self.char(self.pos) != ">":
            self.skip_spaces()
            if self.char(self.pos) == ">":
                break
            attr_name, value = self.attribute(name, begin)
            argument = _tag_argument(name, attr_name, value, argument)
        self.pos += 1
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.open.append(_OpenTag(name, argument, self.utf16, self.out_len))

    def attribute(self, tag: str, begin: int) -> tuple[str, str | None]:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in SPACES + "=>":
            self.pos += 1
        attr_name = self.text[start : self.pos]
        if not attr_name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        self.skip_spaces()
        if self.char(self.pos) != "=":
            if self.pos >= len(self.text):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            return attr_name, None
        self.pos += 1
        self.skip_spaces()
        quote = self.char(self.pos)
        if not quote:
            raise HtmlParseError(
                f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        if quote not in "'\"":
            token_start = self.pos
            while self.char(self.pos) and self.char(self.pos) in NAME_TOKEN_CHARS:
                self.pos += 1
            if self.char(self.pos) not in tuple(SPACES + ">"):
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}"
                )
            return attr_name, self.text[token_start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            decoded = _decode_entity(self.text, self.pos) if self.text[self.pos] == "&" else None
            if decoded:
                value.append(decoded[0])
                self.pos = decoded[1]
            else:
                value.append(self.text[self.pos])
                self.pos += 1
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        return attr_name, "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        if not self.open:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 2
        while self.pos < len(self.text) and self.text[self.pos] not in SPACES + ">":
            self.pos += 1
        end_name = self.text[begin + 2 : self.pos]
        self.skip_spaces()
        if self.char(self.pos) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        tag = self.open.pop()
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        if self.utf16 > tag.utf16_offset:
            self.close_entity(tag)

    def close_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.utf16 - tag.utf16_offset
        entity: JsonDict = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in SIMPLE_TYPES:
            entity["type"] = SIMPLE_TYPES[tag.name]
        elif tag.name == "a":
            url = tag.argument or "".join(self.out)[tag.text_pos :]
            entity.update(type="text_link", url=url)
        elif tag.name == "code":
            entity["type"] = "code"
            if tag.argument:
                entity["_language"] = tag.argument
        elif tag.name == "pre":
            entity["type"] = "pre"
            if last is not None and same_span and last["type"] == "code":
                self.entities.pop()
                if "_language" in last:
                    entity["language"] = last["_language"]
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        else:  # tg-emoji
            if not tag.argument.isdigit():
                raise HtmlParseError(
                    "Custom emoji entity must contain a valid custom emoji identifier"
                )
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        self.entities.append(entity)


def _tag_argument(tag: str, attr: str, value: str | None, current: str) -> str:
    if value is None:
        return "1" if tag == "blockquote" and attr == "expandable" else current
    if tag == "a" and attr == "href":
        return value
    if tag == "code" and attr == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attr == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attr == "emoji-id":
        return value
    return current


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities)."""
    return _Parser(text, strict_ampersand=strict_ampersand).run()
