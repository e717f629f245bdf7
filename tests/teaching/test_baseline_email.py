"""An email of a check judged against a baseline names each issue's fix, as every result email
does: the new issues and the accepted ones alike."""

from dataclasses import replace
from datetime import UTC, datetime

from core.i18n import load_translations
from core.models import CheckResult, RulePreset
from core.review import Edit, Fix, Issue
from core.services.reports import CheckReport
from infra.mail.emails import EmailTemplates
from tests.support.smtp import body_text

FIX = Fix("safe", "Remove unused import: `os`", (Edit("", 1, 1, 2, 1),))
UNUSED = Issue("F401", "`os` imported but unused", 1, 8, 1, 10, fixable=True, fix=FIX)


def _report() -> CheckReport:
    new = replace(UNUSED, line=3, end_line=3)
    return CheckReport(
        check_id=7,
        file_id=3,
        file_name="lesson.py",
        version=2,
        preset=RulePreset.DEFAULT,
        config_hash=None,
        muted_rules=(),
        ruff_version="0.17.6",
        result=CheckResult.FAILED,
        issues=[replace(UNUSED, accepted=True), new],
        error=None,
        finished_at=datetime(2026, 1, 31, 9, 5, tzinfo=UTC),
        deliveries={},
        diff=None,
        baseline_version=1,
        accepted_count=1,
    )


def test_a_baseline_email_names_the_fix_of_new_and_accepted_issues() -> None:
    templates = EmailTemplates(sender="bot@example.com", translations=load_translations())
    mail = templates.check_report(locale="en", recipient="a@example.com", report=_report())
    text = body_text(mail)
    assert "1 new issue beyond the baseline of version 1:" in text
    note = "[safe fix: Remove unused import: `os`]"
    assert f"3:8  F401  `os` imported but unused  {note}" in text
    assert f"1:8  F401  `os` imported but unused  {note}" in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content().count("safe fix: Remove unused import: `os`") == 2
