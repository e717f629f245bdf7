"""Grades on the Mini App's pages (core/grades.py): a report's grade with the next step, and a
file's grades over its versions as a small server-rendered line (an SVG with its text)."""

from collections.abc import Sequence
from dataclasses import dataclass

from core.grades import Grade, RuleFixes
from core.services.grades import VersionGrade
from core.services.reports import CheckReport

CHART_STEP = 40  # horizontal pixels between two versions
CHART_ROW = 14  # vertical pixels between two grades
CHART_PAD = 12


@dataclass(frozen=True)
class GradeView:
    """A check's grade as the report page and `api/checks/{id}` give it."""

    grade: str
    previous: str | None  # the version before's grade
    syntax_error: bool
    next_grade: str | None  # the grade the fixes reach
    fixes: list[RuleFixes]  # what to fix for it, the heaviest rules first


def grade_view(report: CheckReport) -> GradeView | None:
    graded = report.grading
    if graded is None:
        return None
    step = graded.next_step
    return GradeView(
        grade=graded.grade.value,
        previous=report.previous_grade.value if report.previous_grade else None,
        syntax_error=graded.syntax_error,
        next_grade=step.grade.value if step else None,
        fixes=list(step.fixes) if step else [],
    )


@dataclass(frozen=True)
class ChartPoint:
    number: int  # the version
    grade: str
    x: int
    y: int


@dataclass(frozen=True)
class GradeChart:
    """The graded versions as points (A at the top), their line, and the same as text."""

    points: list[ChartPoint]
    line: str  # the polyline's points
    width: int
    height: int
    text: str  # "v1 C → v2 B → v3 A"
    rows: list[tuple[str, int]]  # each grade's letter and height, for the axis


def grade_chart(grades: Sequence[VersionGrade]) -> GradeChart | None:
    """The line over the graded versions, oldest first; None when none has a grade."""
    graded = [(entry.number, entry.grade) for entry in grades if entry.grade is not None]
    if not graded:
        return None
    order = list(Grade)
    points = [
        ChartPoint(
            number=number,
            grade=grade.value,
            x=CHART_PAD + index * CHART_STEP,
            y=CHART_PAD + order.index(grade) * CHART_ROW,
        )
        for index, (number, grade) in enumerate(graded)
    ]
    return GradeChart(
        points=points,
        line=" ".join(f"{point.x},{point.y}" for point in points),
        width=2 * CHART_PAD + (len(points) - 1) * CHART_STEP,
        height=2 * CHART_PAD + (len(order) - 1) * CHART_ROW,
        text=" → ".join(f"v{point.number} {point.grade}" for point in points),
        rows=[(grade.value, CHART_PAD + index * CHART_ROW) for index, grade in enumerate(order)],
    )
