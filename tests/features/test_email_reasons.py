"""Why an address is refused, in the person's language: email-validator's English sentences
never reach a Russian user, and English users get our own English."""

import re

import pytest
from email_validator import EmailNotValidError, validate_email

from core.email_problems import email_problem
from core.errors import EmailProblem
from tests.support.app import BotApp

LONG = "a" * 250 + "@example.com"

# Address -> what the validator's sentence means (pinned email-validator; a new sentence
# would fall to OTHER and fail here instead of going unnoticed).
KINDS = [
    ("not-an-address", EmailProblem.NO_AT_SIGN, ()),
    ("ann\uff20example.com", EmailProblem.LOOKALIKE_AT_SIGN, ()),
    ("@example.com", EmailProblem.EMPTY_LOCAL_PART, ()),
    ("ann@", EmailProblem.EMPTY_DOMAIN, ()),
    ("ан на@example.com", EmailProblem.LOCAL_PART_CHARACTERS, (" ",)),
    ("ann,bob@example.com", EmailProblem.LOCAL_PART_CHARACTERS, (",",)),
    ('"ann"@example.com', EmailProblem.LOCAL_PART_CHARACTERS, ()),
    ("ann@exam_ple.com", EmailProblem.DOMAIN_CHARACTERS, ("_",)),
    ("ann@@example.com", EmailProblem.DOMAIN_CHARACTERS, ("@",)),
    ("ann@ex\x00.com", EmailProblem.DOMAIN_CHARACTERS, ("\x00",)),
    ("ann\u200b@example.com", EmailProblem.UNSAFE_CHARACTERS, ("\u200b",)),
    (".ann@example.com", EmailProblem.MISPLACED_PERIOD, ()),
    ("ann.@example.com", EmailProblem.MISPLACED_PERIOD, ()),
    ("an..n@example.com", EmailProblem.MISPLACED_PERIOD, ()),
    ("ann@example.com.", EmailProblem.MISPLACED_PERIOD, ()),
    ("ann@-example.com", EmailProblem.MISPLACED_HYPHEN, ()),
    ("ann@example-.com", EmailProblem.MISPLACED_HYPHEN, ()),
    ("ann@example", EmailProblem.DOMAIN_WITHOUT_PERIOD, ()),
    ("ann@my.local", EmailProblem.RESERVED_DOMAIN, ()),
    ("ann@example.123", EmailProblem.INVALID_DOMAIN, ()),
    ("ann@[1.2.3.4]", EmailProblem.INVALID_DOMAIN, ()),
    ("ann@" + "b" * 64 + ".com", EmailProblem.INVALID_DOMAIN, ()),
    (LONG, EmailProblem.TOO_LONG, ()),
    ("Ann <ann@example.com>", EmailProblem.NOT_ONLY_ADDRESS, ()),
]

# One address of each kind a person is likely to type, with what English users read.
TYPED = {
    "not-an-address": "there is no @-sign in it.",
    "@example.com": "there is nothing before the @-sign.",
    "ann@": "there is nothing after the @-sign.",
    "ан на@example.com": "the part before the @-sign has characters an address cannot use: space.",
    "ann@exam_ple.com": (
        "the part after the @-sign has characters a domain name cannot use: <code>_</code>."
    ),
    "ann\u200b@example.com": "it contains invisible or unsafe characters: U+200B.",
    ".ann@example.com": "a period is out of place",
    "ann@-example.com": "a hyphen is out of place after the @-sign",
    "ann@example": "the part after the @-sign needs a period, as in example.com.",
    "ann@my.local": "the part after the @-sign is a reserved name that cannot receive mail.",
    "ann@example.123": "the part after the @-sign is not a valid domain name.",
    LONG: "it is too long for an email address.",
    "Ann <ann@example.com>": "send only the address itself",
    "ann\uff20example.com": "a look-alike character instead of the ordinary @-sign",
}


def validator_sentence(address: str) -> str:
    with pytest.raises(EmailNotValidError) as refused:
        validate_email(address, check_deliverability=False)
    return str(refused.value)


@pytest.mark.parametrize(("address", "kind", "characters"), KINDS)
def test_each_sentence_of_the_validator_has_its_kind(
    address: str, kind: EmailProblem, characters: tuple[str, ...]
) -> None:
    with pytest.raises(EmailNotValidError) as refused:
        validate_email(address, check_deliverability=False)
    problem = email_problem(refused.value)
    assert (problem.problem, problem.characters) == (kind, characters)


def test_a_sentence_nobody_knows_is_a_general_problem() -> None:
    problem = email_problem(EmailNotValidError("Something new went wrong."))
    assert (problem.problem, problem.characters) == (EmailProblem.OTHER, ())


async def test_english_users_read_our_reasons_not_the_validators(bot_app: BotApp) -> None:
    ann = bot_app.person("ann@example.com")
    await ann.say("/start")
    for address, reason in TYPED.items():
        answer = await ann.say(address)
        assert answer.text.startswith("That address does not look right: "), answer.text
        assert reason in answer.html, (address, answer.html)
        assert answer.text.endswith("\nPlease send another one.")
        assert validator_sentence(address) not in answer.text


async def test_russian_users_read_every_reason_in_russian(bot_app: BotApp) -> None:
    ivan = bot_app.person("ivan@example.com", language_code="ru")
    await ivan.say("/start")
    reasons: set[str] = set()
    for address in TYPED:
        answer = await ivan.say(address)
        head, _, tail = answer.text.partition(": ")
        assert head == "С этим адресом что-то не так", answer.text
        reason, _, ending = tail.partition("\n")
        assert ending == "Пожалуйста, отправьте другой."
        assert re.search("[а-я]", reason), reason
        english = set(re.findall(r"[A-Za-z]{2,}", validator_sentence(address)))
        leaked = english & set(re.findall(r"[A-Za-z]{2,}", reason))
        assert not leaked, (address, reason)
        assert "The email address" not in answer.text
        assert "@-sign" not in answer.text
        reasons.add(reason)
    assert len(reasons) == len(TYPED)  # each kind has its own explanation
