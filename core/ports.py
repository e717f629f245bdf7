"""What the domain needs from outside, as small interfaces: mail, the wake-up of the check job,
ruff's rule catalogue. `infra/` holds the implementations and `reviewbot/runtime.py` picks them;
services, jobs and handlers are typed against these. (The fixer is `core.services.fixes.Fixer`,
the sender of results `core.delivery.Send`.)"""

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol

# The start of an RFC 2047 encoded word: mail programs decode text that holds it, so an
# address must not (see `core.services.registration.normalize_email`) and a subject that does
# goes out encoded as a whole (see `infra.mail.mailers`).
ENCODED_WORD_START = "=?"


class MailFailure(StrEnum):
    """What a failed send means (see infra/mail/smtp_replies.py for how SMTP answers map)."""

    TEMPORARY = "temporary"
    REFUSED = "refused"
    AUTHENTICATION = "authentication"
    POLICY = "policy"

    @property
    def operators(self) -> bool:
        """The server refuses the bot itself: the operator's to fix, not the message's fault."""
        return self in {MailFailure.AUTHENTICATION, MailFailure.POLICY}


class MailSendError(Exception):
    """Sending failed. `kind` tells whether trying again later may succeed, whether this
    message will never be accepted, or whether the server refuses the bot itself (see
    infra/mail/smtp_replies.py)."""

    def __init__(self, reason: str, *, kind: MailFailure, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        # No server answered (refused connection, lost connection, timeout, failed TLS): it says
        # nothing about this message, however long it lasts.
        self.unreachable = unreachable

    @property
    def temporary(self) -> bool:
        return self.kind is MailFailure.TEMPORARY


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over; return only once it was accepted, else raise MailSendError."""

    def connections(self) -> AbstractAsyncContextManager["Mailer"]:
        """A mailer for a run of messages: connections it opens are kept and reused until the
        block ends, then closed."""


class ConfirmationMessage(Protocol):
    """Builds the email carrying a one-time code, in the person's language."""

    def build(self, *, recipient: str, code: str, lifetime: timedelta) -> EmailMessage: ...


class Wakeup(Protocol):
    async def notify(self) -> None:
        """Say that new work is waiting. Never raises: the schedule covers a lost signal."""

    def signals(self) -> AsyncIterator[None]:
        """Yield once per signal (several close together may arrive as one)."""


@dataclass(frozen=True)
class Rule:
    code: str  # e.g. "F401"
    name: str  # e.g. "unused-import"
    linter: str  # e.g. "Pyflakes"
    summary: str
    explanation: str  # Markdown, as `ruff rule CODE` prints it after its header
    fix: str  # e.g. "Fix is sometimes available."


class RuleCatalog(Protocol):
    """What each rule checks and why; empty (or without a code) when it cannot be read."""

    async def rules(self) -> Mapping[str, Rule]: ...

    async def rule(self, code: str) -> Rule | None: ...
