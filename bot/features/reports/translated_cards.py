"""A rule card in the person's language (core/rule_cards.py): what the rule finds, why it
matters, how to fix it, and a bad → good example that ruff itself has checked.

Where the person's language has no card for a rule, the English card (ruff's explanation) is
shown under a line saying so.
"""

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.features.reports.texts import TELEGRAM_TEXT_LIMIT, shorten, telegram_length
from bot.shared.formatting import quote
from core.i18n import DEFAULT_LOCALE
from core.ports import Rule
from core.rule_cards import RuleCard, rule_card, rule_cards

# An example longer than this many lines is cut on the card (the ones we write are short).
MAX_EXAMPLE_LINES = 12


def card_in_language(code: str) -> RuleCard | None:
    """The card of `code` in the current language, if it has one."""
    return rule_card(get_i18n().current_locale, code)


def untranslated_line() -> str | None:
    """For a language that has cards but not this one: the line above the English card."""
    locale = get_i18n().current_locale
    if locale == DEFAULT_LOCALE or not rule_cards(locale):
        return None
    return _("This card is not translated yet: below is ruff's explanation in English.")


def translated_card(card: RuleCard, rule: Rule | None, footer: list[str]) -> str:
    """The card as one message: title, the three sections, the two examples, the footer."""
    name = f" {quote(rule.name)}" if rule is not None else ""
    linter = f" ({quote(rule.linter)})" if rule is not None and rule.linter else ""
    parts = [
        f"ℹ️ <b>{quote(card.code)}</b>{name}{linter}",
        f"<b>{_('What it finds')}</b>\n{quote(card.what)}",
        f"<b>{_('Why it matters')}</b>\n{quote(card.why)}",
        f"<b>{_('How to fix it')}</b>\n{quote(card.fix)}",
        f"<b>{_('Bad')}</b>\n<pre>{quote(_lines(card.bad))}</pre>",
        f"<b>{_('Good')}</b>\n<pre>{quote(_lines(card.good))}</pre>",
        *footer,
    ]
    text = "\n\n".join(parts)
    if telegram_length(text) <= TELEGRAM_TEXT_LIMIT:
        return text
    # Never reached with the cards we write; a safe cut if a card ever grows too long.
    return shorten("\n\n".join(parts[:4]), TELEGRAM_TEXT_LIMIT)


def _lines(example: str) -> str:
    lines = example.rstrip("\n").split("\n")
    if len(lines) <= MAX_EXAMPLE_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[: MAX_EXAMPLE_LINES - 1], "…"])
