"""Rule cards in a person's language: what a rule finds, why it matters, how to fix it and a
short bad → good example, kept as TOML under `locales/<language>/rule_cards/` (one file per
rule family, one table per rule code). tests/pipeline/test_rule_cards.py runs ruff on every
example: the bad one must trigger its rule and the good one must not.

A card's `reason` is one line: the chat result shows it under an issue's message.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from core.review import Issue

LOCALES = Path(__file__).resolve().parent.parent / "locales"
CARD_FIELDS = ("reason", "what", "why", "fix", "bad", "good")
# The examples are checked in files of this name unless a card names its own (`filename`,
# `good_filename`: N999 judges the module's name).
EXAMPLE_FILE = "example.py"


class RuleCardError(ValueError):
    """A cards file that does not hold what a card needs."""


@dataclass(frozen=True)
class RuleCard:
    code: str
    reason: str  # one line, shown under an issue in the chat result
    what: str  # what the rule finds
    why: str  # why it matters
    fix: str  # how to fix it
    bad: str  # code that triggers the rule
    good: str  # the same code, fixed: it does not trigger the rule
    filename: str = EXAMPLE_FILE  # the bad example's file name
    good_filename: str = EXAMPLE_FILE


def read_cards(folder: Path) -> dict[str, RuleCard]:
    """Every card of the `*.toml` files in `folder`, by code; a code in two files, a missing
    or empty field, or an unknown one is an error."""
    cards: dict[str, RuleCard] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as stream:
            tables = tomllib.load(stream)
        for code, table in tables.items():
            if code in cards:
                raise RuleCardError(f"{path.name}: {code} has a card in another file too")
            cards[code] = _card(path.name, code, table)
    return cards


def _card(source: str, code: str, table: object) -> RuleCard:
    if not isinstance(table, dict):
        raise RuleCardError(f"{source}: {code} is not a table")
    unknown = set(table) - {*CARD_FIELDS, "filename", "good_filename"}
    missing = [field for field in CARD_FIELDS if not str(table.get(field, "")).strip()]
    if unknown or missing:
        raise RuleCardError(f"{source}: {code}: unknown {sorted(unknown)}, missing {missing}")
    if "\n" in table["reason"].strip():
        raise RuleCardError(f"{source}: {code}: the reason must be one line")
    texts = {field: str(table[field]).strip() for field in CARD_FIELDS[:4]}
    # As written, from its first line: a multi-line string ends its last line; a one-line
    # string without "\n" leaves the last line unended (what W292 finds).
    examples = {field: str(table[field]).lstrip("\n") for field in CARD_FIELDS[4:]}
    names = {key: str(table.get(key, EXAMPLE_FILE)) for key in ("filename", "good_filename")}
    return RuleCard(code=code, **texts, **examples, **names)


@cache
def _cards(language: str) -> Mapping[str, RuleCard]:
    folder = LOCALES / language / "rule_cards"
    return MappingProxyType(read_cards(folder) if folder.is_dir() else {})


def rule_cards(language: str) -> Mapping[str, RuleCard]:
    """The cards of a language (read once), by rule code; empty for a language without any."""
    return _cards(language.split("-", maxsplit=1)[0].lower())


def rule_card(language: str, code: str) -> RuleCard | None:
    return rule_cards(language).get(code)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def issue_text(language: str, code: str, message: str) -> str:
    """An issue's message in the person's language: for a rule with a card, the card's reason
    followed by the names and code that ruff's message quotes (its `code` spans: "`os`" of
    "`os` imported but unused"); otherwise ruff's own message."""
    card = rule_card(language, code)
    if card is None:
        return message
    quoted = list(dict.fromkeys(_CODE_SPAN.findall(message)))
    if not quoted:
        return card.reason
    return f"{card.reason.rstrip('.')}: {', '.join(f'`{text}`' for text in quoted)}"


def localized_message(language: str, issue: Issue) -> str:
    """`issue_text` of an issue: what every listing of issues shows in `language`."""
    return issue_text(language, issue.code, issue.message)
