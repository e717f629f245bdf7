"""The complete report of a check as one self-contained HTML document: every issue grouped by
rule, with its source line and a link to ruff's page on the rule. Inline CSS, no scripts and
no external resources, so it opens in any browser without a network."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import Environment

from core.fix_preview import FixPreview, document_fix
from core.review import Issue, group_by_rule
from core.rule_cards import localized_message
from core.services.baselines import split_accepted
from core.services.reports import OwnedCheck
from core.source_excerpts import source_excerpt, visible

TEMPLATE = "report_document.html"
SOURCE_WIDTH = 200  # characters of a source line around the issue's column
_NOT_IN_ANCHOR = re.compile(r"[^A-Za-z0-9-]")


@dataclass(frozen=True)
class DocumentIssue:
    line: int
    column: int
    message: str
    source: str
    fixable: bool
    fix: FixPreview | None = None  # ruff's fix, before → after (None: none, or an older check)


@dataclass(frozen=True)
class DocumentRule:
    code: str
    name: str
    url: str | None
    anchor: str
    issues: list[DocumentIssue]


def render_report_document(
    environment: Environment, locale: str, check: OwnedCheck, rule_names: Mapping[str, str]
) -> bytes:
    """The document in the language of `environment` (a Jinja environment with autoescape for
    `.html` and the translations installed, e.g. `EmailTemplates.environment(locale)`).
    With a baseline the issues beyond it are grouped first, the accepted ones apart."""
    report = check.report
    new, accepted = (
        split_accepted(report.issues)
        if report.baseline_version is not None
        else (report.issues, [])
    )
    template = environment.get_template(TEMPLATE)
    return template.render(
        locale=locale,
        report=report,
        rules=_rules(check, locale, rule_names, new),
        accepted_rules=_rules(check, locale, rule_names, accepted, anchor="accepted-rule-"),
    ).encode("utf-8")


def _rules(
    check: OwnedCheck,
    locale: str,
    rule_names: Mapping[str, str],
    found: list[Issue],
    anchor: str = "rule-",
) -> list[DocumentRule]:
    return [
        DocumentRule(
            code=code,
            name=rule_names.get(code, ""),
            url=next((i.url for i in issues if i.url and i.url.startswith("https://")), None),
            anchor=anchor + _NOT_IN_ANCHOR.sub("-", code),
            issues=[
                DocumentIssue(
                    line=issue.line,
                    column=issue.column,
                    message=visible(localized_message(locale, issue)),
                    source=source_excerpt(
                        check.source_line(issue.line), issue.column, SOURCE_WIDTH
                    ),
                    fixable=issue.fixable,
                    fix=document_fix(check.lines, issue.fix),
                )
                for issue in issues
            ],
        )
        for code, issues in group_by_rule(found)
    ]
