"""A rule's explanation (`/explain/{code}`): ruff's own text, opened from a report."""

from dataclasses import dataclass

from markupsafe import Markup

from bot.features.reports.rule_cards import RULES_PAGE, inline, markdown_blocks
from bot.features.reports.texts import docs_link
from core.i18n import DEFAULT_LOCALE
from core.review import SYNTAX_ERROR_CODE
from core.rule_cards import rule_card, rule_cards
from webapp.app import Ctx, Page, PageNotFoundError, WebApp
from webapp.highlight import SourceMap, highlight_lines
from webapp.pages.report import RULE_CODE


@dataclass(frozen=True)
class RuleExplanation:
    code: str
    name: str
    linter: str
    fix: str
    explanation: str  # ruff's Markdown
    url: str


@dataclass(frozen=True)
class ExplanationBlock:
    kind: str  # heading, paragraph, item or code
    html: Markup


async def explain_page(ctx: Ctx) -> Page:
    code = ctx.request.match_info.get("rule_code", "")
    if code == SYNTAX_ERROR_CODE:
        data = RuleExplanation(code, "", "", "", "", "")
        return Page("report/explain.html", data, {"blocks": [], "syntax_error": True})
    rule = await ctx.deps.rule_catalog.rule(code) if RULE_CODE.fullmatch(code) else None
    if rule is None:
        raise PageNotFoundError  # 404: no such rule in this ruff
    data = RuleExplanation(
        code=rule.code,
        name=rule.name,
        linter=rule.linter,
        fix=rule.fix,
        explanation=rule.explanation,
        url=f"{RULES_PAGE}{rule.name}/" if docs_link(f"{RULES_PAGE}{rule.name}/") else "",
    )
    blocks = explanation_blocks(rule.explanation)
    context = {"blocks": blocks, "syntax_error": False, **_card_context(ctx.viewer.locale, code)}
    return Page("report/explain.html", data, context)


def _card_context(locale: str, code: str) -> dict[str, object]:
    """The card in the viewer's language, its examples highlighted; or whether the language
    has cards but not this one (then ruff's English text comes under a line saying so)."""
    card = rule_card(locale, code)
    if card is None:
        return {
            "card": None,
            "untranslated": locale != DEFAULT_LOCALE and bool(rule_cards(locale)),
        }
    examples = {
        kind: Markup("\n").join(highlight_lines(SourceMap(lines), 0, len(lines)))
        for kind, lines in (("bad", card.bad.splitlines()), ("good", card.good.splitlines()))
    }
    # The card's texts are plain with `code` spans: shown as the chat shows them.
    texts = {field: Markup(inline(getattr(card, field))) for field in ("what", "why", "fix")}  # noqa: S704 - `inline` escapes all but its own tags
    return {"card": card, "card_html": texts, "examples": examples, "untranslated": False}


def explanation_blocks(markdown: str) -> list[ExplanationBlock]:
    """ruff's Markdown as safe HTML: headings, paragraphs, list items and code blocks; inline
    code, bold and emphasis; everything else escaped (link targets left out)."""
    blocks = []
    for block in markdown_blocks(markdown):
        if block.kind == "code":
            lines = block.text.split("\n")
            code = Markup("\n").join(highlight_lines(SourceMap(lines), 0, len(lines)))
            blocks.append(ExplanationBlock("code", code))
        else:
            # `inline` escapes everything but the few tags it writes itself
            blocks.append(ExplanationBlock(block.kind, Markup(inline(block.text))))  # noqa: S704
    return blocks


def register(webapp: WebApp) -> None:
    webapp.page("/explain/{rule_code}", explain_page)
