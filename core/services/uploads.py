"""Checks on an uploaded document, before and after its bytes are fetched."""

import unicodedata

from core.errors import UploadRefusal, UploadRefusedError

MAX_NAME_LENGTH = 255
PYTHON_SUFFIX = ".py"


# Removed from names: control, format (bidi overrides, zero-width), surrogate, private-use and
# unassigned characters (C*), and line and paragraph separators (Zl, Zp).
_REMOVED_CATEGORIES = ("C", "Zl", "Zp")


def clean_file_name(raw: str | None) -> str:
    """The base name (after the last `/` or `\\`) with the characters above removed and the
    surrounding whitespace stripped. Nothing else changes: markup, `&`, quotes, emoji and
    inner spaces stay, and are escaped wherever the name is shown."""
    if not raw:
        return ""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    visible = "".join(
        char for char in base if not unicodedata.category(char).startswith(_REMOVED_CATEGORIES)
    )
    return visible.strip()


def check_document(raw_name: str | None, declared_size: int | None, max_bytes: int) -> str:
    """The name to store, or `UploadRefusedError`; run before anything is downloaded."""
    name = clean_file_name(raw_name)
    if not name:
        raise UploadRefusedError(UploadRefusal.EMPTY_NAME)
    if not name.lower().endswith(PYTHON_SUFFIX):
        raise UploadRefusedError(UploadRefusal.NOT_PYTHON)
    if not name[: -len(PYTHON_SUFFIX)].strip(" ."):
        raise UploadRefusedError(UploadRefusal.EMPTY_NAME)
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRefusedError(UploadRefusal.NAME_TOO_LONG)
    if declared_size is not None and declared_size > max_bytes:
        raise UploadRefusedError(UploadRefusal.TOO_LARGE, limit_bytes=max_bytes)
    return name


def check_content(content: bytes, max_bytes: int) -> None:
    """Refuse what is too large, has NUL bytes or is not UTF-8 text."""
    if len(content) > max_bytes:
        raise UploadRefusedError(UploadRefusal.TOO_LARGE, limit_bytes=max_bytes)
    if b"\x00" in content:
        raise UploadRefusedError(UploadRefusal.NUL_BYTES)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefusedError(UploadRefusal.NOT_UTF8) from None
