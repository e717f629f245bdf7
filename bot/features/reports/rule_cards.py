"""Rule cards: what a rule checks and why, from ruff's own explanation (English Markdown)
turned into safe Telegram HTML and cut to fit one message, with the link to ruff's page.

Only our framing is translated; the explanation is ruff's text as `ruff rule CODE` prints it.
"""

import re
import textwrap
from dataclasses import dataclass
from typing import Literal

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.features.reports.texts import TELEGRAM_TEXT_LIMIT, docs_link, shorten, telegram_length
from bot.shared.formatting import quote
from core.i18n import DEFAULT_LOCALE
from core.ports import Rule
from core.review import SYNTAX_ERROR_CODE
from core.rule_cards import RuleCard, rule_cards

BlockKind = Literal["heading", "paragraph", "item", "code"]
_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# A code span, or a link ([text](target), [text][reference] or [reference]) whose text may
# hold code spans; the code span wins where both could start.
_INLINE = re.compile(
    r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)"
    r"|\[(?P<link>(?:`[^`]*`|[^\]`])+)\](?:\([^)\s]*\)|\[[^\]]*\])?"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])_([^_\s<>](?:[^_<>]*[^_\s<>])?)_(?!\w)")
RULES_PAGE = "https://docs.astral.sh/ruff/rules/"
_MIN_CUT = 200  # below this many units left, a block is left out rather than cut
# A translated card's example longer than this is cut (three cards have long ones: PLR0911,
# PLR0912 and PLR0915 need many branches, returns or statements to fire).
MAX_EXAMPLE_LINES = 30


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # Markdown source of a paragraph, heading or list item; raw lines of code


def markdown_blocks(markdown: str) -> list[Block]:
    """Headings, paragraphs, list items and fenced code, in order (reference definitions of
    links are left out: link texts stay, targets do not)."""
    blocks: list[Block] = []
    lines: list[str] = []
    kind: BlockKind | None = None

    def close() -> None:
        nonlocal lines, kind
        if kind == "code" and any(line.strip() for line in lines):
            blocks.append(Block(kind, textwrap.dedent("\n".join(lines)).strip("\n")))
        elif kind is not None:
            blocks.append(Block(kind, " ".join(line.strip() for line in lines)))
        lines, kind = [], None

    for line in markdown.splitlines():
        if kind == "code":
            if _FENCE.match(line):
                close()
            else:
                lines.append(line)
        elif _FENCE.match(line):
            close()
            kind = "code"
        elif not line.strip() or _REFERENCE.match(line):
            close()
        elif heading := _HEADING.match(line):
            close()
            blocks.append(Block("heading", heading.group(1).strip()))
        elif item := _ITEM.match(line):
            close()
            kind, lines = "item", [item.group(1)]
        else:
            kind = kind or "paragraph"
            lines.append(line)
    close()
    return blocks


def inline(markdown: str) -> str:
    """One line of Markdown as Telegram HTML: `code` spans, **bold**, _emphasis_, and the
    texts of links (their targets left out); everything else escaped."""
    parts: list[str] = []
    position = 0
    for token in _INLINE.finditer(markdown):
        parts.append(_prose(markdown[position : token.start()]))
        code, link_text = token.group("code"), token.group("link")
        if link_text is not None:
            parts.append(inline(link_text))
        elif code.strip():
            parts.append(f"<code>{quote(code.strip())}</code>")
        else:
            parts.append(quote(token.group(0)))
        position = token.end()
    parts.append(_prose(markdown[position:]))
    return "".join(parts)


def _prose(text: str) -> str:
    return _EMPHASIS.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", quote(text)))


def render_block(block: Block) -> str:
    match block.kind:
        case "heading":
            return "<b>" + quote(_CODE_SPAN.sub(r"\2", block.text)) + "</b>"
        case "code":
            return f"<pre>{quote(block.text)}</pre>"
        case "item":
            return f"• {inline(block.text)}"
        case "paragraph":
            return inline(block.text)


def _cut(block: Block, units: int) -> str | None:
    """The block shortened to fit `units` (code by whole lines, text by characters)."""
    if block.kind == "code":
        lines = block.text.split("\n")
        while lines:
            lines.pop()
            text = render_block(Block("code", "\n".join([*lines, "…"])))
            if telegram_length(text) <= units:
                return text if lines else None
        return None
    low, high = 0, len(block.text)
    best = None
    while low <= high:  # the longest cut of the source whose rendering fits
        middle = (low + high) // 2
        text = render_block(Block(block.kind, shorten(block.text, middle)))
        if telegram_length(text) <= units:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


def rule_card(code: str, rule: Rule | None, url: str | None) -> str:
    """The card of rule `code`: its name, whether ruff can fix it, ruff's explanation (as much
    as fits), and the link to ruff's page on it."""
    if code == SYNTAX_ERROR_CODE:
        return syntax_error_card()
    link = docs_link(url or (f"{RULES_PAGE}{rule.name}" if rule is not None else None))
    footer = [_('<a href="{url}">The rule on ruff\'s site</a>').format(url=link)] if link else []
    locale = get_i18n().current_locale
    card = rule_cards(locale).get(code)
    if card is not None:
        return translated_card(card, rule, footer)
    if locale != DEFAULT_LOCALE and rule_cards(locale):
        untranslated = _(
            "This card is not translated yet: below is ruff's explanation in English."
        )
        footer = [untranslated, *footer]
    if rule is None:
        head = [f"ℹ️ <b>{quote(code)}</b>", _("This ruff has no description of this rule.")]
        return "\n\n".join([*head, *footer])
    head = [
        f"ℹ️ <b>{quote(code)}</b> {quote(rule.name)} ({quote(rule.linter)})",
        _fix_line(rule),
        _("What ruff says about it:"),
    ]
    room = TELEGRAM_TEXT_LIMIT - sum(telegram_length(part) + 2 for part in [*head, *footer, "…"])
    body = ""
    previous: Block | None = None
    for block in markdown_blocks(rule.explanation):
        rendered = render_block(block)
        cost = telegram_length(rendered) + 2
        if cost > room:
            cut = _cut(block, room - 2) if room >= _MIN_CUT else None
            body += "\n\n".join([cut, "…"] if cut else ["…"])
            break
        both_items = previous is not None and previous.kind == block.kind == "item"
        body += ("\n" if both_items else "\n\n") + rendered
        room -= cost
        previous = block
    return "\n\n".join([*head, body.strip("\n"), *footer])


def _fix_line(rule: Rule) -> str:
    if rule.fix.startswith("Fix is always"):
        return _("ruff can fix it: ruff check --fix")
    if rule.fix.startswith("Fix is sometimes"):
        return _("ruff can fix it in some cases: ruff check --fix")
    return _("ruff cannot fix it by itself.")


def syntax_error_card() -> str:
    return "\n\n".join(
        [
            f"ℹ️ <b>{SYNTAX_ERROR_CODE}</b>",
            _(
                "Not a ruff rule: the file is not valid Python, so ruff could not parse it. The "
                "message says what ruff expected at that line and column. Rules that need the "
                "whole module may not have checked the file; fix the syntax and send the file "
                "again for a complete review."
            ),
        ]
    )


def translated_card(card: RuleCard, rule: Rule | None, footer: list[str]) -> str:
    """A card in the person's language (core/rule_cards.py): what the rule finds, why it
    matters, how to fix it, and its bad and good examples (checked by ruff in the tests)."""
    name = f" {quote(rule.name)}" if rule is not None else ""
    linter = f" ({quote(rule.linter)})" if rule is not None and rule.linter else ""
    parts = [
        f"ℹ️ <b>{quote(card.code)}</b>{name}{linter}",
        f"<b>{_('What it finds')}</b>\n{inline(card.what)}",
        f"<b>{_('Why it matters')}</b>\n{inline(card.why)}",
        f"<b>{_('How to fix it')}</b>\n{inline(card.fix)}",
        f"<b>{_('Bad')}</b>\n<pre>{quote(_example(card.bad))}</pre>",
        f"<b>{_('Good')}</b>\n<pre>{quote(_example(card.good))}</pre>",
        *footer,
    ]
    while telegram_length("\n\n".join(parts)) > TELEGRAM_TEXT_LIMIT and len(parts) > 4:
        parts.pop(-1 - len(footer))  # the good example first, then the bad one
    return "\n\n".join(parts)


def _example(text: str) -> str:
    """An example as a card shows it: at most `MAX_EXAMPLE_LINES` lines."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= MAX_EXAMPLE_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[: MAX_EXAMPLE_LINES - 1], "…"])
