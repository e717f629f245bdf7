"""The code block of a message: its first `pre` entity, or else text fenced with ```.

Nothing else of the message is taken: words around the block are left out, and of several
blocks only the first is taken (the others are counted, so the person can be told). Inline
`code` entities are no blocks. A fence needs its closing ```; a language tag right after the
opening one (```python) is dropped, as Telegram's apps do.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.enums import MessageEntityType
from aiogram.types import Message, MessageEntity

FENCE = "```"
# A language tag alone on the opening fence's line: `python`, `py3`, `c++`, `objective-c`.
LANGUAGE_TAG = re.compile(r"[A-Za-z][\w+#.-]*")


@dataclass(frozen=True)
class PastedCode:
    code: str  # the first block, ending with a line break ("" for an empty block)
    left_out: int  # how many more blocks the message had


def pasted_code(text: str | None, entities: Sequence[MessageEntity] | None) -> PastedCode | None:
    """The message's first code block, or None when it has none."""
    if not text:
        return None
    blocks = _pre_blocks(text, entities or ()) or _fenced_blocks(text)
    if not blocks:
        return None
    return PastedCode(code=_as_file(blocks[0]), left_out=len(blocks) - 1)


def message_code(message: Message) -> PastedCode | None:
    return pasted_code(message.text, message.entities)


def has_code_block(message: Message) -> dict[str, PastedCode] | bool:
    """A filter: passes the message's block to the handler as `pasted`."""
    found = message_code(message)
    return False if found is None else {"pasted": found}


def _pre_blocks(text: str, entities: Sequence[MessageEntity]) -> list[str]:
    pre = sorted(
        (entity for entity in entities if entity.type == MessageEntityType.PRE),
        key=lambda entity: entity.offset,
    )
    units = text.encode("utf-16-le", "surrogatepass")
    return [_utf16_slice(units, entity.offset, entity.length) for entity in pre]


def _utf16_slice(units: bytes, offset: int, length: int) -> str:
    """What `MessageEntity.extract_from` gives (offsets in UTF-16 code units, as Telegram
    counts them), except that a lone surrogate (in the text, or where an offset cuts a pair
    in two) is kept instead of raising: the content check then refuses it as not UTF-8."""
    start, end = max(offset, 0) * 2, max(offset + length, 0) * 2
    return units[start:end].decode("utf-16-le", "surrogatepass")


def _fenced_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    position = 0
    while (start := text.find(FENCE, position)) >= 0:
        end = text.find(FENCE, start + len(FENCE))
        if end < 0:
            break  # no closing fence: no block
        blocks.append(_without_language_tag(text[start + len(FENCE) : end]))
        position = end + len(FENCE)
    return blocks


def _without_language_tag(body: str) -> str:
    """The fenced text without the rest of the opening fence's line, when that rest is empty
    or a language tag (```python ⏎ code); else as it is (```x = 1```)."""
    first, line_break, rest = body.partition("\n")
    if line_break and (not first.strip() or LANGUAGE_TAG.fullmatch(first.strip())):
        return rest
    return body


def _as_file(block: str) -> str:
    """A block of only blank lines is empty; any other ends with a line break, as a file
    does (a chat message cannot end with one)."""
    if not block.strip():
        return ""
    return block if block.endswith("\n") else block + "\n"
