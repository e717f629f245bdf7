"""Review by people, in chat: sending a file past its team's gate, the submission screen with
each of its buttons, comments by reply, /reviews and /report, and other people replaying the
buttons. Strict fake Bot API, real ruff, both stacks.

Teams and their members are seeded with the models (the /team screens are built apart), and
the review notices' sending is too: where a reviewer replies to "the submission's notice", the
bot sends them a stand-in message whose chat and message id the test writes onto their
Telegram notice row, as the notices job does when it sends the real one."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from bot.app import Catalogues
from bot.features.reports.texts import telegram_length
from bot.features.reviews import texts as review_texts
from core.config import Settings
from core.i18n import load_translations
from core.models import Check, CheckState, Delivery, File, FileVersion, RulePreset, User
from core.review import Issue
from core.services.resubmissions import judge_next_version, waiting_versions
from core.services.submission_views import CommentView, EventView, GateSummary, SubmissionView
from core.team_models import (
    CommentState,
    NoticeKind,
    ReviewComment,
    ReviewNotice,
    Submission,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)
from infra.ruff.gate import RuffGateChecker
from infra.ruff.runner import RuffRunner
from tests.fake_telegram import BotOutput
from tests.fake_telegram.html import parse_html
from tests.support.app import BotApp, Person
from tests.support.presses import button_data, callback_data, press_data

# Two unused imports: both fixed by ruff's safe fixes.
FAILING = b"import os\nimport sys\n\nprint(1)\n"
# Twelve clean lines; the reviewer comments on lines 3 and 10.
V1_LINES = [f"value_{n} = {n}" for n in range(1, 13)]
V1 = ("\n".join(V1_LINES) + "\n").encode()
# Line 3 moved down five lines unchanged, line 10 rewritten.
V2_LINES = [*V1_LINES[:2], *(f"extra_{n} = {n}" for n in range(5)), *V1_LINES[2:]]
V2_LINES[V2_LINES.index("value_10 = 10")] = "value_10 = 10 * 2"
V2 = ("\n".join(V2_LINES) + "\n").encode()
WEBAPP_URL = "https://review.example.com/app"
NOT_FOUND = "Submission not found."
UNKNOWN_TEXT = (
    "Send me a .py file as a document, or paste code as a code block (between ``` lines), "
    "to review it. /help lists the commands."
)


@pytest.fixture
def webapp_url() -> str:
    """WEBAPP_URL of the bot: none, unless a test parametrizes it."""
    return ""


@pytest.fixture
def settings(settings: Settings, webapp_url: str) -> Settings:
    return settings.model_copy(update={"webapp_url": webapp_url})


async def _user_id(app: BotApp, person: Person) -> int:
    async with app.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == person.email))
    assert user_id is not None
    return user_id


async def _team(app: BotApp, name: str, members: dict[str, tuple[Person, TeamRole]]) -> int:
    """A team with these members (display name: person and role), its gate "no issues"."""
    async with app.session_factory() as session:
        team = Team(name=name, invite_token=f"t{abs(hash(name)) % 10**12}")
        session.add(team)
        await session.flush()
        for display_name, (person, role) in members.items():
            user_id = await _user_id(app, person)
            session.add(
                TeamMember(team_id=team.id, user_id=user_id, role=role, display_name=display_name)
            )
        await session.commit()
        return team.id


async def _card(person: Person, name: str) -> BotOutput:
    listing = await person.files()
    button = next(text for text in listing.button_texts() if text.startswith(f"{name} · "))
    return await person.click(listing, button)


async def _press(person: Person, screen: BotOutput, button: str) -> tuple[str, BotOutput]:
    """Press a button that answers with a notice and edits or sends a screen."""
    await person.chat.click(screen, button)
    answer = await person.chat.next_output()
    assert answer.kind == "callback_answer", answer.describe()
    return answer.text, await person.chat.next_screen()


async def _submissions(app: BotApp) -> list[tuple[int, SubmissionStatus, int]]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(Submission.team_id, Submission.status, FileVersion.number)
            .join(FileVersion, FileVersion.id == Submission.version_id)
            .order_by(Submission.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_blocked_file_is_told_what_blocks_it_fixed_on_the_gate_check_and_sent(
    bot_app: BotApp,
) -> None:
    member = await bot_app.registered("max@example.com", first_name="Max")
    reviewer = await bot_app.registered("rita@example.com", first_name="Rita")
    team_id = await _team(
        bot_app,
        "Team <A> & co",
        {"Max": (member, TeamRole.MEMBER), "Rita": (reviewer, TeamRole.OWNER)},
    )
    await member.upload("work.py", FAILING)
    card = await _card(member, "work.py")
    assert card.has_button("📤 Send for review"), card.describe()

    await member.chat.click(card, "📤 Send for review")
    blocked = await member.chat.next_screen(timeout=30)
    lines = blocked.text.splitlines()
    assert lines[0] == "⛔ work.py v1 does not pass Team <A> & co's gate: 2 issues, at most 0."
    assert lines[1:3] == [
        "F401 1:8 `os` imported but unused",
        "F401 2:8 `sys` imported but unused",
    ]
    assert lines[-1] == "Nothing was sent. Fix the file and send it again."
    assert blocked.button_texts() == ["🛠 Fix", "Report"]
    assert await _submissions(bot_app) == []  # nothing was sent
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReviewNotice)) == 0

    # Report and Fix work on the gate's check: its issues, and ruff's fixes with its rules.
    report = await member.click(blocked, "Report")
    assert "work.py" in report.text, report.describe()
    assert "F401" in report.text, report.describe()
    preview = await member.click(blocked, "🛠 Fix")
    assert preview.text.startswith("🛠 Fixes for work.py, version 1"), preview.describe()
    assert "Fixes 2 of 2 issues; 0 remain." in preview.text
    saved = await member.click(preview, "💾 Save as version 2")
    assert "work.py" in saved.text, saved.describe()
    async with bot_app.session_factory() as session:
        content = await session.scalar(select(FileVersion.content).where(FileVersion.number == 2))
    assert content == b"print(1)\n"

    card = await _card(member, "work.py")
    await member.chat.click(card, "📤 Send for review")
    sent = await member.chat.next_screen(timeout=30)
    assert sent.text == (
        "📤 Sent work.py v2 to Team <A> & co for review; its reviewers are notified."
    )
    assert sent.button_texts() == ["📋 Open the submission"]
    assert await _submissions(bot_app) == [(team_id, SubmissionStatus.SUBMITTED, 2)]
    async with bot_app.session_factory() as session:
        notices = set(await session.execute(select(ReviewNotice.kind, ReviewNotice.recipient_id)))
    assert notices == {(NoticeKind.SUBMITTED, await _user_id(bot_app, reviewer))}
    card = await _card(member, "work.py")
    assert "Review (Team <A> & co): submitted, v2" in card.text.splitlines()

    # Sent again while under review: told so, nothing new.
    await member.chat.click(card, "📤 Send for review")
    again = await member.chat.next_screen()
    assert again.text.startswith("This file is already under review in that team (submitted)")
    assert len(await _submissions(bot_app)) == 1


async def test_a_person_in_two_teams_chooses_where_to_send(bot_app: BotApp) -> None:
    member = await bot_app.registered("max2@example.com", first_name="Max")
    lead = await bot_app.registered("lead2@example.com", first_name="Lead")
    await _team(bot_app, "Alpha", {"Max": (member, TeamRole.MEMBER), "L": (lead, TeamRole.OWNER)})
    beta = await _team(
        bot_app, "Beta", {"Max": (member, TeamRole.MEMBER), "L": (lead, TeamRole.OWNER)}
    )
    loner = await bot_app.registered("loner@example.com")
    await loner.upload("solo.py", b"x = 1\n")
    assert not (await _card(loner, "solo.py")).has_button("📤 Send for review")

    await member.upload("work.py", V1)
    card = await _card(member, "work.py")
    choice = await member.click(card, "📤 Send for review")
    assert choice.message_id == card.message_id  # the card became the choice
    assert choice.text == "Send work.py for review to which team?"
    assert choice.button_texts() == ["Alpha", "Beta", "« Back"]
    await member.chat.click(choice, "Beta")
    sent = await member.chat.next_screen(timeout=30)
    assert sent.text.startswith("📤 Sent work.py v1 to Beta for review")
    assert await _submissions(bot_app) == [(beta, SubmissionStatus.SUBMITTED, 1)]
    card = await _card(member, "work.py")
    assert "Review (Beta): submitted, v1" in card.text.splitlines()


async def _stand_in_notice(app: BotApp, reviewer: Person, submission_id: int) -> BotOutput:
    """The reviewer's copy of the submission's notice (see the module's docstring)."""
    message = await app.bot.send_message(reviewer.chat.chat_id, "📤 A submission (stand-in)")
    shown = await reviewer.chat.next_screen()
    reviewer_id = await _user_id(app, reviewer)
    async with app.session_factory() as session:
        await session.execute(
            update(ReviewNotice)
            .where(
                ReviewNotice.submission_id == submission_id,
                ReviewNotice.recipient_id == reviewer_id,
                ReviewNotice.channel == "telegram",
            )
            .values(chat_id=reviewer.chat.chat_id, message_id=message.message_id)
        )
        await session.commit()
    return shown


async def _reply(person: Person, target: BotOutput, text: str) -> BotOutput:
    await person.chat.reply_text(target, text)
    return await person.chat.next_screen()


async def _worker_judges_the_new_version(app: BotApp) -> None:
    """What the worker's review job does once the new version's usual check has run (that job
    is built apart): the version is marked checked and judged by the gate."""
    async with app.session_factory() as session:
        await session.execute(update(FileVersion).values(check_state=CheckState.CHECKED))
        await session.commit()
        [waiting] = await waiting_versions(session)
        assert await judge_next_version(session, RuffGateChecker(RuffRunner()), waiting)


async def test_the_submission_screen_its_buttons_and_comments_by_reply(
    bot_app: BotApp,
) -> None:
    member = await bot_app.registered("max3@example.com", first_name="Max")
    reviewer = await bot_app.registered("rita3@example.com", first_name="Rita")
    owner = await bot_app.registered("olga3@example.com", first_name="Olga")
    teammate = await bot_app.registered("tom3@example.com", first_name="Tom")
    outsider = await bot_app.registered("otto3@example.com", first_name="Otto")
    await _team(
        bot_app,
        "Team A",
        {
            "Max": (member, TeamRole.MEMBER),
            "Rita": (reviewer, TeamRole.REVIEWER),
            "Olga": (owner, TeamRole.OWNER),
            "Tom": (teammate, TeamRole.MEMBER),
        },
    )
    for name, content in (("work.py", V1), ("other.py", b"x = 1\n")):
        await member.upload(name, content)
        await member.chat.click(await _card(member, name), "📤 Send for review")
        assert "for review" in (await member.chat.next_screen(timeout=30)).text

    # /reviews: what waits for the reviewer, oldest first; the member's own submissions.
    waiting = await reviewer.say("/reviews")
    assert waiting.text.splitlines()[1:] == [
        "Waiting for your review (oldest first):",
        "• work.py v1 · Team A · Max · submitted",
        "• other.py v1 · Team A · Max · submitted",
    ]
    assert waiting.button_texts() == ["work.py v1 · Team A", "other.py v1 · Team A"]
    mine = await member.say("/reviews")
    assert "Your submissions:" in mine.text.splitlines()
    assert "Waiting for your review" not in mine.text

    screen = await reviewer.click(waiting, "work.py v1 · Team A")
    lines = screen.text.splitlines()
    assert lines[:3] == [
        "📋 work.py v1 · Team A",
        "From Max · submitted",
        "Gate: ✅ 0 issues, at most 0",
    ]
    assert lines[-2] == "History:"
    assert lines[-1].endswith(" · submitted · Max · v1")
    assert [[b.text for b in row] for row in screen.buttons] == [
        ["👀 Take", "✅ Approve"],
        ["✏️ Request changes"],
        ["📄 Code"],
    ]
    own = await member.click(mine, "work.py v1 · Team A")
    assert [[b.text for b in row] for row in own.buttons] == [["↩️ Withdraw"], ["📄 Code"]]

    take = button_data(screen, "👀 Take")
    notice, screen = await _press(reviewer, screen, "👀 Take")
    assert notice == "Taken: it is yours to review."
    assert screen.text.splitlines()[1:3] == ["From Max · in review", "Reviewer: Rita"]
    assert screen.button_texts() == ["✅ Approve", "✏️ Request changes", "📄 Code"]
    await reviewer.chat.click(screen, "📄 Code")
    code = await reviewer.chat.next_screen()
    assert (code.filename, code.document) == ("work.py", V1)
    assert code.text == "work.py, version 1, as it is under review"
    # The owner sees it taken: no Take any more.
    olga_screen = await owner.click(await owner.say("/reviews"), "work.py v1 · Team A")
    assert "👀 Take" not in olga_screen.button_texts()
    refused = await press_data(owner, take, on=olga_screen)  # an old screen's button
    assert (refused.text, refused.show_alert) == (
        "Not possible now: the submission is in review.",
        True,
    )

    # Comments by reply to the submission's notice: a line, a range, a general one.
    submission_id = await _ids(bot_app, "work.py")
    notice_message = await _stand_in_notice(bot_app, reviewer, submission_id)
    saved = await _reply(reviewer, notice_message, "3: name it after what it holds")
    assert saved.text == "💬 Saved on line 3."
    assert [[b.text for b in row] for row in saved.buttons] == [
        ["✏️ Request changes", "✅ Approve"],
        ["📋 Open the submission"],
    ]
    assert (await _reply(reviewer, notice_message, "10: and this")).text == (
        "💬 Saved on line 10."
    )
    assert (await _reply(reviewer, notice_message, "5-7: <b>too</b> long")).text == (
        "💬 Saved on lines 5–7."
    )
    assert (await _reply(reviewer, notice_message, "Nice overall")).text == (
        "💬 Saved as a general comment."
    )
    out_of_range = await _reply(reviewer, notice_message, "99: nope")
    assert out_of_range.text.startswith(
        "There is no such line: the version under review has 12 lines."
    )
    # A reply to a message that shows no one submission is plain text, as before: the list of
    # several, a message of no submission, and anything an outsider replies to.
    several = await reviewer.say("/reviews")
    assert (await _reply(reviewer, several, "3: here?")).text == UNKNOWN_TEXT
    assert (await _reply(reviewer, await reviewer.say("/help"), "3: x")).text == UNKNOWN_TEXT
    assert (await _reply(outsider, await outsider.say("/help"), "3: x")).text == UNKNOWN_TEXT
    # The member replying to their own submission's screen comments nothing either.
    assert (await _reply(member, own, "3: mine")).text == UNKNOWN_TEXT
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReviewComment)) == 4

    screen = await reviewer.click(saved, "📋 Open the submission")
    text = screen.text
    assert "#1 line 3 · open · Rita\nvalue_3 = 3\nname it after what it holds" in text
    assert "#2 line 10 · open · Rita\nvalue_10 = 10\nand this" in text
    assert "#3 lines 5–7 · open · Rita\nvalue_5 = 5 …\n<b>too</b> long" in text
    assert "#4 general · open · Rita\nNice overall" in text
    assert screen.button_texts()[-5:] == [
        "☑️ Resolve #1",
        "☑️ Resolve #3",
        "☑️ Resolve #2",
        "☑️ Resolve #4",
        "📄 Code",
    ]
    notice, screen = await _press(reviewer, screen, "☑️ Resolve #3")
    assert notice == "Comment #3 resolved."
    assert "#3 lines 5–7 · resolved · Rita" in screen.text
    assert "☑️ Resolve #3" not in screen.button_texts()
    notice, screen = await _press(reviewer, screen, "✏️ Request changes")
    assert notice == "Changes requested: the member gets the comments by line."
    assert screen.text.splitlines()[1] == "From Max · changes requested"

    # The next version: line 3 moved down five lines, line 10 rewritten.
    assert "work.py" in (await member.upload("work.py", V2)).text
    await _worker_judges_the_new_version(bot_app)
    screen = await reviewer.click(await reviewer.say("/reviews"), "work.py v2 · Team A")
    text = screen.text
    assert text.splitlines()[:2] == ["📋 work.py v2 · Team A", "From Max · resubmitted"]
    assert "#1 line 8 · open · Rita\nvalue_3 = 3" in text
    assert "#2 line 15 · changed — resolve? · Rita\nvalue_10 = 10" in text
    notice, screen = await _press(reviewer, screen, "☑️ Resolve #2")
    assert "#2 line 15 · resolved · Rita" in screen.text
    notice, screen = await _press(reviewer, screen, "✅ Approve")
    assert notice == "Approved: the member is notified."
    assert screen.text.splitlines()[1] == "From Max · approved"
    assert screen.button_texts() == ["📄 Code"]
    history = screen.text.split("History:\n")[1].splitlines()
    assert [line.split(" · ", 1)[1] for line in history] == [
        "submitted · Max · v1",
        "in review · Rita · v1",
        "changes requested · Rita · v1",
        "resubmitted · Max · v2",
        "approved · Rita · v2",
    ]
    assert "Review (Team A): approved, v2" in (await _card(member, "work.py")).text

    # The member withdraws the other file; a reviewer's old screen can no longer take it.
    olga_other = await owner.click(await owner.say("/reviews"), "other.py v1 · Team A")
    other = await member.click(await member.say("/reviews"), "other.py v1 · Team A")
    notice, other = await _press(member, other, "↩️ Withdraw")
    assert notice == "Withdrawn: the reviewers are notified."
    assert other.text.splitlines()[1] == "From Max · withdrawn"
    refused = await owner.click(olga_other, "👀 Take")
    assert (refused.text, refused.show_alert) == (
        "Not possible now: the submission is withdrawn.",
        True,
    )
    assert "other.py" not in (await owner.say("/reviews")).text
    report = await member.say("/report")
    assert report.text.split("\n\n")[-1].splitlines() == [
        "Your submissions:",
        "• other.py v1 · Team A · withdrawn",
        "• work.py v2 · Team A · approved",
        "Every submission, and what waits for your review: /reviews",
    ]

    # Everything pressed here, replayed by someone outside the team and by a member of the
    # same team who did not submit: nothing of it is shown, nothing changes.
    pressed = [
        data
        for data in callback_data(
            *member.chat.outputs, *reviewer.chat.outputs, *owner.chat.outputs
        )
        if data.startswith(("rv:", "sb:"))
    ]
    kinds = {data.split(":")[1] for data in pressed if data.startswith("rv:")}
    assert kinds >= {"o", "t", "a", "c", "w", "r", "d"}, pressed
    assert any(data.startswith("sb:") for data in pressed)
    before = await _submissions(bot_app)
    for stranger in (outsider, teammate):
        base = await stranger.say("/help")
        for data in pressed:
            answer = await press_data(stranger, data, on=base)
            expected = "File not found." if data.startswith("sb:") else NOT_FOUND
            assert (answer.kind, answer.text, answer.show_alert) == (
                "callback_answer",
                expected,
                True,
            ), data
        for output in stranger.chat.outputs:
            assert "work.py" not in output.text
            assert "value_" not in output.text
            assert output.document is None
    assert await _submissions(bot_app) == before


async def _ids(app: BotApp, name: str) -> int:
    async with app.session_factory() as session:
        submission_id = await session.scalar(
            select(Submission.id)
            .join(File, File.id == Submission.file_id)
            .where(File.name == name)
        )
    assert submission_id is not None
    return submission_id


@pytest.mark.parametrize("webapp_url", [WEBAPP_URL])
async def test_with_the_mini_app_the_screen_opens_the_code_view_there(bot_app: BotApp) -> None:
    member = await bot_app.registered("max4@example.com", first_name="Max")
    reviewer = await bot_app.registered("rita4@example.com", first_name="Rita")
    await _team(
        bot_app, "Team W", {"Max": (member, TeamRole.MEMBER), "Rita": (reviewer, TeamRole.OWNER)}
    )
    await member.upload("work.py", V1)
    await member.chat.click(await _card(member, "work.py"), "📤 Send for review")
    sent = await member.chat.next_screen(timeout=30)
    submission_id = await _ids(bot_app, "work.py")
    screen = await member.click(sent, "📋 Open the submission")
    assert screen.message_id == sent.message_id
    assert screen.buttons[-1][-1].text == "🌐 Open"
    assert screen.buttons[-1][-1].web_app == f"{WEBAPP_URL}/reviews/{submission_id}"
    shown = await reviewer.click(await reviewer.say("/reviews"), "work.py v1 · Team W")
    assert [b.text for b in shown.buttons[-1]] == ["📄 Code", "🌐 Open"]


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_a_long_review_still_fits_one_message(locale: str) -> None:
    """Hundreds of issues and long comments: the screen is cut section by section (each cut
    marked "…") and stays one valid Telegram message with its head and history."""
    at = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    issue = Issue("E501", "Line too long <" + "x" * 80, 1, 1, 1, 2, fixable=False)
    view = SubmissionView(
        submission_id=1,
        team_id=1,
        team_name="Team <A>",
        file_id=1,
        file_name="big.py",
        member="Max",
        reviewer="Rita",
        status=SubmissionStatus.IN_REVIEW,
        version=3,
        version_id=3,
        viewer_is_member=False,
        viewer_reviews=True,
        gate=GateSummary(passed=True, issue_count=300, max_issues=500, check_id=1),
        issues=(issue,) * 300,
        comments=tuple(
            CommentView(n, CommentState.OPEN, n, n, "<i>" * 300, "Rita", at, 3, "code = 1")
            for n in range(1, 101)
        ),
        events=(EventView(SubmissionStatus.SUBMITTED, "Max", at, 3),),
        lines=(),
    )
    i18n = Catalogues(load_translations())
    with i18n.context(), i18n.use_locale(locale):
        text = review_texts.submission_screen(view)
    assert telegram_length(text) <= review_texts.TELEGRAM_TEXT_LIMIT
    parse_html(text)  # well-formed, as Telegram's parser reads it
    assert text.startswith("📋 <b>big.py</b> v3 · Team &lt;A&gt;")
    assert "\n…\n" in text
    assert text.splitlines()[-1].endswith("Max · v3")


async def test_a_gate_check_under_other_rules_is_in_the_log_and_never_sent(
    bot_app: BotApp,
) -> None:
    member = await bot_app.registered("max9@example.com", first_name="Max")
    reviewer = await bot_app.registered("rita9@example.com", first_name="Rita")
    team_id = await _team(
        bot_app,
        "Strict team",
        {"Max": (member, TeamRole.MEMBER), "Rita": (reviewer, TeamRole.OWNER)},
    )
    async with bot_app.session_factory() as session:
        team = await session.get_one(Team, team_id)
        team.preset = RulePreset.STRICT  # the member's own rules stay ruff's defaults
        team.gate_max_issues = 999
        await session.commit()
    await member.upload("work.py", b"x = 1\n")
    await member.chat.click(await _card(member, "work.py"), "📤 Send for review")
    assert "for review" in (await member.chat.next_screen(timeout=30)).text
    log = await member.say("/report")
    gate_lines = [line for line in log.text.splitlines() if line.startswith("    🚦")]
    assert gate_lines == ["    🚦 a team's gate, before review (its result is not sent)"]
    async with bot_app.session_factory() as session:
        gate_checks = list(await session.scalars(select(Check).where(Check.gate.is_(True))))
        deliveries = await session.scalar(select(func.count()).select_from(Delivery))
    assert [(check.preset, check.team_id) for check in gate_checks] == [
        (RulePreset.STRICT, team_id)
    ]
    assert deliveries == 0  # no worker here: only the gate's check exists, with no outbox


async def test_a_reviewer_comments_by_replying_to_the_submission_screen(bot_app: BotApp) -> None:
    member = await bot_app.registered("max10@example.com", first_name="Max")
    reviewer = await bot_app.registered("rita10@example.com", first_name="Rita")
    await _team(
        bot_app, "Team S", {"Max": (member, TeamRole.MEMBER), "Rita": (reviewer, TeamRole.OWNER)}
    )
    await member.upload("work.py", V1)
    await member.chat.click(await _card(member, "work.py"), "📤 Send for review")
    assert "for review" in (await member.chat.next_screen(timeout=30)).text
    # Opened from /reviews, not from a notice: its buttons name the one submission it shows.
    screen = await reviewer.click(await reviewer.say("/reviews"), "work.py v1 · Team S")
    assert (
        "Reply to this message with 12: text or 12-14: text to comment on lines; without a "
        "number, a general comment."
    ) in screen.text.splitlines()
    saved = await _reply(reviewer, screen, "2: from the screen")
    assert saved.text == "💬 Saved on line 2."
    async with bot_app.session_factory() as session:
        stored = await session.scalar(select(ReviewComment))
    assert stored is not None
    assert (stored.first_line, stored.body) == (2, "from the screen")
