"""Typed callback data. Ids only, short prefixes: Telegram allows 64 bytes."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator

# The database's integers are 32-bit (PostgreSQL `integer`): a larger number is no id of
# anything, and comparing one with an id column fails on PostgreSQL. Forged data may hold any
# number; one the database cannot hold reads as -1, which no row has (ids start at 1) and
# which forged data could say anyway, so it is answered like any foreign id ("File not
# found.") and a page of -1 is the first page.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
NO_ID = -1


def _within_database(value: int) -> int:
    return value if DB_INT_MIN <= value <= DB_INT_MAX else NO_ID


DbInt = Annotated[int, AfterValidator(_within_database)]


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
    file_id: DbInt
    page: DbInt = 0


class FilesPageCallback(CallbackData, prefix="l"):
    page: DbInt


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
    check_id: DbInt
    page: DbInt = 0
    rule: str = ""  # a ruff rule code such as "PLR0913" (at most a dozen characters)


class CheckLogAction(StrEnum):
    PAGE = "p"
    CSV = "c"
    XLSX = "x"
    JSON = "j"


class CheckLogCallback(CallbackData, prefix="g"):
    """The `/report` list of every check: a page of it, or an export of the whole log."""

    action: CheckLogAction
    page: DbInt = 0


class HistoryCallback(CallbackData, prefix="h"):
    """A page of a file's history (newest versions first); `back` is the page of the file list
    its card's Back button returns to."""

    file_id: DbInt
    page: DbInt = 0
    back: DbInt = 0


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
    check_id: DbInt
    unsafe: bool = False
    page: DbInt = 0


class ForgetAction(StrEnum):
    CONFIRM = "y"  # delete everything now
    CANCEL = "n"  # keep the account


class ForgetCallback(CallbackData, prefix="fg"):
    """The /forget confirmation, for the user it was asked for: a button left over from
    another account signed in here later deletes nothing."""

    action: ForgetAction
    user_id: DbInt


class AccountAction(StrEnum):
    UNLINK = "u"


class AccountCallback(CallbackData, prefix="a"):
    action: AccountAction
    account_id: DbInt


class ReviewAction(StrEnum):
    OPEN = "o"  # the submission's screen in chat (its code's issues and comments)
    TAKE = "t"
    APPROVE = "a"
    CHANGES = "c"  # request changes: the member gets the comments by line
    WITHDRAW = "w"  # the member takes it back
    RESOLVE = "r"  # resolve comment `comment_id`
    COMMENTS = "m"  # the comments by line
    CODE = "d"  # the version under review, as a document


class ReviewCallback(CallbackData, prefix="rv"):
    """A step of a submission; every handler checks who may take it (forged ids read as not
    found)."""

    action: ReviewAction
    submission_id: DbInt
    comment_id: DbInt = 0


class SubmitCallback(CallbackData, prefix="sb"):
    """ "📤 Send for review" of a file to a team (`team_id` 0: choose among several)."""

    file_id: DbInt
    team_id: DbInt = 0


class DashboardAction(StrEnum):
    OPEN = "o"
    CSV = "c"  # submissions, comments and statuses as CSV documents
    XLSX = "x"  # the same as one workbook


class DashboardCallback(CallbackData, prefix="db"):
    """A team's dashboard (owners and reviewers only)."""

    action: DashboardAction
    team_id: DbInt


# --- teams (/team) ------------------------------------------------------------------------------


class TeamAction(StrEnum):
    LIST = "l"  # the person's teams
    NEW = "n"  # ask for a new team's name
    OPEN = "o"  # a team's screen
    MEMBERS = "m"  # the owner's list of people, a button each (page `page`)
    MEMBER = "p"  # the owner's screen of one person (`member_id`)
    REVIEWER = "r"  # make `member_id` a reviewer
    DEMOTE = "d"  # make `member_id` a member again
    OWNER = "w"  # ask to hand the team to `member_id`
    OWNER_YES = "W"
    REMOVE = "x"  # ask to remove `member_id`
    REMOVE_YES = "X"
    RENAME = "e"  # ask for a new name
    NEW_LINK = "k"  # a new invite link (the old one stops working)
    RULES = "u"  # the team's rules
    PRESET = "s"  # use `preset`
    CONFIG = "c"  # ask for the team's ruff configuration
    GATE = "g"  # ask for the gate
    UNLINK = "q"  # unlink the group chat
    DELETE = "z"  # ask to delete the team
    DELETE_YES = "Z"
    LEAVE = "v"  # ask to leave the team
    LEAVE_YES = "V"


class TeamCallback(CallbackData, prefix="tm"):
    """A step of `/team`; every handler checks that the presser is in the team with the role
    the step needs (forged ids read as "Team not found.")."""

    action: TeamAction
    team_id: DbInt = 0
    member_id: DbInt = 0
    preset: str = ""
    page: DbInt = 0  # of the owner's list of people


class TeamGroupCallback(CallbackData, prefix="tg"):
    """In a group chat: link this group to the presser's team `team_id` (its owner only)."""

    team_id: DbInt


class BaselineAction(StrEnum):
    ACCEPT = "a"  # make the file's current version its baseline
    CLEAR = "c"


class BaselineCallback(CallbackData, prefix="bl"):
    """A file card's baseline buttons (docs/baselines.md); `page` is the list's, for Back."""

    action: BaselineAction
    file_id: DbInt
    page: DbInt = 0
