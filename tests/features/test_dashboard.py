"""A team's dashboard in chat: the owner and reviewers see each member's submissions, gate pass
rate, versions until approval and most frequent rules, the team's rules and who is stuck, all
equal to what the database holds; exports hold the same rows; anyone else sees nothing."""

import csv
import io
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.callbacks import DashboardAction, DashboardCallback
from core.models import Check, File, FileStatus, FileVersion, User
from core.team_models import (
    GateRun,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    TeamMember,
    TeamRole,
)
from infra.database import SessionFactory
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.dashboard_seed import (
    FORMULA_COMMENT,
    HOSTILE_FILE,
    SeededTeam,
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
FORMER = "a former reviewer"
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


def _rate(passed: int, runs: int) -> str:
    return f"{round(passed / runs * 100)}%" if runs else "—"


def _average(values: list[int]) -> str:
    return f"{sum(values) / len(values):.1f}" if values else "—"


def _rules(counts: Counter[str], most: int) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:most]
    return ", ".join(f"{code} ×{count}" for code, count in ordered)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the figures as the test reads them from the database (not through the service) ---


async def expected_lines(session_factory: SessionFactory, team_id: int) -> list[str]:
    """Every line the dashboard must show, computed from the tables."""
    async with session_factory() as session:
        names = dict(
            (
                await session.execute(
                    select(TeamMember.user_id, TeamMember.display_name).where(
                        TeamMember.team_id == team_id
                    )
                )
            ).all()
        )
        submissions = (
            await session.execute(
                select(Submission, File.name, FileVersion.number)
                .join(File, File.id == Submission.file_id)
                .join(FileVersion, FileVersion.id == Submission.version_id)
                .where(Submission.team_id == team_id)
            )
        ).all()
        rounds = Counter(
            (
                await session.scalars(
                    select(SubmissionEvent.submission_id).where(
                        SubmissionEvent.status.in_(
                            [SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED]
                        )
                    )
                )
            ).all()
        )
        runs = (
            await session.execute(
                select(GateRun, File.name, FileVersion.number, Check.issues)
                .join(File, File.id == GateRun.file_id)
                .join(FileVersion, FileVersion.id == GateRun.version_id)
                .join(Check, Check.id == GateRun.check_id)
                .where(GateRun.team_id == team_id)
            )
        ).all()
    statuses = Counter(submission.status for submission, _n, _v in submissions)
    open_count = sum(n for status, n in statuses.items() if status.open)
    approved_rounds = [
        rounds[s.id] for s, _n, _v in submissions if s.status is SubmissionStatus.APPROVED
    ]
    team_rules: Counter[str] = Counter(i["code"] for *_r, issues in runs for i in issues)
    lines = [
        f"Submissions: {open_count} open · {statuses[SubmissionStatus.APPROVED]} approved · "
        f"{statuses[SubmissionStatus.WITHDRAWN]} withdrawn",
        f"Gate: {sum(r.passed for r, *_x in runs)} of {len(runs)} passed "
        f"({_rate(sum(r.passed for r, *_x in runs), len(runs))})",
        f"Versions until approval: {_average(approved_rounds)} on average",
        f"Most frequent rules: {_rules(team_rules, 5)}",
    ]
    for member_id in {s.member_id for s, _n, _v in submissions}:
        mine = [(s, n, v) for s, n, v in submissions if s.member_id == member_id]
        my_runs = [(r, issues) for r, _n, _v, issues in runs if r.member_id == member_id]
        passed = sum(r.passed for r, _i in my_runs)
        approved = [rounds[s.id] for s, _n, _v in mine if s.status is SubmissionStatus.APPROVED]
        lines += [
            f"👤 {names[member_id]}: {sum(s.status.open for s, _n, _v in mine)} open · "
            f"{len(approved)} approved",
            f"Gate: {passed} of {len(my_runs)} passed ({_rate(passed, len(my_runs))}) · "
            f"versions until approval: {_average(approved)}",
            f"Rules: {_rules(Counter(i['code'] for _r, issues in my_runs for i in issues), 3)}",
        ]
        lines += [LABELS[s.status].format(file=n, version=v) for s, n, v in mine]
    # Stuck: a rule in the gate checks of three or more gated versions of a file in a row.
    by_file: dict[tuple[int, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for run, name, number, issues in runs:
        by_file[run.member_id, name][number] |= {i["code"] for i in issues}
    for (member_id, name), versions in by_file.items():
        numbers = sorted(versions)
        for rule in set().union(*versions.values()):
            best = streak = 0
            for number in numbers:
                streak = streak + 1 if rule in versions[number] else 0
                best = max(best, streak)
            if best >= 3:
                lines.append(f"• {names[member_id]}, {name}: {rule} in {best} versions in a row")
    return lines


async def _open(person: Person, team_id: int) -> BotOutput:
    base = await person.say("/help")
    return await press_data(person, _data(DashboardAction.OPEN, team_id), on=base)


async def test_the_owner_and_a_reviewer_see_what_the_database_holds(bot_app: BotApp) -> None:
    team = await seed_team(bot_app)
    expected = await expected_lines(bot_app.session_factory, team.team_id)
    # The story's figures, so that the oracle above is not vacuous.
    assert "Submissions: 2 open · 1 approved · 1 withdrawn" in expected
    assert "Gate: 5 of 7 passed (71%)" in expected
    assert "Most frequent rules: F401 ×4, E501 ×3, E711 ×1, F841 ×1" in expected
    assert "• Bob, loop.py: F401 in 3 versions in a row" in expected

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
    for person in (team.bob, team.cat, team.outsider):
        for output in person.chat.outputs:
            assert output.document is None, output.describe()
            assert not any(secret in output.text for secret in secrets), output.describe()


# --- exports ---


async def expected_tables(
    session_factory: SessionFactory, team: SeededTeam
) -> dict[str, list[list[str]]]:
    """The three tables as CSV text (every cell a string), from the database."""
    async with session_factory() as session:
        names = dict(
            (
                await session.execute(
                    select(TeamMember.user_id, TeamMember.display_name).where(
                        TeamMember.team_id == team.team_id
                    )
                )
            ).all()
        )

        def name(user_id: int | None) -> str:
            return names.get(user_id, FORMER) if user_id is not None else FORMER

        submitted = (
            await session.execute(
                select(Submission, File.name, FileVersion.number)
                .join(File, File.id == Submission.file_id)
                .join(FileVersion, FileVersion.id == Submission.version_id)
                .where(Submission.team_id == team.team_id)
                .order_by(Submission.id)
            )
        ).all()
        files = {s.id: n for s, n, _v in submitted}
        comments = (
            await session.execute(
                select(ReviewComment, FileVersion.number)
                .join(FileVersion, FileVersion.id == ReviewComment.version_id)
                .where(ReviewComment.submission_id.in_(files))
                .order_by(ReviewComment.submission_id, ReviewComment.id)
            )
        ).all()
        events = (
            await session.execute(
                select(SubmissionEvent, FileVersion.number)
                .join(FileVersion, FileVersion.id == SubmissionEvent.version_id)
                .where(SubmissionEvent.submission_id.in_(files))
                .order_by(SubmissionEvent.submission_id, SubmissionEvent.id)
            )
        ).all()

    def cell(value: object) -> str:
        text = _iso(value) if isinstance(value, datetime) else "" if value is None else str(value)
        return "'" + text if text.startswith(("=", "+", "-", "@")) else text

    def lines(first: int | None, last: int | None) -> str:
        return "" if first is None else str(first) if first == last else f"{first}-{last}"

    submission_rows = [
        (s.id, team.team_name, name(s.member_id), n, number, s.status.value,
         None if s.reviewer_id is None else name(s.reviewer_id), s.created_at, s.updated_at)
        for s, n, number in submitted
    ]  # fmt: skip
    comment_rows = [
        (c.submission_id, files[c.submission_id], number, lines(c.first_line, c.last_line),
         c.state.value, name(c.author_id), c.body, c.created_at, c.resolved_at)
        for c, number in comments
    ]  # fmt: skip
    status_rows = [
        (e.submission_id, files[e.submission_id], e.status.value, number, name(e.actor_id),
         e.created_at)
        for e, number in events
    ]  # fmt: skip
    return {
        "submissions": [[cell(v) for v in row] for row in submission_rows],
        "comments": [[cell(v) for v in row] for row in comment_rows],
        "statuses": [[cell(v) for v in row] for row in status_rows],
    }


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
    expected = await expected_tables(bot_app.session_factory, team)
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
            assert [_xlsx_text(v) for v in row] == [w.removeprefix("'") for w in want]
        formulas = [c for line in sheet.iter_rows() for c in line if c.data_type == "f"]
        assert formulas == [], table  # "=..." stays text


def _xlsx_text(value: Any) -> str:
    if isinstance(value, datetime):
        return _iso(value.replace(tzinfo=UTC))
    return "" if value is None else str(value)


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
    assert last == f"…and {42 - shown} more members", last
    assert 2 <= shown < 42
    assert "…and 1 more" in screen.text  # six submissions, five shown
    assert len(screen.text.encode("utf-16-le")) // 2 <= 4096


async def _user(session: Any, person: Person) -> int:
    found = await session.scalar(select(User.id).where(User.email == person.email))
    assert isinstance(found, int)
    return found
