"""What the Mini App's report shows of a check judged against its file's baseline
(docs/baselines.md): the chat's result line, and the accepted issues counted apart (the
listing marks each of them)."""

from typing import Any

from markupsafe import Markup

from bot.features.reports import baseline_texts
from core.models import CheckResult
from core.services.baselines import split_accepted
from core.services.reports import CheckReport


def baseline_context(report: CheckReport) -> dict[str, Any]:
    """`baseline_line` (instead of the result line) and `accepted_line`; empty without one."""
    if report.baseline_version is None or report.result is CheckResult.ERROR:
        return {"baseline_line": "", "accepted_line": ""}
    _new, accepted = split_accepted(report.issues)
    line = baseline_texts.judged_line(
        report.result, report.baseline_version, report.issue_count, report.accepted_count
    )
    summary = baseline_texts.accepted_summary(accepted, report.accepted_count)
    return {
        "baseline_line": line,
        # Escaped already: rule codes pass through `quote` in the text.
        "accepted_line": Markup(summary) if report.accepted_count else "",  # noqa: S704
    }
