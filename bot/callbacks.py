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


class ReportAction(StrEnum):
    OPEN = "o"  # a check's report screen, page `page`
    DOCUMENT = "d"  # the complete report as an HTML document
    RULE = "r"  # the rule card of `rule`, opened from page `page` of the report


class ReportCallback(CallbackData, prefix="k"):
    """One check's report (by check id: the log, the file card and results all lead here)."""

    action: ReportAction
    check_id: int
    page: int = 0
    rule: str = ""  # a ruff rule code such as "PLR0913" (at most a dozen characters)


class CheckLogAction(StrEnum):
    PAGE = "p"
    CSV = "c"
    XLSX = "x"
    JSON = "j"


class CheckLogCallback(CallbackData, prefix="g"):
    """The `/report` list of every check: a page of it, or an export of the whole log."""

    action: CheckLogAction
    page: int = 0


class HistoryCallback(CallbackData, prefix="h"):
    """A page of a file's history (newest versions first); `back` is the page of the file list
    its card's Back button returns to."""

    file_id: int
    page: int = 0
    back: int = 0
