"""Domain errors: each names what went wrong in terms the bot can explain to the person.

`core` never builds user-facing text itself; the bot maps each error type to a message in the
person's language (see `bot/shared/error_texts.py`).
"""

from dataclasses import dataclass
from enum import StrEnum


class DomainError(Exception):
    """Base of every error that is the person's to fix, not a bug."""


class NotRegisteredError(DomainError):
    """The Telegram account is not linked to any user."""


class AlreadyRegisteredError(DomainError):
    """The Telegram account is already linked to a user."""

    def __init__(self, email: str) -> None:
        super().__init__(email)
        self.email = email


class EmailProblem(StrEnum):
    """Why an address was refused, in our own terms (see `core/email_problems.py`)."""

    NO_AT_SIGN = "no_at_sign"
    LOOKALIKE_AT_SIGN = "lookalike_at_sign"
    EMPTY_LOCAL_PART = "empty_local_part"
    EMPTY_DOMAIN = "empty_domain"
    LOCAL_PART_CHARACTERS = "local_part_characters"
    DOMAIN_CHARACTERS = "domain_characters"
    UNSAFE_CHARACTERS = "unsafe_characters"
    MISPLACED_PERIOD = "misplaced_period"
    MISPLACED_HYPHEN = "misplaced_hyphen"
    DOMAIN_WITHOUT_PERIOD = "domain_without_period"
    RESERVED_DOMAIN = "reserved_domain"
    INVALID_DOMAIN = "invalid_domain"
    TOO_LONG = "too_long"
    NOT_ONLY_ADDRESS = "not_only_address"
    OTHER = "other"


@dataclass
class InvalidEmailError(DomainError):
    """The address was refused; `characters` are the offending ones when they are known."""

    problem: EmailProblem
    characters: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.problem.value


class EmailTakenError(DomainError):
    """The address already belongs to a user: the person should `/login` instead."""


class UnknownEmailError(DomainError):
    """No user has this address: the person should register with `/start`."""


class CodeResendTooSoonError(DomainError):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


class CodeLimitScope(StrEnum):
    EMAIL = "email"  # codes sent to one address, whichever Telegram account asked
    ACCOUNT = "account"  # codes one Telegram account asked for, to any address


class CodeLimitError(DomainError):
    """The hourly number of codes for the address or the account is used up."""

    def __init__(self, scope: CodeLimitScope, limit: int, wait_seconds: int) -> None:
        super().__init__(scope, limit, wait_seconds)
        self.scope = scope
        self.limit = limit
        self.wait_seconds = wait_seconds


class MailUnavailableError(DomainError):
    """The mail server did not take the message; trying again later may work."""


class WrongCodeError(DomainError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(attempts_left)
        self.attempts_left = attempts_left


class CodeExhaustedError(DomainError):
    """Too many wrong tries: the code no longer works."""


class CodeExpiredError(DomainError):
    """The code is older than its lifetime."""


class ConfirmationNotFoundError(DomainError):
    """There is no pending code for this account (already used, or never asked)."""


class AccountNotFoundError(DomainError):
    """No other Telegram account with that id is signed in to the user."""


class FileNotFoundForUserError(DomainError):
    """No active file with that id belongs to the user (or it never existed)."""


class FileNameTakenError(DomainError):
    """A new file was asked for under a name one of the person's active files has."""


class UploadRefusal(StrEnum):
    EMPTY_NAME = "empty_name"
    NAME_TOO_LONG = "name_too_long"
    NOT_PYTHON = "not_python"
    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    NUL_BYTES = "nul_bytes"


@dataclass
class UploadRefusedError(DomainError):
    refusal: UploadRefusal
    limit_bytes: int = 0

    def __str__(self) -> str:
        return self.refusal.value


class StorageLimit(StrEnum):
    FILES = "files"  # MAX_FILES_PER_USER active files
    BYTES = "bytes"  # MAX_STORED_BYTES_PER_USER bytes of stored versions


@dataclass
class StorageFullError(DomainError):
    """The upload would take the person past a storage limit; nothing of it was stored.
    `used` is what they have now (files, or bytes), `adding` the bytes this upload brings."""

    limit_kind: StorageLimit
    used: int
    limit: int
    adding: int = 0

    def __str__(self) -> str:
        return f"{self.limit_kind.value}: {self.used} of {self.limit}"


class ConfigRefusal(StrEnum):
    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    NOT_TOML = "not_toml"
    NO_RUFF_SECTION = "no_ruff_section"
    PATH_SETTINGS = "path_settings"
    OUTPUT_SETTINGS = "output_settings"
    TOO_DEEP = "too_deep"
    RUFF_REJECTED = "ruff_rejected"


@dataclass
class ConfigRefusedError(DomainError):
    """A person's ruff configuration was refused; `detail` is the size limit in KiB, the TOML
    or ruff reason, the settings that point at paths or change ruff's output, or the deepest
    nesting allowed."""

    refusal: ConfigRefusal
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.refusal.value}: {self.detail}" if self.detail else self.refusal.value


class NoOwnConfigError(DomainError):
    """The person asked for their own configuration before sending one."""


class RuleNotInCheckError(DomainError):
    """Muting a rule that the check did not report (forged or stale data)."""


class NewerVersionError(DomainError):
    """A fix was asked to be saved on a version that is no longer the file's current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__(current_version)
        self.current_version = current_version


class NothingToFixError(DomainError):
    """The fixes change nothing: there is no new version to save."""


class TooManyMutedError(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def first_line(error: BaseException) -> str:
    """An error in one line for logs and one-line exits: its message's first line, or its type's
    name when it has no message."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
