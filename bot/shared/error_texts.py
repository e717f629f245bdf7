"""Texts that explain a domain error to the person (see `core/errors.py`)."""

import unicodedata

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.fallback import texts as fallback_texts
from bot.features.reports import baseline_texts
from bot.features.rules import texts as rules_texts
from bot.shared import limit_texts
from bot.shared import texts as shared_texts
from bot.shared.formatting import quote
from bot.shared.team_error_texts import team_error_text
from bot.shared.texts import file_not_found, size_label, something_went_wrong
from core import errors, team_errors
from core.services.baselines import NotCheckedYetError


def refusal(error: errors.UploadRefusedError) -> str:
    kind = errors.UploadRefusal
    match error.refusal:
        case kind.EMPTY_NAME:
            return _("This document has no file name. Send it as <code>name.py</code>.")
        case kind.NAME_TOO_LONG:
            return _("The file name is too long. Please rename the file and send it again.")
        case kind.NOT_PYTHON:
            return _("I only review Python files: the name must end in <code>.py</code>.")
        case kind.TOO_LARGE:
            return _("This file is too large: the limit is {size}.").format(
                size=size_label(error.limit_bytes)
            )
        case kind.NOT_UTF8:
            return _("This file is not UTF-8 text. Save it as UTF-8 and send it again.")
        case kind.NUL_BYTES:
            return _("This file contains NUL bytes, so it is not a Python source file.")


def email_problem(error: errors.InvalidEmailError) -> str:
    """Why the address was refused, as the end of a sentence, in the person's language."""
    listed = characters(error.characters)
    if listed:
        match error.problem:
            case errors.EmailProblem.LOCAL_PART_CHARACTERS:
                text = _(
                    "the part before the @-sign has characters an address cannot use: "
                    "{characters}."
                )
                return text.format(characters=listed)
            case errors.EmailProblem.DOMAIN_CHARACTERS:
                text = _(
                    "the part after the @-sign has characters a domain name cannot use: "
                    "{characters}."
                )
                return text.format(characters=listed)
            case errors.EmailProblem.UNSAFE_CHARACTERS:
                text = _("it contains invisible or unsafe characters: {characters}.")
                return text.format(characters=listed)
    return _email_problem_in_general(error.problem)


def _email_problem_in_general(problem: errors.EmailProblem) -> str:  # noqa: PLR0911, PLR0912
    kind = errors.EmailProblem  # one case per kind
    match problem:
        case kind.NO_AT_SIGN:
            return _("there is no @-sign in it.")
        case kind.LOOKALIKE_AT_SIGN:
            return _("it has a look-alike character instead of the ordinary @-sign.")
        case kind.EMPTY_LOCAL_PART:
            return _("there is nothing before the @-sign.")
        case kind.EMPTY_DOMAIN:
            return _("there is nothing after the @-sign.")
        case kind.LOCAL_PART_CHARACTERS:
            return _("the part before the @-sign has characters an address cannot use.")
        case kind.DOMAIN_CHARACTERS:
            return _("the part after the @-sign has characters a domain name cannot use.")
        case kind.UNSAFE_CHARACTERS:
            return _("it contains invisible or unsafe characters.")
        case kind.MISPLACED_PERIOD:
            return _(
                "a period is out of place: it cannot start or end the address, stand next to "
                "the @-sign or follow another period."
            )
        case kind.MISPLACED_HYPHEN:
            return _(
                "a hyphen is out of place after the @-sign: a part of a domain name cannot "
                "start or end with one."
            )
        case kind.DOMAIN_WITHOUT_PERIOD:
            return _("the part after the @-sign needs a period, as in example.com.")
        case kind.RESERVED_DOMAIN:
            return _("the part after the @-sign is a reserved name that cannot receive mail.")
        case kind.INVALID_DOMAIN:
            return _("the part after the @-sign is not a valid domain name.")
        case kind.TOO_LONG:
            return _("it is too long for an email address.")
        case kind.NOT_ONLY_ADDRESS:
            return _("send only the address itself, without a name, brackets or other text.")
    return _("it is not a valid email address.")


def characters(found: tuple[str, ...]) -> str:
    """Characters as a person can tell them apart: visible ones quoted, a space named, the
    invisible ones by code point."""
    shown: list[str] = []
    for character in found:
        if character == " ":
            shown.append(_("space"))
        elif unicodedata.category(character)[0] in "LNPS":
            shown.append(f"<code>{quote(character)}</code>")
        else:
            shown.append(f"U+{ord(character):04X}")
    return ", ".join(shown)


def error_text(error: errors.DomainError) -> str:  # noqa: PLR0911, PLR0912 - one case per error
    match error:
        case errors.UploadRefusedError():
            return refusal(error)
        case errors.StorageFullError():
            return limit_texts.storage_full(error)
        case errors.NotRegisteredError():
            return _("You need an account first: send /start to register, or /login.")
        case errors.AlreadyRegisteredError(email=email):
            return _(
                "You are already signed in as <b>{email}</b>. Use /logout first to switch."
            ).format(email=quote(email))
        case errors.InvalidEmailError():
            return _(
                "That address does not look right: {reason}\nPlease send another one."
            ).format(reason=email_problem(error))
        case errors.EmailTakenError():
            return _(
                "This address already belongs to an account. Use /login to sign in with it, "
                "or send another address."
            )
        case errors.UnknownEmailError():
            return _("No account uses this address. Send another one, or /start to register.")
        case errors.MailUnavailableError():
            return _("I could not send the email right now. Please try again in a minute.")
        case errors.CodeResendTooSoonError(wait_seconds=seconds):
            return ngettext(
                "You can ask for a new code in {count} second.",
                "You can ask for a new code in {count} seconds.",
                seconds,
            ).format(count=seconds)
        case errors.CodeLimitError():
            return limit_texts.code_limit(error)
        case errors.WrongCodeError(attempts_left=left):
            return ngettext(
                "Wrong code. {count} try left.", "Wrong code. {count} tries left.", left
            ).format(count=left)
        case errors.CodeExhaustedError():
            return _("Too many wrong tries: this code no longer works. Ask for a new one.")
        case errors.CodeExpiredError():
            return _("This code has expired. Ask for a new one.")
        case errors.ConfirmationNotFoundError():
            return _("No code is waiting for this chat. Send /start or /login to get one.")
        case errors.FileNotFoundForUserError():
            return file_not_found()
        case errors.ConfigRefusedError():
            return rules_texts.config_refusal(error)
        case errors.NoOwnConfigError():
            return _("You have not sent a configuration yet: press «📄 Use my configuration».")
        case errors.RuleNotInCheckError():
            return _("This report has no such rule. Open the report again.")
        case errors.TooManyMutedError(limit=limit):
            return _(
                "You have muted {count} rules, the most I keep. Unmute some in /rules, or use "
                "your own configuration."
            ).format(count=limit)
        case errors.NewerVersionError(current_version=version):
            return _(
                "This file has changed since: it is at version {version} now. Open its latest "
                "report to fix that one."
            ).format(version=version)
        case NotCheckedYetError(version=version):
            return baseline_texts.not_checked_yet(version)
        case errors.NothingToFixError():
            return _("There is nothing to fix: the file would stay exactly as it is.")
        # Review by people (bot/features/reviews).
        case team_errors.NotInAnyTeamError():
            return _(
                "You are not in a team yet, so there is no one to send it to. A team's owner "
                "can send you its invite link."
            )
        case team_errors.SubmissionNotFoundError():
            return _("Submission not found.")
        case team_errors.AlreadySubmittedError(status=status):
            return _(
                "This file is already under review in that team ({status}). Its latest "
                "version goes to the reviewer by itself once it passes the gate: see /reviews."
            ).format(status=shared_texts.submission_status(status))
        case team_errors.SubmissionStatusError(status=status):
            return _("Not possible now: the submission is {status}.").format(
                status=shared_texts.submission_status(status)
            )
        case team_errors.OwnSubmissionError():
            return _("You cannot review your own file.")
        case team_errors.CommentLinesError(line_count=count):
            return ngettext(
                "There is no such line: the version under review has {count} line. Write "
                "<code>12: text</code>, <code>12-14: text</code>, or text alone for a general "
                "comment.",
                "There is no such line: the version under review has {count} lines. Write "
                "<code>12: text</code>, <code>12-14: text</code>, or text alone for a general "
                "comment.",
                count,
            ).format(count=count)
        case team_errors.CommentRefusedError(max_length=most):
            return _("A comment needs some text, at most {count} characters.").format(count=most)
        case team_errors.CommentNotFoundError():
            return _("Comment not found.")
        case team_errors.NotACommentReplyError():
            return fallback_texts.unknown_text()
    return team_error_text(error) or something_went_wrong()


def database_unavailable() -> str:
    """The database did not answer: the update was not handled, so nothing of it was kept."""
    return _(
        "My database is out of reach for a moment, so I could not handle this message. "
        "Nothing is lost: please send it again in a minute."
    )


def conversation_unavailable() -> str:
    """The FSM storage (Redis) did not answer: where the person was in a dialogue is unknown."""
    return _(
        "I can't keep track of our conversation right now (part of my storage is out of "
        "reach). If you were registering, logging in, replacing a file or sending rules, "
        "please start again with the command in a minute. Your files and reviews are safe, "
        "and the other commands work."
    )
