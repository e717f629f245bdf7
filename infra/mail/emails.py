"""Email bodies rendered from templates (plain text and HTML) in the person's language."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.i18n import DEFAULT_LOCALE
from core.review import Issue
from core.rule_cards import localized_message
from core.services.baselines import split_accepted
from core.services.reports import CheckReport
from infra.mail.mailers import compose

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# A result's email lists at most this many issues and counts the rest (the chat's report and
# its HTML document have them): with messages cut to MAX_EMAIL_MESSAGE characters, the email
# stays far below 5 MB, which mail servers accept.
MAX_EMAIL_ISSUES = 500
MAX_EMAIL_MESSAGE = 1000


@dataclass(frozen=True)
class ReportLink:
    """A signed "open in browser" link to a check's report (`WEBAPP_URL/r/<token>`) and the
    moment it stops working."""

    url: str
    expires: datetime


def _one_line(subject: str) -> str:
    """The rendered subject on one line. Only line breaks are joined: a file name keeps its
    spaces (names hold no line breaks, see `core.services.uploads.clean_file_name`)."""
    return " ".join(line.strip() for line in subject.splitlines() if line.strip())


class EmailTemplates:
    """One Jinja environment per language, built once at start-up."""

    def __init__(self, *, sender: str, translations: dict[str, Translations]) -> None:
        self.sender = sender
        self._environments: dict[str, Environment] = {}
        for locale, catalogue in translations.items():
            environment = Environment(
                loader=FileSystemLoader(TEMPLATES_DIR),
                autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                keep_trailing_newline=True,
            )
            environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            # An issue's message in the language (a rule card's reason where there is one).
            environment.globals["issue_message"] = partial(localized_message, locale)
            self._environments[locale] = environment

    def environment(self, locale: str) -> Environment:
        return self._environments.get(locale, self._environments[DEFAULT_LOCALE])

    def confirmation(self, locale: str) -> "ConfirmationEmail":
        return ConfirmationEmail(self, locale)

    def render(self, locale: str, name: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """Subject, plain text and HTML of the message `name` (three templates)."""
        environment = self.environment(locale)
        subject = environment.get_template(f"{name}.subject.txt").render(context)
        text = environment.get_template(f"{name}.txt").render(context)
        html = environment.get_template(f"{name}.html").render(context)
        return _one_line(subject), text, html

    def check_report(
        self,
        *,
        locale: str,
        recipient: str,
        report: CheckReport,
        link: ReportLink | None = None,
    ) -> EmailMessage:
        """The result of a check in text and HTML: its first `MAX_EMAIL_ISSUES` issues (the
        new ones first, after a diff) and how many more there are; with `link`, the address
        that opens the report in a browser and until when it does."""
        context = _report_context(report, link)
        subject, text, html = self.render(locale, "check_report", context)
        return compose(
            sender=self.sender, recipient=recipient, subject=subject, text=text, html=html
        )


def _report_context(report: CheckReport, link: ReportLink | None) -> dict[str, Any]:
    accepted: list[Issue] = []
    issues: list[Issue] = []
    judged = report.baseline_version is not None and report.error is None
    if judged:  # the issues beyond the baseline, then those it accepted (docs/baselines.md)
        beyond, accepted = split_accepted(report.issues)
        new, remaining, issues = [], [], beyond[:MAX_EMAIL_ISSUES]
        accepted = accepted[: MAX_EMAIL_ISSUES - len(issues)]
    elif report.diff is not None and report.diff.issues.new:
        new = list(report.diff.issues.new[:MAX_EMAIL_ISSUES])
        remaining = list(report.diff.issues.remaining[: MAX_EMAIL_ISSUES - len(new)])
    else:
        new, remaining = [], []
        issues = report.issues[:MAX_EMAIL_ISSUES]
    listed = len(new) + len(remaining) + len(issues) + len(accepted)
    return {
        "baseline": report.baseline_version if judged else None,
        "accepted": _cut(accepted),
        "report": report,
        "result": report.result.value,
        "new": _cut(new),
        "remaining": _cut(remaining),
        "issues": _cut(issues),
        "unlisted": max(report.issue_count - listed, 0),
        "kept": len(report.issues) if report.issues_truncated else None,
        "link": link,
        "link_until": None if link is None else link.expires.strftime("%Y-%m-%d %H:%M UTC"),
    }


def _cut(issues: list[Issue]) -> list[Issue]:
    """The issues with each message cut to `MAX_EMAIL_MESSAGE` characters."""
    return [
        replace(issue, message=issue.message[:MAX_EMAIL_MESSAGE] + "…")
        if len(issue.message) > MAX_EMAIL_MESSAGE
        else issue
        for issue in issues
    ]


class ConfirmationEmail:
    """The message carrying a one-time code."""

    def __init__(self, templates: EmailTemplates, locale: str) -> None:
        self._templates = templates
        self._locale = locale

    def build(self, *, recipient: str, code: str, lifetime: timedelta) -> EmailMessage:
        context = {"code": code, "minutes": int(lifetime.total_seconds() // 60)}
        subject, text, html = self._templates.render(self._locale, "confirmation_code", context)
        sender = self._templates.sender
        return compose(sender=sender, recipient=recipient, subject=subject, text=text, html=html)
