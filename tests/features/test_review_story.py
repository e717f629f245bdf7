"""The story of a review, end to end, over the strict fake Bot API with the worker running (both
stacks): a team is made, a member's failing file is stopped by the gate, fixed and sent; the
reviewer takes it, comments on lines 3 and 10 by reply and asks for changes; version 3 moves line
3 down five lines and rewrites line 10; the comments follow; the reviewer resolves and approves.
Then: every step arrived in chat and by email with its marks, the dashboard says what the
database holds, an outsider replaying every button and address of it sees nothing, and /forget
of the member leaves nothing of theirs."""

import asyncio
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from checks.worker import Worker
from core.config import Settings
from core.models import Check, DeliveryChannel, DeliveryStatus, File, FileVersion
from core.team_models import (
    GateRun,
    NoticeKind,
    ReviewComment,
    ReviewNotice,
    Submission,
    SubmissionEvent,
    Team,
    TeamMember,
)
from tests.fake_telegram import BotOutput
from tests.features.test_dashboard import expected_lines
from tests.support.app import BotApp, Person
from tests.support.presses import callback_data, press_data
from tests.support.results import read_result
from tests.support.teams import create_team, invite_token, press
from tests.support.webapp import serving_mini_app

WEBAPP_URL = "https://reviewbot.example.org/app"
TEAM = "Python 101"
LINES = [f"value_{n} = {n}" for n in range(1, 13)]
V1 = ("import os\nimport sys\n" + "\n".join(LINES) + "\n").encode()  # blocked: 3 issues
V2 = ("\n".join(LINES) + "\n").encode()
REWRITTEN = [*LINES[:9], "value_10 = 10 * 2", *LINES[10:]]
V3 = "\n".join(REWRITTEN[:2] + [f"extra_{n} = {n}" for n in range(5)] + REWRITTEN[2:]) + "\n"
NOT_FOUND = {
    "Team not found.",
    "Submission not found.",
    "File not found.",
    "Only the team's owner can do this.",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webapp_url": WEBAPP_URL})


async def _until(
    person: Person, matches: Callable[[BotOutput], bool], seen: list[BotOutput]
) -> BotOutput:
    """The person's next output that `matches`, keeping every output on the way in `seen`."""
    while True:
        output = await person.chat.next_output(timeout=60)
        seen.append(output)
        if matches(output):
            return output


def _starts(text: str) -> Callable[[BotOutput], bool]:
    return lambda output: output.kind != "callback_answer" and output.text.startswith(text)


def _result_of(version: int) -> Callable[[BotOutput], bool]:
    def matches(output: BotOutput) -> bool:
        found = read_result(output.text)
        return found is not None and (found.name, found.version) == ("task.py", version)

    return matches


async def _card(person: Person, seen: list[BotOutput]) -> BotOutput:
    await person.chat.send_text("/files")
    listing = await _until(
        person, lambda o: any(t.startswith("task.py · ") for t in o.button_texts()), seen
    )
    button = next(text for text in listing.button_texts() if text.startswith("task.py · "))
    await person.chat.click(listing, button)
    return await _until(person, lambda o: o.has_button("📤 Send for review"), seen)


async def test_a_review_from_the_gate_to_approval(bot_app: BotApp, worker: Worker) -> None:
    olga = await bot_app.registered("olga@example.com", first_name="Olga")
    rita = await bot_app.registered("rita@example.com", first_name="Rita")
    max_ = await bot_app.registered("max@example.com", first_name="Max")
    otto = await bot_app.registered("otto@example.com", first_name="Otto")
    seen: dict[str, list[BotOutput]] = {"olga": [], "rita": [], "max": []}

    # The owner makes the team and a reviewer; the member joins by the link.
    team_screen = await create_team(olga, TEAM)
    seen["olga"].append(team_screen)
    token = invite_token(team_screen)
    assert (await rita.say(f"/start join_{token}")).text.startswith(f"✅ You joined {TEAM}")
    team_screen = await olga.click(await olga.say("/team"), f"👑 {TEAM}")
    _, members = await press(olga, team_screen, "👥 Members")
    _, rita_screen = await press(olga, members, "• Rita")
    notice, _ = await press(olga, rita_screen, "🔎 Make reviewer")
    assert notice == "Rita is now a reviewer."
    seen["olga"] += [team_screen, members, rita_screen]
    joined = await max_.say(f"/start join_{token}")
    assert joined.text.startswith(f"✅ You joined {TEAM} as a member.")

    # A failing file is stopped by the gate, and the member is told what blocks it.
    await max_.chat.send_document("task.py", V1)
    await _until(max_, _result_of(1), seen["max"])
    card = await _card(max_, seen["max"])
    await max_.chat.click(card, "📤 Send for review")
    blocked = await _until(max_, _starts("⛔ task.py v1 does not pass"), seen["max"])
    assert f"{TEAM}'s gate: 3 issues, at most 0." in blocked.text  # I001, F401 ×2
    assert "F401 1:8 `os` imported but unused" in blocked.text
    assert blocked.button_texts() == ["🛠 Fix", "Report"]

    # Fixed, and sent.
    await max_.chat.send_document("task.py", V2)
    await _until(max_, _result_of(2), seen["max"])
    await max_.chat.click(await _card(max_, seen["max"]), "📤 Send for review")
    await _until(max_, _starts(f"📤 Sent task.py v2 to {TEAM} for review"), seen["max"])

    # The reviewer takes it, comments by reply on lines 3 and 10, and asks for changes.
    submitted = await _until(rita, _starts("📤 Max sent task.py v2"), seen["rita"])
    await _until(olga, _starts("📤 Max sent task.py v2"), seen["olga"])
    await rita.chat.click(submitted, "👀 Take")
    await _until(rita, lambda o: o.kind == "callback_answer", seen["rita"])
    await _until(max_, _starts("👀 Rita is reviewing task.py v2"), seen["max"])
    await _until(olga, lambda o: "Rita took task.py v2 of Max" in o.text, seen["olga"])
    for line, remark in ((3, "name it after what it holds"), (10, "return it directly")):
        await rita.chat.reply_text(submitted, f"{line}: {remark}")
        saved = await _until(rita, _starts("💬 Saved on line"), seen["rita"])
        assert saved.text == f"💬 Saved on line {line}."
    await rita.chat.click(saved, "✏️ Request changes")
    await _until(rita, lambda o: o.kind == "callback_answer", seen["rita"])
    changes = await _until(max_, _starts("✏️ Rita asks for changes in task.py v2"), seen["max"])
    assert "Line 3: name it after what it holds" in changes.text
    assert "Line 10: return it directly" in changes.text

    # Version 3: line 3 moved down five lines unchanged, line 10 rewritten. The worker checks
    # it, the gate passes it, and it goes back to Rita with the comments at their new lines.
    await max_.chat.send_document("task.py", V3.encode())
    await _until(max_, _result_of(3), seen["max"])
    again = await _until(rita, _starts("📤 Max sent task.py v3 again"), seen["rita"])
    assert re.search(r"Line 8: name it after what it holds", again.text), again.text
    assert re.search(r"Line 15, changed — resolve\?: return it directly", again.text), again.text
    [resolve] = [text for text in again.button_texts() if text.startswith("✔️ Resolve #")]
    async with bot_app.session_factory() as session:
        comments = {
            comment.body: (comment.state.value, comment.at_first_line)
            for comment in await session.scalars(select(ReviewComment))
        }
    assert comments == {
        "name it after what it holds": ("open", 8),
        "return it directly": ("changed", 15),
    }
    await rita.chat.click(again, resolve)
    await _until(rita, lambda o: o.kind == "callback_answer", seen["rita"])
    screen = await _until(rita, lambda o: o.has_button("✅ Approve"), seen["rita"])
    await rita.chat.click(screen, "✅ Approve")
    await _until(rita, lambda o: o.kind == "callback_answer", seen["rita"])
    await _until(max_, _starts("✅ Rita approved task.py v3"), seen["max"])

    # Every step arrived in chat and by email, each marked sent.
    await _all_notices_sent(bot_app)
    async with bot_app.session_factory() as session:
        sent = set(
            await session.execute(
                select(ReviewNotice.kind, ReviewNotice.recipient_id, ReviewNotice.channel)
            )
        )
        rows = await session.execute(select(TeamMember.display_name, TeamMember.user_id))
        users = {row.display_name: row.user_id for row in rows}
    both = (DeliveryChannel.TELEGRAM, DeliveryChannel.EMAIL)
    expected = {
        (NoticeKind.SUBMITTED, users["Olga"]),
        (NoticeKind.SUBMITTED, users["Rita"]),
        (NoticeKind.IN_REVIEW, users["Max"]),
        (NoticeKind.IN_REVIEW, users["Olga"]),
        (NoticeKind.CHANGES_REQUESTED, users["Max"]),
        (NoticeKind.RESUBMITTED, users["Rita"]),
        (NoticeKind.APPROVED, users["Max"]),
    }
    assert sent == {(kind, user, channel) for kind, user in expected for channel in both}
    subjects = {(str(mail["To"]), str(mail["Subject"])) for mail in bot_app.smtp.messages}
    for address, status in (
        ("rita@example.com", "task.py v2: sent for review"),
        ("olga@example.com", "task.py v2: sent for review"),
        ("max@example.com", "task.py v2: in review by Rita"),
        ("olga@example.com", "task.py v2: in review by Rita"),
        ("max@example.com", "task.py v2: changes requested by Rita"),
        ("rita@example.com", "task.py v3: sent again"),
        ("max@example.com", "task.py v3: approved by Rita"),
    ):
        assert (address, f"{status} — {TEAM}") in subjects, (address, status, subjects)

    # The dashboard's figures are the database's.
    async with bot_app.session_factory() as session:
        team_id = await session.scalar(select(Team.id).where(Team.name == TEAM))
    assert team_id is not None
    team_screen = await olga.click(await olga.say("/team"), f"👑 {TEAM}")
    _, dashboard = await press(olga, team_screen, "📊 Dashboard")
    seen["olga"] += [team_screen, dashboard]
    for figure in await expected_lines(bot_app.session_factory, team_id):
        assert figure in dashboard.text.splitlines(), (figure, dashboard.text)
    # Max: stopped once, passed twice; approved after two versions went to review.
    assert "Gate: 2 of 3 passed (67%) · versions until approval: 2" in dashboard.text

    # Someone else replaying every button of the story, and opening its pages, sees nothing.
    await _outsider_sees_nothing(bot_app, otto, seen, team_id)

    # /forget of the member leaves no submission, comment or step of theirs.
    asked = await max_.say("/forget")
    done = await max_.click(asked, "Yes, delete everything")
    assert "deleted" in done.text.lower(), done.text
    async with bot_app.session_factory() as session:
        for table in (Submission, ReviewComment, SubmissionEvent, GateRun, ReviewNotice):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table
        assert sorted(await session.scalars(select(TeamMember.display_name))) == [
            "Olga",
            "Rita",
        ]


async def _all_notices_sent(app: BotApp, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Wait until every notice is marked sent (the last ones may still be on their way)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with app.session_factory() as session:
            statuses = list(await session.scalars(select(ReviewNotice.status)))
        assert statuses, "no notice at all"
        if set(statuses) == {DeliveryStatus.SENT}:
            return
        assert DeliveryStatus.FAILED not in statuses, statuses
        assert loop.time() < deadline, statuses
        await asyncio.sleep(0.1)


def _names_something(data: str) -> bool:
    """Callback data that carries an id of the story (not a screen of the presser's own, such
    as their file list or their list of teams)."""
    prefix, _, rest = data.partition(":")
    return prefix in {"rv", "sb", "db", "f", "k", "x", "h", "tm", "tg"} and any(
        part.isdigit() and int(part) > 0 for part in rest.split(":")
    )


async def _outsider_sees_nothing(
    app: BotApp, otto: Person, seen: dict[str, list[BotOutput]], team_id: int
) -> None:
    screens = [output for outputs in seen.values() for output in outputs if output.buttons]
    pressed = callback_data(*screens)
    assert len(pressed) >= 15, pressed
    for data in pressed:
        answer = await press_data(otto, data)
        assert otto.chat.last_update_id is not None
        await app.handled.wait(otto.chat.last_update_id)  # everything the press did, done
        outputs = [answer, *otto.chat.consume_all()]
        for output in outputs:
            shown = output.describe()
            for mark in ("task.py", TEAM, "Max", "Rita", "Olga", "value_"):
                assert mark not in shown, (data, shown)
        if _names_something(data):  # a step on the story's file, check, team or submission
            assert (answer.kind, answer.show_alert) == ("callback_answer", True), (data, answer)
            assert answer.text in NOT_FOUND, (data, answer.text)
    async with app.session_factory() as session:
        file_id = await session.scalar(select(File.id).where(File.name == "task.py"))
        submission_id = await session.scalar(select(Submission.id))
        check_ids = list(
            await session.scalars(
                select(Check.id)
                .join(FileVersion, FileVersion.id == Check.version_id)
                .where(FileVersion.file_id == file_id)
            )
        )
    suffixes = [
        f"/reviews/{submission_id}",
        f"/teams/{team_id}/dashboard",
        f"/files/{file_id}",
        f"/files/{file_id}/history",
        *(f"/checks/{check_id}" for check_id in check_ids),
    ]
    async with serving_mini_app(app) as mini_app:
        for suffix in suffixes:
            for page in (await mini_app.api(suffix, otto), await mini_app.part(suffix, otto)):
                assert page.status == 404, (suffix, page.status)
                assert "task.py" not in page.text, suffix
                assert TEAM not in page.text, suffix
        mine = await mini_app.api(f"/reviews/{submission_id}", app.people[2])
        assert mine.status == 200  # the member's own page is there: the addresses are right
