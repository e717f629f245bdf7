"""A team's dashboard in chat: the owner and reviewers see each member's submissions, gate pass
rate, versions until approval and most frequent rules, the team's rules and who is stuck, all
equal to what the database holds; exports hold the same rows; anyone else sees nothing."""

import csv
import io
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.callbacks import DashboardAction, DashboardCallback
from core.models import File, FileStatus, FileVersion, User
from core.team_models import (
    Submission,
    SubmissionStatus,
    TeamMember,
    TeamRole,
)
from infra.database import SessionFactory
from tests.fake_telegram import BotOutput
from tests.support import dashboard_oracle as oracle
from tests.support.app import BotApp, Person
from tests.support.dashboard_seed import (
    FORMULA_COMMENT,
    HOSTILE_FILE,
    seed_team,
)
from tests.support.people import seeded
from tests.support.presses import press_data

LABELS = {
    SubmissionStatus.SUBMITTED: "📤 {file} v{version}: submitted",
    SubmissionStatus.IN_REVIEW: "👀 {file} v{version}: in review",
    SubmissionStatus.CHANGES_REQUESTED: "✏️ {file} v{version}: changes requested",
    SubmissionStatus.RESUBMITTED: "🔁 {file} v{version}: resubmitted",
    SubmissionStatus.APPROVED: "✅ {file} v{version}: approved",
    SubmissionStatus.WITHDRAWN: "↩️ {file} v{version}: withdrawn",
}
FORMER = oracle.FORMER
STALE = "This button is out of date. Open /files again."  # data no screen of ours makes
SUBMISSION_HEADERS = [
    "Submission no.", "Team", "Member", "File name", "Version no.", "Status", "Reviewer",
    "Submitted (UTC)", "Updated (UTC)",
]  # fmt: skip
COMMENT_HEADERS = [
    "Submission no.", "File name", "Version no.", "Lines", "Comment state", "Author", "Comment",
    "Written (UTC)", "Resolved (UTC)",
]  # fmt: skip
STATUS_HEADERS = ["Submission no.", "File name", "Status", "Version no.", "Who", "When (UTC)"]


def _data(action: DashboardAction, team_id: int) -> str:
    return DashboardCallback(action=action, team_id=team_id).pack()


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _one_decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _rules(counts: Counter[str], most: int) -> str:
    return ", ".join(f"{code} ×{count}" for code, count in oracle.ranked(counts, most))


async def expected_lines(session_factory: SessionFactory, team_id: int) -> list[str]:
    """Every line the dashboard must show, from the figures the test reads in the tables."""
    found = await oracle.figures(session_factory, team_id)
    lines = [
        f"Submissions: {found.open} open · {found.approved} approved · "
        f"{found.withdrawn} withdrawn",
        f"Gate: {found.gate_passed} of {found.gate_runs} passed "
        f"({_percent(oracle.rate(found.gate_passed, found.gate_runs))})",
        f"Versions until approval: {_one_decimal(oracle.average(found.rounds))} on average",
        f"Most frequent rules: {_rules(found.rules, 5)}",
    ]
    for member in found.members.values():
        lines += [
            f"👤 {member.name}: {member.open} open · {member.approved} approved",
            f"Gate: {member.gate_passed} of {member.gate_runs} passed "
            f"({_percent(oracle.rate(member.gate_passed, member.gate_runs))}) · "
            f"versions until approval: {_one_decimal(oracle.average(member.rounds))}",
            f"Rules: {_rules(member.rules, 3)}",
        ]
        lines += [LABELS[status].format(file=f, version=v) for f, status, v in member.submissions]
    lines += [
        f"• {member}, {file}: {rule} in {count} versions in a row"
        for member, file, rule, count in found.stuck
    ]
    return lines


async def _open(person: Person, team_id: int) -> BotOutput:
    base = await person.say("/help")
    return await press_data(person, _data(DashboardAction.OPEN, team_id), on=base)


async def test_the_owner_and_a_reviewer_see_what_the_database_holds(bot_app: BotApp) -> None:
    team = await seed_team(bot_app)
    expected = await expected_lines(bot_app.session_factory, team.team_id)
    # The story's figures, so that the oracle above is not vacuous.
    assert "Submissions: 2 open · 1 approved · 1 withdrawn" in expected
    assert "Gate: 5 of 10 passed (50%)" in expected
    assert "Most frequent rules: F401 ×4, E501 ×3, E722 ×3, E711 ×1, F841 ×1" in expected
    assert "• Bob, loop.py: F401 in 3 versions in a row" in expected
    assert "• Dan, dan.py: E722 in 3 versions in a row" in expected  # never reached review
    assert "Gate: 0 of 3 passed (0%) · versions until approval: —" in expected

    for viewer in (team.owner, team.reviewer):
        screen = await _open(viewer, team.team_id)
        assert screen.kind == "edit", screen.describe()
        assert screen.text.startswith("📊 Backend <crew>: the team's dashboard"), screen.text
        shown = screen.text.splitlines()
        for line in expected:
            assert line in shown, (line, screen.text)
        # Markup in names is text: quoted in the HTML, never a tag.
        assert "Cat &lt;i&gt;&amp;&lt;/i&gt;" in screen.html
        assert f"↩️ {HOSTILE_FILE} v2: withdrawn" in shown
        assert screen.button_texts() == ["⬇️ CSV", "⬇️ XLSX"]  # no Mini App configured


async def test_a_member_an_outsider_and_forged_ids_see_nothing(bot_app: BotApp) -> None:
    team = await seed_team(bot_app)
    secrets = ("Backend", "loop.py", "util.py", "cat2.py", "F401", "Rita", "Bob")
    refusals = [
        (team.bob, team.team_id, "Only the team's owner and reviewers see its dashboard."),
        (team.cat, team.team_id, "Only the team's owner and reviewers see its dashboard."),
        (team.dan, team.team_id, "Only the team's owner and reviewers see its dashboard."),
        (team.outsider, team.team_id, "Team not found."),
        (team.owner, team.team_id + 1000, "Team not found."),  # no such team
        (team.owner, 2**63 - 1, "Team not found."),  # the largest id a button can carry
    ]
    for person, team_id, alert in refusals:
        base = await person.say("/help")
        for action in DashboardAction:
            answer = await press_data(person, _data(action, team_id), on=base)
            assert (answer.kind, answer.text, answer.show_alert) == (
                "callback_answer",
                alert,
                True,
            )
    base = await team.owner.say("/help")
    for malformed in ("db:o:abc", "db:o:", "db:z:1", f"db:c:{team.team_id}:1"):
        answer = await press_data(team.owner, malformed, on=base)
        seen = (answer.kind, answer.text, answer.show_alert)
        assert seen == ("callback_answer", STALE, True), malformed
    for person in (team.bob, team.cat, team.dan, team.outsider):
        for output in person.chat.outputs:
            assert output.document is None, output.describe()
            assert not any(secret in output.text for secret in secrets), output.describe()


# --- exports ---


def _csv_rows(document: bytes) -> list[list[str]]:
    assert document.startswith("\ufeff".encode())  # spreadsheet programs read it as UTF-8
    return list(csv.reader(io.StringIO(document.decode("utf-8-sig"), newline="")))


async def _press_export(person: Person, team_id: int, action: DashboardAction) -> list[BotOutput]:
    screen = await _open(person, team_id)
    await person.chat.click_data(screen, _data(action, team_id))
    count = 3 if action is DashboardAction.CSV else 1
    documents = [await person.chat.next_screen() for _ in range(count)]
    for document in documents:
        assert document.kind == "document", document.describe()
    return documents


async def test_the_exports_hold_the_rows_of_the_database(bot_app: BotApp) -> None:
    team = await seed_team(bot_app)
    expected = await oracle.tables(bot_app.session_factory, team.team_id, team.team_name)
    # The story: four submissions, four comments (one by a forgotten reviewer), 12 changes.
    assert [len(expected[t]) for t in ("submissions", "comments", "statuses")] == [4, 4, 12]
    assert any(row[5] == FORMER for row in expected["comments"])
    assert any(row[6] == "'" + FORMULA_COMMENT for row in expected["comments"])
    assert any(row[3] == "'" + HOSTILE_FILE for row in expected["submissions"])
    assert any(row[6] == FORMER for row in expected["submissions"])  # took it, then left

    documents = await _press_export(team.owner, team.team_id, DashboardAction.CSV)
    stem = f"team-{team.team_id}"
    assert [d.filename for d in documents] == [
        f"{stem}-{table}-{datetime.now(UTC):%Y-%m-%d}.csv"
        for table in ("submissions", "comments", "statuses")
    ]
    headers = [SUBMISSION_HEADERS, COMMENT_HEADERS, STATUS_HEADERS]
    for document, header, table in zip(
        documents, headers, ("submissions", "comments", "statuses"), strict=True
    ):
        assert document.document is not None
        assert _csv_rows(document.document) == [header, *expected[table]], table

    [workbook_document] = await _press_export(team.reviewer, team.team_id, DashboardAction.XLSX)
    assert workbook_document.filename == f"{stem}-{datetime.now(UTC):%Y-%m-%d}.xlsx"
    assert workbook_document.document is not None
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_document.document))
    assert workbook.sheetnames == ["Submissions", "Comments", "Statuses"]
    for sheet_name, header, table in zip(
        workbook.sheetnames, headers, ("submissions", "comments", "statuses"), strict=True
    ):
        sheet = workbook[sheet_name]
        rows = [list(values) for values in sheet.iter_rows(values_only=True)]
        assert [str(v) for v in rows[0]] == header
        for row, want in zip(rows[1:], expected[table], strict=True):
            assert [oracle.xlsx_text(v) for v in row] == [w.removeprefix("'") for w in want]
        formulas = [c for line in sheet.iter_rows() for c in line if c.data_type == "f"]
        assert formulas == [], table  # "=..." stays text


async def test_a_long_dashboard_fits_one_message(bot_app: BotApp) -> None:
    """Forty members with long names and six submissions each: the screen is one message
    (the strict fake refuses more than 4096 characters), its last line counts the rest."""
    team = await seed_team(bot_app)
    people = [await seeded(bot_app, f"m{number}@example.com") for number in range(40)]
    async with bot_app.session_factory() as session:
        for number, person in enumerate(people):
            member_id = await _user(session, person)
            session.add(
                TeamMember(
                    team_id=team.team_id,
                    user_id=member_id,
                    role=TeamRole.MEMBER,
                    display_name=f"Member {number:02d} " + "ж" * 50,
                )
            )
            for index in range(6):
                content = b"x = 1\n"
                file = File(user_id=member_id, name=f"{'y' * 60}{index}.py", status=FileStatus.NEW)
                session.add(file)
                await session.flush()
                version = FileVersion(
                    file_id=file.id, number=1, content=content, size=len(content), sha256="0" * 64
                )
                session.add(version)
                await session.flush()
                session.add(
                    Submission(
                        team_id=team.team_id,
                        file_id=file.id,
                        member_id=member_id,
                        version_id=version.id,
                        status=SubmissionStatus.SUBMITTED,
                    )
                )
        await session.commit()
    screen = await _open(team.owner, team.team_id)
    assert screen.kind == "edit", screen.describe()
    last = screen.text.splitlines()[-1]
    shown = screen.text.count("👤 ")
    assert last == f"…and {43 - shown} more members", last  # 40 and the story's three
    assert 3 <= shown < 43
    assert "…and 1 more" in screen.text  # six submissions, five shown
    assert len(screen.text.encode("utf-16-le")) // 2 <= 4096


async def _user(session: Any, person: Person) -> int:
    found = await session.scalar(select(User.id).where(User.email == person.email))
    assert isinstance(found, int)
    return found


async def test_a_russian_reviewer_reads_the_dashboard_in_russian(bot_app: BotApp) -> None:
    team = await seed_team(bot_app)
    ivan = await seeded(bot_app, "ivan@example.com", language_code="ru")
    async with bot_app.session_factory() as session:
        session.add(
            TeamMember(
                team_id=team.team_id,
                user_id=await _user(session, ivan),
                role=TeamRole.REVIEWER,
                display_name="Иван",
            )
        )
        await session.commit()
    screen = await _open(ivan, team.team_id)
    lines = screen.text.splitlines()
    assert lines[0] == "📊 Backend <crew>: сводка команды"
    assert "Отправки: открыто 2 · одобрено 1 · отозвано 1" in lines
    assert "Версий до одобрения: в среднем 2,0" in lines  # the decimal comma of Russian
    assert "• Bob, loop.py: F401 в 3 версиях подряд" in lines
    assert "👤 Dan: открыто 0 · одобрено 0" in lines
    assert "✅ loop.py v3: одобрено" in lines
