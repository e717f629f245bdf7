"""Texts of a check judged against its file's baseline (docs/baselines.md): the result line,
the accepted issues listed apart, and the card's baseline line and buttons."""

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import number, quote
from core.models import CheckResult
from core.review import Issue, group_by_rule
from core.services.baselines import BaselineView

# The most rules the accepted line names (the rest are counted): one line, never a wall.
MAX_ACCEPTED_RULES = 6
ACCEPTED_MARK = "☑️"


def judged_line(
    result: CheckResult, baseline_version: int, issue_count: int, accepted: int
) -> str:
    """ "✅ Passes against the baseline of version 2 (12 accepted issues remain)", or "❌ 1 new
    issue beyond the baseline of version 1 (12 accepted)"."""
    if result is CheckResult.PASSED:
        return "✅ " + ngettext(
            "Passes against the baseline of version {version} ({count} accepted issue remains)",
            "Passes against the baseline of version {version} ({count} accepted issues remain)",
            accepted,
        ).format(version=baseline_version, count=number(accepted))
    new = issue_count - accepted
    return "❌ " + ngettext(
        "{new} new issue beyond the baseline of version {version} ({count} accepted)",
        "{new} new issues beyond the baseline of version {version} ({count} accepted)",
        new,
    ).format(new=number(new), version=baseline_version, count=number(accepted))


def passes_short(accepted: int) -> str:
    """A passed check's short state in lists (history, check log) when a baseline accepted
    some of its issues: "passes against the baseline (12 accepted issues)"."""
    return ngettext(
        "passes against the baseline ({count} accepted issue)",
        "passes against the baseline ({count} accepted issues)",
        accepted,
    ).format(count=number(accepted))


def accepted_summary(accepted: Sequence[Issue], count: int) -> str:
    """The accepted issues in one line, by rule: "☑️ Accepted, not counted: F841 ×10, F401 ×2"
    (`count`: how many were accepted, some of which may not be kept)."""
    groups = group_by_rule(list(accepted))
    shown = [f"{quote(code)} ×{len(issues)}" for code, issues in groups[:MAX_ACCEPTED_RULES]]
    rest = len(groups) - MAX_ACCEPTED_RULES
    if rest > 0:
        shown.append(ngettext("{count} more rule", "{count} more rules", rest).format(count=rest))
    return f"{ACCEPTED_MARK} " + ngettext(
        "{count} accepted issue, not counted: {rules}",
        "{count} accepted issues, not counted: {rules}",
        count,
    ).format(count=number(count), rules=", ".join(shown))


def accepted_heading(baseline_version: int, count: int, *, continued: bool) -> str:
    """The heading of the report's section of accepted issues."""
    if continued:
        return _("Accepted by the baseline (continued):")
    return f"{ACCEPTED_MARK} " + ngettext(
        "Accepted by the baseline of version {version}: {count} issue",
        "Accepted by the baseline of version {version}: {count} issues",
        count,
    ).format(version=baseline_version, count=number(count))


def card_line(baseline: BaselineView | None) -> str | None:
    """The card's line: "Baseline: version 2 (12 accepted issues)"; None without a baseline."""
    if baseline is None:
        return None
    return ngettext(
        "Baseline: version {version} ({count} accepted issue)",
        "Baseline: version {version} ({count} accepted issues)",
        baseline.accepted,
    ).format(version=baseline.version, count=number(baseline.accepted))


def button_accept() -> str:
    return _("☑️ Accept current issues")


def button_clear() -> str:
    return _("Clear baseline")


def accepted_notice(baseline: BaselineView) -> str:
    """The button's answer once accepted (plain text, under 200 characters)."""
    return ngettext(
        "Version {version} is the baseline: its {count} issue no longer fails later versions.",
        "Version {version} is the baseline: its {count} issues no longer fail later versions.",
        baseline.accepted,
    ).format(version=baseline.version, count=number(baseline.accepted))


def cleared_notice(cleared: bool) -> str:
    if not cleared:
        return _("This file has no baseline.")
    return _("Baseline cleared: later versions are judged on every issue.")


def not_checked_yet(version: int) -> str:
    """Accepting a version whose check has not finished (or could not run)."""
    return _(
        "Version {version} has no finished check yet: accept its issues once its result has come."
    ).format(version=version)
