"""Pieces of uploaded source and of ruff's messages, made safe and short for showing."""

import unicodedata


def visible(text: str) -> str:
    """Control and format characters (bidi overrides among them) made visible and harmless:
    spacing ones become spaces, the others U+FFFD."""
    return "".join(
        (" " if char.isspace() else "\ufffd")
        if unicodedata.category(char) in {"Cc", "Cf"}
        else char
        for char in text
    )


def source_excerpt(line: str | None, column: int, width: int) -> str:
    """The source line without its indentation, cut to `width` characters around `column`
    (from 1) with "…" where something was left out; empty for a missing line."""
    if line is None:
        return ""
    text = visible(line).rstrip()
    stripped = text.lstrip()
    column -= len(text) - len(stripped)
    if len(stripped) <= width:
        return stripped
    start = min(max(0, column - 1 - width // 2), len(stripped) - width)
    head = "…" if start > 0 else ""
    tail = "…" if start + width < len(stripped) else ""
    return head + stripped[start : start + width] + tail
