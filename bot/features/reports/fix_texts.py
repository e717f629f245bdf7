"""The fix shown under a fixable issue of the chat's report: its label (safe, unsafe, or a
suggestion ruff never applies), ruff's message, and the changed lines before → after in a
small `pre` block. A check stored before fixes were kept shows none (`issue.fix` is None)."""

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import FIXABLE_MARK, shorten
from bot.shared.formatting import quote
from core.fix_preview import FixPreview, PreviewLine, fix_preview
from core.review import Applicability, Issue
from core.source_excerpts import visible

MAX_FIX_MESSAGE = 200  # UTF-16 units of ruff's fix message (it may quote a whole expression)
# A page holds up to 20 issues in 4096 UTF-16 units: the block shows at most this many lines
# on each side, each cut to PREVIEW_WIDTH characters (the HTML report shows them whole).
CHAT_PREVIEW_LINES = 4
PREVIEW_WIDTH = 60
FIX_MARKS: dict[Applicability, str] = {"safe": FIXABLE_MARK, "unsafe": "⚠️", "display-only": "✋"}


def fix_label(applicability: Applicability) -> str:
    """What a fix of this applicability is, in the words of 🛠 Fix (safe and unsafe fixes)."""
    match applicability:
        case "safe":
            return _("safe fix: ruff check --fix and the bot's 🛠 Fix apply it")
        case "unsafe":
            return _(
                "unsafe fix: it may change what the code does in rare cases; applied only "
                "with unsafe fixes"
            )
        case "display-only":
            return _("a suggestion ruff never applies: make the change by hand")


def fix_lines(issue: Issue, source: Sequence[str]) -> list[str]:
    """The lines shown under `issue` in a report page: none without a stored fix."""
    if issue.fix is None:
        return []
    preview = fix_preview(source, issue.fix, CHAT_PREVIEW_LINES)
    label = f"<i>{fix_label(preview.applicability)}</i>"
    if preview.message:
        label = f"{quote(shorten(visible(preview.message), MAX_FIX_MESSAGE))} — {label}"
    head = f"{FIX_MARKS[preview.applicability]} {label}"
    if not preview.has_change:
        return [head]
    return [head, f"<pre>{quote(preview_block(preview))}</pre>"]


def preview_block(preview: FixPreview) -> str:
    """`- 12 │ import os` / `+ 12 │ …` lines, and how many more were left out."""
    pairs = [("-", line) for line in preview.before] + [("+", line) for line in preview.after]
    width = max(len(str(line.number)) for _sign, line in pairs)
    column = _first_change(preview.before, preview.after)
    rows = [f"{sign} {line.number:>{width}} │ {_cut(line.text, column)}" for sign, line in pairs]
    if preview.more:
        rows.append(
            ngettext("…{count} more line", "…{count} more lines", preview.more).format(
                count=preview.more
            )
        )
    return "\n".join(rows)


def _first_change(before: Sequence[PreviewLine], after: Sequence[PreviewLine]) -> int:
    """Where the first changed line first differs (from 0): the part of long lines shown."""
    old = before[0].text if before else ""
    new = after[0].text if after else ""
    return next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), 0)


def _cut(text: str, column: int) -> str:
    """The line made visible and cut to PREVIEW_WIDTH characters around `column`."""
    text = visible(text)
    if len(text) <= PREVIEW_WIDTH:
        return text
    start = min(max(0, column - PREVIEW_WIDTH // 2), len(text) - PREVIEW_WIDTH)
    head = "…" if start > 0 else ""
    tail = "…" if start + PREVIEW_WIDTH < len(text) else ""
    return head + text[start : start + PREVIEW_WIDTH] + tail
