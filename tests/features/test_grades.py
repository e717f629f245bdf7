"""Grades (core/grades.py) as a learner meets them: three versions of a file going C → B → A,
each made by applying exactly the fixes the result before named, each result naming the grade
of the version before; and one fix fewer never reaches the grade."""

import re
from collections import Counter
from pathlib import Path
from typing import Any

from checks.worker import Worker
from core.grades import Grade
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.grades import SHAPES_V1, apply_fixes, diagnostics, grade_by_ruff
from tests.support.html_text import html_text
from tests.support.results import assert_result
from tests.support.smtp import body_html, body_text, code_in

_STEP = re.compile(r"🪜 For (?P<grade>[A-E]): fix (?P<fixes>.+)")


def _named(review: BotOutput) -> tuple[Grade, Counter[str]]:
    """The next step a result names: the grade it reaches and how many issues of each rule."""
    lines = assert_result(review, "shapes.py").grade
    found = next(m for line in lines if (m := _STEP.fullmatch(line)))
    counts: Counter[str] = Counter()
    for part in found["fixes"].split(", "):
        count, code = part.split("× ")
        counts[code] = int(count)
    return Grade(found["grade"]), counts


def _chosen(found: list[dict[str, Any]], named: Counter[str]) -> list[dict[str, Any]]:
    """Exactly the issues named: of each rule, the last `count` in the file (any of a rule
    would do: they weigh the same and their fixes change the same lines)."""
    chosen = []
    for code, count in named.items():
        of_rule = [item for item in found if item["code"] == code]
        assert len(of_rule) >= count, (code, of_rule)
        chosen += of_rule[-count:]
    return chosen


async def _review(person: Person, content: bytes, name: str = "shapes.py") -> BotOutput:
    acknowledged = await person.upload(name, content)
    assert name in acknowledged.text, acknowledged.text
    return await person.chat.next_screen()


def _grade_shown(review: BotOutput, name: str) -> Grade:
    """The grade a result says ("🎓 Grade B" or "🎓 Grade B, was C")."""
    head = assert_result(review, name).grade[0]
    found = re.fullmatch(r"🎓 Grade (?P<grade>[A-E])(, was [A-E])?", head)
    assert found is not None, head
    return Grade(found["grade"])


async def _step_is_exactly_enough(
    person: Person, content: bytes, named: Counter[str], target: Grade, folder: Path
) -> bytes:
    """Applying the named fixes reaches `target` under ruff; leaving out any one does not (each
    such version checked by the bot, as probe.py). Returns the fixed source."""
    found = diagnostics(content, folder)
    chosen = _chosen(found, named)
    assert sum(named.values()) == len(chosen)
    fixed = apply_fixes(content, chosen)
    assert grade_by_ruff(fixed, folder) <= target  # A < B: as good or better
    for left_out in range(len(chosen)):
        fewer = apply_fixes(content, chosen[:left_out] + chosen[left_out + 1 :])
        assert grade_by_ruff(fewer, folder) > target, chosen[left_out]
        probe = await _review(person, fewer, "probe.py")
        assert _grade_shown(probe, "probe.py") > target, chosen[left_out]
    return fixed


async def test_three_versions_go_c_b_a_by_the_named_fixes(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ann = await bot_app.registered("ann@example.com")

    first = await _review(ann, SHAPES_V1)
    shown = assert_result(first, "shapes.py", 1, "❌ 9 issues")
    assert shown.grade == ["🎓 Grade C", "🪜 For B: fix 1× F401, 1× F541"]
    target, named = _named(first)
    v2 = await _step_is_exactly_enough(ann, SHAPES_V1, named, target, tmp_path)

    second = await _review(ann, v2)
    shown = assert_result(second, "shapes.py", 2, "❌ 7 issues")
    assert shown.grade == ["🎓 Grade B, was C", "🪜 For A: fix 3× UP032, 1× C408"]
    target, named = _named(second)
    v3 = await _step_is_exactly_enough(ann, v2, named, target, tmp_path)

    # The full report in the chat and its HTML document say the same.
    report = await ann.click(second, "Full report")
    assert {"🎓 Grade B, was C", "🪜 For A: fix 3× UP032, 1× C408"} <= set(
        report.text.splitlines()
    )
    document = await ann.click(report, "📄 HTML report")
    assert document.document is not None
    document_text = " ".join(html_text(document.document.decode()).split())
    assert "Grade B, was C. For A: fix 3× UP032, 1× C408." in document_text

    third = await _review(ann, v3)
    shown = assert_result(third, "shapes.py", 3, "❌ 3 issues")
    assert shown.grade == ["🎓 Grade A, was B"]  # nothing better to reach

    # The emails say the same: v2's (the third mail, after the code's) and v3's.
    # the code, v1, two probes, v2, four probes, v3
    await bot_app.smtp.wait_for("ann@example.com", count=10)
    second_mail, third_mail = (
        next(m for m in bot_app.smtp.messages if m["Subject"].startswith(subject))
        for subject in ("reviewbot: shapes.py v2 ", "reviewbot: shapes.py v3 ")
    )
    assert {"Grade B, was C.", "For A: fix 3× UP032, 1× C408."} <= set(
        body_text(second_mail).splitlines()
    )
    assert "<b>Grade B, was C.</b>\n<br>For A: fix 3× UP032, 1× C408." in body_html(
        second_mail
    ).replace("\r\n", "\n")
    assert "Grade A, was B." in body_text(third_mail).splitlines()
    assert "For " not in body_text(third_mail)

    files = await ann.files()
    card = await ann.click(files, "shapes.py · v3 · ✅")
    history = await ann.click(card, "History")
    assert "🎓 Grades: v1 C → v2 B → v3 A" in history.text.splitlines()
    assert bot_app.telegram.refused == []


async def test_a_russian_person_reads_the_grades_in_russian(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ivan = bot_app.person("ivan@example.com", language_code="ru")
    await ivan.say("/start")
    await ivan.say(ivan.email)
    assert "подтверждён" in (await ivan.say(code_in(await bot_app.smtp.wait_for(ivan.email)))).text
    first = await _review(ivan, SHAPES_V1)
    assert "🎓 Оценка C\n🪜 Для B: исправьте 1× F401, 1× F541" in first.text
    heavy = [d for d in diagnostics(SHAPES_V1, tmp_path) if d["code"] in {"F401", "F541"}]
    second = await _review(ivan, apply_fixes(SHAPES_V1, heavy))
    assert "🎓 Оценка B, была C\n🪜 Для A: исправьте 3× UP032, 1× C408" in second.text
    mail = await bot_app.smtp.wait_for("ivan@example.com", count=3)
    assert {"Оценка B, была C.", "Для A: исправьте 3× UP032, 1× C408."} <= set(
        body_text(mail).splitlines()
    )
    card = await ivan.click(await ivan.say("/files"), "shapes.py · v2 · ✅")
    history = await ivan.click(card, "История")
    assert "🎓 Оценки: v1 C → v2 B" in history.text.splitlines()
    assert bot_app.telegram.refused == []
