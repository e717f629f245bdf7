"""How a review notice fits its message and its buttons: a long comment list cut to one
message that says how many more, and Open as the Mini App's code view with WEBAPP_URL."""

from dataclasses import replace

from checks.worker import Worker
from core.models import DeliveryChannel
from core.team_models import NoticeKind
from reviewbot.runtime import open_worker
from tests.conftest import FAST_RETRY
from tests.support.app import BotApp
from tests.support.review_notices import add_comment, add_notices
from tests.support.review_team import review_team, wake


async def test_a_long_list_of_comments_is_cut_to_one_message_that_says_how_many_more(
    bot_app: BotApp, worker: Worker
) -> None:
    scene, people = await review_team(bot_app)
    for n in range(1, 61):
        body = f"comment {n}: " + "please rename this " * 20
        await add_comment(bot_app.session_factory, scene, author="Rob", body=body, lines=(n, n))
    await add_notices(
        bot_app.session_factory, scene, NoticeKind.CHANGES_REQUESTED, to=["Mia"], actor="Rob",
        channels=(DeliveryChannel.TELEGRAM,),
    )  # fmt: skip
    await wake(bot_app)

    message = await people["Mia"].chat.next_screen()
    lines = message.text.splitlines()
    assert lines[1].startswith("#1 Line 1: comment 1: please rename")
    shown = [line for line in lines if line.startswith("#")]
    assert 5 < len(shown) < 60
    assert lines[-2] == f"…and {60 - len(shown)} more"
    assert lines[-1].startswith("Upload the next version of calc.py")
    assert len(message.text) <= 4096


async def test_with_the_mini_app_open_shows_the_submission_in_its_code_view(
    bot_app: BotApp,
) -> None:
    settings = bot_app.settings.model_copy(update={"webapp_url": "https://review.example.com"})
    resources = replace(bot_app.resources, settings=settings)
    scene, people = await review_team(bot_app)
    await add_notices(
        bot_app.session_factory, scene, NoticeKind.SUBMITTED, to=["Rob"], actor="Mia",
        channels=(DeliveryChannel.TELEGRAM,),
    )  # fmt: skip
    async with open_worker(resources, bot_app.bot, retry=FAST_RETRY, identity="webapp-worker"):
        message = await people["Rob"].chat.next_screen()
    opened = message.buttons[0][0]
    assert opened.text == "🌐 Open"
    assert opened.web_app == f"https://review.example.com/reviews/{scene.submission_id}"
    assert message.button_texts()[1:] == ["👀 Take", "✅ Approve", "✏️ Request changes"]
