"""Why email-validator refused an address, as one of our own kinds.

The validator has one exception type for every syntax problem and explains it in an English
sentence. We sort those sentences into `EmailProblem`s (first matching pattern wins) so the bot
can explain each kind in the person's language; a sentence we do not know (a newer validator)
becomes `EmailProblem.OTHER`, which the bot explains in general terms.
"""

import re
import unicodedata

from email_validator import EmailNotValidError

from core.errors import EmailProblem, InvalidEmailError

_PATTERNS: tuple[tuple[str, EmailProblem], ...] = (
    (r"must have an @-sign", EmailProblem.NO_AT_SIGN),
    (r"instead of a regular at-sign", EmailProblem.LOOKALIKE_AT_SIGN),
    (r"something before the @-sign", EmailProblem.EMPTY_LOCAL_PART),
    (r"something after the @-sign", EmailProblem.EMPTY_DOMAIN),
    (r"too long", EmailProblem.TOO_LONG),
    (r"periods cannot be separated by so many", EmailProblem.INVALID_DOMAIN),
    (r"should have a period", EmailProblem.DOMAIN_WITHOUT_PERIOD),
    (r"hyphen|two dashes", EmailProblem.MISPLACED_HYPHEN),
    (r"\bperiods?\b", EmailProblem.MISPLACED_PERIOD),
    (r"special-use or reserved", EmailProblem.RESERVED_DOMAIN),
    (
        r"display name|angle bracket|anything after the email address|after close quote",
        EmailProblem.NOT_ONLY_ADDRESS,
    ),
    (r"unsafe characters|contains an invalid character\b", EmailProblem.UNSAFE_CHARACTERS),
    (r"before the @-sign", EmailProblem.LOCAL_PART_CHARACTERS),
    (
        r"after the @-sign contains invalid|invalid characters after",
        EmailProblem.DOMAIN_CHARACTERS,
    ),
    (r"after the @-sign|top-level domain|IDNA", EmailProblem.INVALID_DOMAIN),
)
_KINDS = tuple((re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in _PATTERNS)
_WITH_CHARACTERS = frozenset(
    {
        EmailProblem.LOCAL_PART_CHARACTERS,
        EmailProblem.DOMAIN_CHARACTERS,
        EmailProblem.UNSAFE_CHARACTERS,
    }
)
# "...invalid characters before the @-sign: 'ж', SPACE." — the list after the last colon.
_CHARACTER_LIST = re.compile(r"characters[^:]*: (?P<listing>[^:]+)\.$")
MAX_CHARACTERS = 10


def email_problem(error: EmailNotValidError) -> InvalidEmailError:
    """Our error for the validator's: the kind of problem and the characters it names."""
    message = str(error)
    for pattern, kind in _KINDS:
        if pattern.search(message):
            characters = _named_characters(message) if kind in _WITH_CHARACTERS else ()
            return InvalidEmailError(kind, characters)
    return InvalidEmailError(EmailProblem.OTHER)


def _named_characters(message: str) -> tuple[str, ...]:
    """The validator lists characters as `'x'` (printable) or by Unicode name or `U+XXXX`."""
    found = _CHARACTER_LIST.search(message)
    if found is None:
        return ()
    characters: list[str] = []
    for item in found.group("listing").split(", "):
        character = _character(item.strip())
        if character is not None and character not in characters:
            characters.append(character)
    return tuple(characters[:MAX_CHARACTERS])


def _character(item: str) -> str | None:
    if len(item) == 3 and item[0] == item[-1] and item[0] in "'\"":
        return item[1]
    if re.fullmatch(r"U\+[0-9A-F]{4,8}", item):
        return chr(int(item[2:], 16))
    try:
        return unicodedata.lookup(item)
    except KeyError:
        return None
