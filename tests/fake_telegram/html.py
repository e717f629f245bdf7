"""Telegram's HTML parse mode, modelled on tdlib's ``parse_html``.

Returns the entity-free text and the message entities (offsets in UTF-16 code units), or
raises :class:`HtmlParseError` with a tdlib-like detail. Unlike tdlib, a bare ``&`` that
does not start a recognised entity is refused when ``strict_ampersand`` is true (the Bot API
documentation requires escaping it; tdlib itself silently keeps it).

Links are tdlib's too: an ``<a href>`` that ``LinkManager::check_link`` refuses (no dot in the
host, a scheme other than http/https/tg/ton, a bad port...) is not an error, its entity is
silently left out; the parse result lists such links in ``dropped_links``. ``tg://user?id=N``
becomes a ``text_mention`` of user N (whom the caller must resolve).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import NamedTuple

from tests.fake_telegram.html_references import decode_reference
from tests.fake_telegram.links import LinkError, check_link, link_user_id
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
SPACES = " \t\r\n\v\f"
NAME_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + ".-")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is tdlib's detail."""


class ParsedHtml(NamedTuple):
    text: str
    entities: list[JsonDict]
    dropped_links: list[str]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_pos: int


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
        self.dropped_links: list[str] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode())

    def char(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.out_len += len(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> ParsedHtml:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "&":
                decoded = decode_reference(text, self.pos)
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
        return ParsedHtml("".join(self.out), self.entities, self.dropped_links)

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
        while self.pos < len(self.text) and self.text[self.pos] not in SPACES + "=>/\"'":
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
            decoded = decode_reference(self.text, self.pos) if self.text[self.pos] == "&" else None
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

    def link(self, url: str) -> JsonDict | None:
        """The link entity's type and target; None (and the URL noted) when tdlib drops it."""
        user_id = link_user_id(url)
        if user_id is not None:
            return {"type": "text_mention", "user": {"id": user_id}}
        try:
            return {"type": "text_link", "url": check_link(url)}
        except LinkError:
            self.dropped_links.append(url)
            return None

    def close_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.utf16 - tag.utf16_offset
        entity: JsonDict = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in SIMPLE_TYPES:
            entity["type"] = SIMPLE_TYPES[tag.name]
        elif tag.name == "a":
            link = self.link(tag.argument or "".join(self.out)[tag.text_pos :])
            if link is None:
                return
            entity.update(link)
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
            if not _is_custom_emoji_id(tag.argument):
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        self.entities.append(entity)


def _is_custom_emoji_id(value: str) -> bool:
    """tdlib: a non-zero signed 64-bit integer."""
    digits = value.removeprefix("-")
    return digits.isascii() and digits.isdigit() and 0 < int(digits) < 1 << 63


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


def parse_html(text: str, *, strict_ampersand: bool = True) -> ParsedHtml:
    """Parse Telegram HTML into (plain text, entities, dropped links)."""
    return _Parser(text, strict_ampersand=strict_ampersand).run()
