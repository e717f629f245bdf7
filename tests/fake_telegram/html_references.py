"""HTML character references in Telegram's HTML (tdlib's ``decode_html_entity``).

Only ``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` and numeric references are known; the ``;`` is
optional, as in tdlib.
"""

from __future__ import annotations

import string

NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_CODE_POINT = 0x10FFFF
MAX_REFERENCE_LENGTH = 10


def decode_reference(text: str, pos: int) -> tuple[str, int] | None:
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
