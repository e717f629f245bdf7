"""What an SMTP server's refusal means for our mail, by its code and the stage it came at.

- 4xx at any stage (connect, HELO/EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA), a server out of
  reach, a lost connection, a failed TLS handshake: TEMPORARY, worth trying again later
  (greylisting answers 450 at RCPT).
- 5xx at RCPT (this recipient), at DATA (this message: too large, taken for spam), or 552 at
  MAIL (the message's declared SIZE is over the server's limit): REFUSED, for this message only.
- 5xx at AUTH, or AUTH not offered while a login is set: AUTHENTICATION. 530 at any stage, and
  5xx at connect, HELO/EHLO, STARTTLS or MAIL (the sender address), or STARTTLS not offered while
  the settings ask for it: POLICY. Both mean the server refuses the bot itself, whatever the
  message: no mail can go until the operator fixes the settings (or the server's side).
"""

import re
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib

from core.ports import MailFailure


@dataclass(frozen=True)
class Refusal:
    kind: MailFailure
    reason: str
    # The `kind` label of reviewbot_smtp_errors.
    label: str


# 552 at MAIL FROM answers the SIZE we declared: the message is too large, not the sender.
MESSAGE_TOO_LARGE = 552
# "Authentication required", "Must issue a STARTTLS command first": at whatever stage.
POLICY_REQUIRED = 530


def refusal(error: aiosmtplib.SMTPException) -> Refusal:
    """What this failure of aiosmtplib's means (see the module's description)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        return _answer(error.recipients[0])  # one recipient per message
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _answer(error)
    if isinstance(error, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError):
        return unreachable(error)
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return unreachable(error)
    if isinstance(error, aiosmtplib.SMTPNotSupported) and "SMTPUTF8" in str(error):
        # This message's non-ASCII address needs SMTPUTF8, which the server does not offer.
        return Refusal(MailFailure.REFUSED, f"SMTP: {error}", "recipient_refused")
    # The server lacks what the settings ask for (STARTTLS, AUTH, a login method).
    kind = MailFailure.AUTHENTICATION if "auth" in str(error).lower() else MailFailure.POLICY
    return Refusal(kind, f"SMTP: {error}", kind.value)


def unreachable(error: Exception) -> Refusal:
    return Refusal(MailFailure.TEMPORARY, f"SMTP unreachable: {error}", "unreachable")


def _answer(error: aiosmtplib.SMTPResponseException) -> Refusal:
    code = error.code
    reason = f"SMTP {code}: {error.message}"
    if not 500 <= code < 600:  # 4xx, or a reply that is no refusal at all
        return Refusal(MailFailure.TEMPORARY, reason, "temporary")
    if code == POLICY_REQUIRED:
        return Refusal(MailFailure.POLICY, reason, "policy")
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return Refusal(MailFailure.AUTHENTICATION, reason, "authentication")
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return Refusal(MailFailure.REFUSED, reason, "recipient_refused")
    if isinstance(error, aiosmtplib.SMTPDataError) or (
        isinstance(error, aiosmtplib.SMTPSenderRefused) and code == MESSAGE_TOO_LARGE
    ):
        return Refusal(MailFailure.REFUSED, reason, "rejected")
    # Connect, HELO/EHLO, STARTTLS, MAIL FROM: the server will not take mail from the bot.
    return Refusal(MailFailure.POLICY, reason, "policy")


class PlainReason(StrEnum):
    """Why a mail was not sent, as a person is told it: the server's own words (its name, its
    internal addresses) stay in the log and in /stats."""

    ADDRESS_REFUSED = "address_refused"
    TOO_LARGE = "too_large"
    MESSAGE_REFUSED = "message_refused"
    UNREACHABLE = "unreachable"
    TRY_LATER = "try_later"
    OTHER = "other"


# "SMTP 550: 5.1.1 <x@y>: ..." as `Refusal.reason` stores it: the code, the enhanced code.
_STORED_ANSWER = re.compile(
    r"^SMTP (?P<code>\d{3}):? *(?:\d\.(?P<subject>\d{1,3})\.(?P<detail>\d{1,3}))?"
)
# Enhanced status codes (RFC 3463): X.1.* the address, X.2.2/X.3.4 too large (X.2.3: mailbox).
_ADDRESS_SUBJECT = "1"
_TOO_LARGE_CODES = {("2", "3"), ("3", "4")}
_ADDRESS_CODES = {550, 551, 553}


def plain_reason(stored: str) -> PlainReason:
    """What a stored mail error (`Refusal.reason`, as `Delivery.last_error` keeps it) means
    for the person, from its prefix and codes."""
    if stored.startswith("SMTP unreachable:"):
        return PlainReason.UNREACHABLE
    answer = _STORED_ANSWER.match(stored)
    if answer is None:
        return PlainReason.MESSAGE_REFUSED if stored.startswith("SMTP:") else PlainReason.OTHER
    code, subject = int(answer["code"]), answer["subject"]
    if not 500 <= code < 600:
        return PlainReason.TRY_LATER
    if code == MESSAGE_TOO_LARGE or (subject, answer["detail"]) in _TOO_LARGE_CODES:
        return PlainReason.TOO_LARGE
    if subject == _ADDRESS_SUBJECT or (subject is None and code in _ADDRESS_CODES):
        return PlainReason.ADDRESS_REFUSED
    return PlainReason.MESSAGE_REFUSED
