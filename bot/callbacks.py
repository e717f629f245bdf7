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
    MUTE = "m"  # leave `rule` out of the person's next checks, and show page `page` again
    UNMUTE = "n"  # take `rule` back into them


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


class RulesAction(StrEnum):
    PRESET = "p"  # use the preset `preset` (custom: the configuration sent before)
    UNMUTE = "u"  # unmute `rule`
    OWN_CONFIG = "c"  # wait for the person's own configuration


class RulesCallback(CallbackData, prefix="u"):
    """The `/rules` screen: the person's own settings only, so there is nothing to forge."""

    action: RulesAction
    preset: str = ""
    rule: str = ""


class FixAction(StrEnum):
    PREVIEW = "p"  # the diff of the fixes
    FILE = "f"  # the fixed file as a document
    SAVE = "s"  # the fixed file as the next version


class FixCallback(CallbackData, prefix="x"):
    """Autofix of the version a check looked at, with that check's rules; `page` is the report
    page that Back returns to."""

    action: FixAction
    check_id: int
    unsafe: bool = False
    page: int = 0


class ForgetAction(StrEnum):
    CONFIRM = "y"  # delete everything now
    CANCEL = "n"  # keep the account


class ForgetCallback(CallbackData, prefix="fg"):
    """The /forget confirmation, for the user it was asked for: a button left over from
    another account signed in here later deletes nothing."""

    action: ForgetAction
    user_id: int


class AccountAction(StrEnum):
    UNLINK = "u"


class AccountCallback(CallbackData, prefix="a"):
    action: AccountAction
    account_id: int
