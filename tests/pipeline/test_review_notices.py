"""Review notices reach each side in chat and by email, in the recipient's language, with
delivery marks: a submission to its reviewers, the comments by line to the member, a
resubmission with its comments at their new lines, each status's line in the group chat (and
nothing else there); a blocked chat fails for good while the email goes, and an SMTP outage
only delays the email."""

import asyncio

from prometheus_client import REGISTRY
from sqlalchemy import select

from bot.callbacks import (
    FixAction,
    FixCallback,
    ReportAction,
    ReportCallback,
    ReviewAction,
    ReviewCallback,
)
from checks.worker import Worker
from core.models import DeliveryChannel, DeliveryStatus
from core.services.notices import submission_notice_marks
from core.team_models import CommentState, NoticeKind, ReviewNotice
from tests.fake_telegram import FakeTelegram
from tests.support.app import BotApp
from tests.support.review_notices import (
    add_comment,
    add_notices,
    add_user,
    notices,
    wait_for_notices,
)
from tests.support.review_team import GROUP_CHAT, review_team, wake
from tests.support.smtp import body_html, body_text


async def test_a_submission_reaches_each_reviewer_in_chat_and_by_email_with_marks(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, people = await review_team(bot_app, group=True)
    counted_before = {channel: _counted(channel, "sent") for channel in DeliveryChannel}
    ids = await add_notices(
        bot_app.session_factory, scene, NoticeKind.SUBMITTED, to=["Olga", "Rob"],
        actor="Mia", group=True,
    )  # fmt: skip
    await wake(bot_app)

    message = await people["Rob"].chat.next_screen()
    lines = message.text.splitlines()
    assert lines[0] == "📤 Mia sent calc.py v2 to Backend for review"
    assert lines[1] == "Gate (strict): 1 issue, at most 2 — passed"
    assert lines[2] == (
        "Reply to this message with 12: text or 12-14: text to comment on lines; without a "
        "number, a general comment."
    )
    assert message.button_texts() == ["📂 Open", "👀 Take", "✅ Approve", "✏️ Request changes"]
    opened = ReviewCallback(action=ReviewAction.OPEN, submission_id=scene.submission_id)
    assert message.find_button(opened.pack()) is not None
    olga = await people["Olga"].chat.next_screen()
    assert olga.text == message.text

    mail = await bot_app.smtp.wait_for("rob@example.com", count=1)
    assert mail["Subject"] == "calc.py v2: sent for review — Backend"
    assert "Mia sent calc.py v2 to Backend for review" in body_text(mail)
    assert "Gate (strict): 1 issue, at most 2 — passed" in body_html(mail)

    sent = await wait_for_notices(bot_app.session_factory, ids, DeliveryStatus.SENT)
    chats = {people["Olga"].chat.id: olga, people["Rob"].chat.id: message}
    for notice in sent.values():
        assert notice.sent_at is not None
        assert notice.attempts == 1
        if notice.channel is DeliveryChannel.EMAIL:
            assert (notice.chat_id, notice.message_id) == (None, None)
        elif notice.recipient_id is None:
            assert notice.chat_id == GROUP_CHAT
        else:  # the message a reviewer replies to
            assert notice.chat_id is not None
            assert notice.message_id == chats[notice.chat_id].message_id
    async with bot_app.session_factory() as session:
        marks = await submission_notice_marks(session, scene.submission_id)
    assert len(marks) == 5
    # The metric counts them: two emails, two chat messages and the group's line.
    counted = {
        channel: _counted(channel, "sent") - counted_before[channel] for channel in DeliveryChannel
    }
    assert counted == {DeliveryChannel.EMAIL: 2, DeliveryChannel.TELEGRAM: 3}
    assert {(m.recipient_id, m.channel) for m in marks} >= {(None, DeliveryChannel.TELEGRAM)}
    assert {m.status for m in marks} == {DeliveryStatus.SENT}
    # Mia sent it: she hears nothing of her own step.
    assert people["Mia"].chat.outputs == []


async def test_changes_requested_reach_the_member_in_russian_with_the_comments_by_line(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, people = await review_team(bot_app, member_language="ru", group=True)
    add = bot_app.session_factory
    await add_comment(add, scene, author="Rob", body="name <b>it</b> better", lines=(3, 3))
    await add_comment(add, scene, author="Rob", body="split this", lines=(12, 14))
    await add_comment(add, scene, author="Olga", body="add tests", lines=None)
    await add_comment(add, scene, author=None, body="old remark", lines=(5, 5))
    await add_comment(
        add, scene, author="Rob", body="DONE ALREADY", lines=(1, 1), state=CommentState.RESOLVED
    )
    ids = await add_notices(
        add, scene, NoticeKind.CHANGES_REQUESTED, to=["Mia"], actor="Rob", group=True
    )
    await wake(bot_app)

    message = await people["Mia"].chat.next_screen()
    assert message.text.splitlines() == [
        "✏️ Rob просит правки в calc.py v2 (Backend)",
        "#1 Строка 3: name <b>it</b> better — Rob",
        "#2 Строка 5: old remark — бывший ревьюер",
        "#3 Строки 12–14: split this — Rob",
        "#4 Общий: add tests — Olga",
        "Загрузите следующую версию calc.py: она вернётся на ревью, как только пройдёт фильтр.",
    ]
    assert "&lt;b&gt;it&lt;/b&gt;" in message.html  # the person's text, not markup
    assert message.button_texts() == ["📂 Открыть", "↩️ Отозвать"]

    mail = await bot_app.smtp.wait_for("mia@example.com", count=1)
    assert mail["Subject"] == "calc.py v2: нужны правки: Rob — Backend"
    text = body_text(mail)
    assert "#3 Строки 12–14: split this — Rob" in text
    assert "DONE ALREADY" not in text
    assert "name &lt;b&gt;it&lt;/b&gt; better" in body_html(mail)

    group = await wait_for_notices(add, ids, DeliveryStatus.SENT)
    [line] = [n for n in group.values() if n.recipient_id is None]
    [posted] = [
        r for r in bot_app.telegram.calls("sendMessage") if r.params.get("chat_id") == GROUP_CHAT
    ]
    assert posted.params["text"] == "<b>Backend</b>: Mia — calc.py v2: changes requested by Rob"
    assert "reply_markup" not in posted.params
    assert line.message_id is not None


async def test_a_resubmission_shows_open_comments_at_their_new_lines_with_resolve_buttons(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, people = await review_team(bot_app)
    add = bot_app.session_factory
    await add_comment(add, scene, author="Rob", body="moved", lines=(3, 3), at=(8, 8))
    changed = await add_comment(
        add, scene, author="Rob", body="was wrong", lines=(10, 10), at=(10, 10),
        state=CommentState.CHANGED,
    )  # fmt: skip
    await add_comment(
        add, scene, author="Rob", body="gone", lines=(20, 20), state=CommentState.OUTDATED
    )
    await add_notices(add, scene, NoticeKind.RESUBMITTED, to=["Rob"], actor="Mia")
    await wake(bot_app)

    message = await people["Rob"].chat.next_screen()
    lines = message.text.splitlines()
    assert lines[0] == "📤 Mia sent calc.py v2 again to Backend for review"
    assert lines[1] == "Gate (strict): 1 issue, at most 2 — passed"
    assert lines[2:5] == [
        "#1 Line 8: moved",
        "#2 Line 10, changed — resolve?: was wrong",
        "#3 Outdated: gone",
    ]
    assert lines[5].startswith("Reply to this message with 12: text")
    resolve = message.find_button("✔️ Resolve #2")
    assert resolve is not None
    assert (
        resolve.callback_data
        == ReviewCallback(
            action=ReviewAction.RESOLVE, submission_id=scene.submission_id, comment_id=changed
        ).pack()
    )
    assert message.find_button("✔️ Resolve #1") is None
    mail = await bot_app.smtp.wait_for("rob@example.com", count=1)
    assert mail["Subject"] == "calc.py v2: sent again — Backend"
    assert "#2 Line 10, changed — resolve?: was wrong" in body_text(mail)


async def test_taken_approved_withdrawn_and_blocked_each_say_what_happened(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, people = await review_team(bot_app, versions=3)
    add, chat = bot_app.session_factory, {name: p.chat for name, p in people.items()}
    telegram = (DeliveryChannel.TELEGRAM,)
    await add_notices(add, scene, NoticeKind.IN_REVIEW, to=["Mia", "Olga"], actor="Rob",
                      channels=telegram)  # fmt: skip
    await wake(bot_app)
    assert (await chat["Mia"].next_screen()).text == "👀 Rob is reviewing calc.py v2 (Backend)"
    assert (await chat["Olga"].next_screen()).text == "👀 Rob took calc.py v2 of Mia (Backend)"

    await add_notices(add, scene, NoticeKind.APPROVED, to=["Mia"], actor="Rob", channels=telegram)
    await wake(bot_app)
    assert (await chat["Mia"].next_screen()).text == "✅ Rob approved calc.py v2 (Backend)"

    await add_notices(add, scene, NoticeKind.WITHDRAWN, to=["Rob"], actor="Mia", channels=telegram)
    await wake(bot_app)
    withdrawn = await chat["Rob"].next_screen()
    assert withdrawn.text == "↩️ Mia withdrew calc.py from review (Backend)"
    assert withdrawn.buttons == []

    await add_notices(add, scene, NoticeKind.BLOCKED, to=["Mia"], actor=None, version=3)
    await wake(bot_app)
    blocked = await chat["Mia"].next_screen()
    assert blocked.text.splitlines() == [
        "⛔ calc.py v3 did not pass Backend's gate: 7 issues, at most 2",
        "Line 1: F401 `os` imported but unused",
        "…and 6 more",
    ]
    assert blocked.button_texts() == ["🛠 Fix", "Full report"]
    fix = FixCallback(action=FixAction.PREVIEW, check_id=scene.checks[3])
    report = ReportCallback(action=ReportAction.OPEN, check_id=scene.checks[3])
    assert blocked.find_button(fix.pack()) is not None
    assert blocked.find_button(report.pack()) is not None
    mail = await bot_app.smtp.wait_for("mia@example.com", count=1)
    assert mail["Subject"] == "calc.py v3: did not pass the gate — Backend"
    assert "Line 1: F401 `os` imported but unused" in body_text(mail)


async def test_a_refused_chat_fails_for_good_with_the_reason_while_the_email_goes(
    bot_app: BotApp, worker: Worker, fake_telegram: FakeTelegram
) -> None:
    scene, people = await review_team(bot_app)
    fake_telegram.expect_refusal("blocked")
    fake_telegram.block(people["Mia"].chat.id)
    nobody = await add_user(bot_app.session_factory, "nochat@example.com", telegram_id=None)
    scene.users["Nobody"] = nobody  # a reviewer whose account was unlinked meanwhile
    add = bot_app.session_factory
    mia = await add_notices(add, scene, NoticeKind.APPROVED, to=["Mia"], actor="Rob")
    rest = await add_notices(
        add, scene, NoticeKind.WITHDRAWN, to=["Nobody"], actor="Mia",
        channels=(DeliveryChannel.TELEGRAM,), group=True,  # no group chat is linked
    )  # fmt: skip
    await wake(bot_app)

    failed = await wait_for_notices(add, [mia[0], *rest], DeliveryStatus.FAILED)
    assert "blocked" in str(failed[mia[0]].last_error)
    assert failed[rest[0]].last_error == "no Telegram account is linked to the user"
    assert failed[rest[1]].last_error == "the team's group chat is no longer linked"
    assert {n.attempts for n in failed.values()} == {1}
    await wait_for_notices(add, [mia[1]], DeliveryStatus.SENT)
    mail = await bot_app.smtp.wait_for("mia@example.com", count=1)
    assert mail["Subject"] == "calc.py v2: approved by Rob — Backend"


async def test_an_smtp_outage_delays_the_email_until_the_server_is_back(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, _people = await review_team(bot_app)
    bot_app.smtp.down()
    try:
        [notice] = await add_notices(
            bot_app.session_factory, scene, NoticeKind.APPROVED, to=["Mia"], actor="Rob",
            channels=(DeliveryChannel.EMAIL,),
        )  # fmt: skip
        await wake(bot_app)
        for _ in range(200):
            [row] = await notices(bot_app.session_factory)
            if row.last_error:
                break
            await asyncio.sleep(0.05)
        assert row.status is DeliveryStatus.PENDING
        assert row.attempts >= 1
        assert row.last_error, "the email was never tried while the server was down"
    finally:
        bot_app.smtp.up()
    await wait_for_notices(bot_app.session_factory, [notice], DeliveryStatus.SENT)
    mail = await bot_app.smtp.wait_for("mia@example.com", count=1)
    assert mail["Subject"] == "calc.py v2: approved by Rob — Backend"
    async with bot_app.session_factory() as session:
        rows = list(await session.scalars(select(ReviewNotice)))
    assert [(r.status, r.last_error) for r in rows] == [(DeliveryStatus.SENT, None)]


def _counted(channel: DeliveryChannel, status: str) -> float:
    """reviewbot_review_notices_total of this process, for one channel and status."""
    labels = {"channel": channel.value, "status": status}
    return REGISTRY.get_sample_value("reviewbot_review_notices_total", labels) or 0.0
