"""Texts of grades: a check's grade with the previous version's, the next step to a better one,
and a file's grades over its versions (core/grades.py)."""

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.shared.formatting import quote
from core.grades import Grade, Grading, NextStep
from core.services.grades import VersionGrade

GRADE_MARK = "🎓"
STEP_MARK = "🪜"
MOST_NAMED_RULES = 6  # rules a next step names; the rest are counted


def grade_line(grading: Grading | None, previous: Grade | None) -> str | None:
    """ "🎓 Grade B, was C" (None when the check has no grade)."""
    if grading is None:
        return None
    if previous is None:
        text = _("Grade {grade}").format(grade=f"<b>{grading.grade}</b>")
    else:
        text = _("Grade {grade}, was {previous}").format(
            grade=f"<b>{grading.grade}</b>", previous=previous
        )
    if grading.syntax_error:
        text += " · " + _("the file does not parse: fix the syntax error first")
    return f"{GRADE_MARK} {text}"


def fixes_text(step: NextStep) -> str:
    """ "2× F401, 1× E711" (the first `MOST_NAMED_RULES` rules, then how many more issues)."""
    named = [f"{fix.count}× {quote(fix.code)}" for fix in step.fixes[:MOST_NAMED_RULES]]
    rest = sum(fix.count for fix in step.fixes[MOST_NAMED_RULES:])
    if rest:
        named.append(
            ngettext("{count} more issue", "{count} more issues", rest).format(count=rest)
        )
    return ", ".join(named)


def next_step_line(grading: Grading | None) -> str | None:
    """ "🪜 For A: fix 2× F401, 1× E711" (None for A, a syntax error, or no such step)."""
    if grading is None or grading.next_step is None:
        return None
    step = grading.next_step
    return f"{STEP_MARK} " + _("For {grade}: fix {fixes}").format(
        grade=step.grade, fixes=fixes_text(step)
    )


def grade_lines(grading: Grading | None, previous: Grade | None) -> list[str]:
    """The grade line and the next step's, those there are."""
    return [
        line
        for line in (grade_line(grading, previous), next_step_line(grading))
        if line is not None
    ]


def grades_over_versions(grades: Sequence[VersionGrade]) -> str | None:
    """ "🎓 Grades: v1 C → v2 B → v3 A" (oldest first; "—" for a version without a grade);
    None when no version has a grade."""
    if not any(entry.grade is not None for entry in grades):
        return None
    line = " → ".join(f"v{entry.number} {entry.grade or '—'}" for entry in grades)
    return f"{GRADE_MARK} " + _("Grades: {line}").format(line=line)
