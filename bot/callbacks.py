"""Typed callback data. Ids only, short prefixes: Telegram allows 64 bytes."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class FileAction(StrEnum):
    OPEN = "o"
    REPORT = "r"
    REPLACE = "p"
    DELETE = "d"
    CONFIRM_DELETE = "y"
    DOWNLOAD = "w"
    HISTORY = "h"


class FileCallback(CallbackData, prefix="f"):
    action: FileAction
    file_id: int
    page: int = 0


class FilesPageCallback(CallbackData, prefix="l"):
    page: int


class CodeAction(StrEnum):
    RESEND = "r"


class CodeCallback(CallbackData, prefix="c"):
    action: CodeAction
