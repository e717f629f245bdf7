"""Grades in the Mini App: the report page and its JSON say the grade, the previous version's
and the next step as the chat does; the history page draws the grades over the versions as a
line whose caption says them in words."""

from pathlib import Path

from sqlalchemy import select

from checks.worker import Worker
from core.models import File
from tests.support.grades import SHAPES_V1, apply_fixes, diagnostics
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.results import assert_result
from tests.support.webapp import MiniApp


async def test_the_report_and_the_history_show_the_grades(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    heavy = [d for d in diagnostics(SHAPES_V1, tmp_path) if d["code"] in {"F401", "F541"}]
    v2 = apply_fixes(SHAPES_V1, heavy)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    for content in (SHAPES_V1, v2):
        await ann.upload("shapes.py", content)
        assert_result(await ann.chat.next_screen(timeout=30), "shapes.py")
    async with mini_app.bot_app.session_factory() as session:
        file_id = await session.scalar(select(File.id).where(File.name == "shapes.py"))
    card = (await mini_app.api(f"/files/{file_id}", ann)).json()
    check_id = card["last_check"]["check_id"]

    data = (await mini_app.api(f"/checks/{check_id}", ann)).json()
    assert data["grade"] == {
        "grade": "B",
        "previous": "C",
        "syntax_error": False,
        "next_grade": "A",
        "fixes": [{"code": "UP032", "count": 3}, {"code": "C408", "count": 1}],
    }
    report = await mini_app.part(f"/checks/{check_id}", ann)
    shown = " ".join(html_text(report.text).split())
    assert "🎓 Grade B, was C 🪜 For A: fix 3× UP032, 1× C408" in shown
    assert '<p class="report-grade"><span aria-hidden="true">🎓</span> Grade <b>B</b>' in (
        report.text
    )

    history = await mini_app.part(f"/files/{file_id}/history", ann)
    assert history.status == 200, history.text
    assert 'role="img" aria-labelledby="grade-chart-caption"' in history.text
    assert '<figcaption id="grade-chart-caption">Grades: v1 C → v2 B</figcaption>' in (
        history.text
    )
    chart = (await mini_app.api(f"/files/{file_id}/history", ann)).json()["grades"]
    assert chart["text"] == "v1 C → v2 B"
    assert [(p["number"], p["grade"]) for p in chart["points"]] == [(1, "C"), (2, "B")]
    # Two points, C lower than B (A at the top), each with its letter.
    assert '<polyline points="12,40 52,26"/>' in history.text
    assert '<text x="18" y="35">C</text>' in history.text
    assert '<text x="58" y="21">B</text>' in history.text
