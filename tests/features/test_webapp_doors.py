"""The Mini App's doors in chat and email: with WEBAPP_URL set, "🌐 Open" under the file list,
a file's card, a report and a result opens the same screen in the Mini App, the chat menu
button opens it, and a result email carries a signed link to the report that works in any
browser for REPORT_LINK_DAYS days, until the person is forgotten. Without WEBAPP_URL none of
it appears, and the menu button is left alone (or put back, when an earlier deployment set
it)."""

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import MenuButtonWebApp, WebAppInfo
from pydantic import SecretStr
from sqlalchemy import select

from bot.connect import TelegramLink
from checks.worker import Worker
from core.config import Settings
from core.errors import FileNotFoundForUserError
from core.models import Check, FileVersion, utcnow
from core.report_links import link_key, read_link
from core.services.report_links import report_by_link
from reviewbot.runtime import Resources, open_bot
from reviewbot.telegram_side import Polling, connect_bot
from reviewbot.webhook import Webhook
from tests.fake_telegram import BotOutput, Button, FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot
from tests.support.app import BotApp, Person
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.pipeline import wait_until
from tests.support.results import assert_result
from tests.support.smtp import body_html, body_text
from tests.support.stack import EMBEDDED

WEBAPP_URL = "https://review.example.com/app"
SOURCE = b"import os\n"  # one issue (F401)
REPORT_LINK_DAYS = 7  # not the default 30: the setting is what decides
LINK = re.compile(r"Open this report in a browser: (\S+)\r?\nThe link is valid until (.+) UTC\.")


@pytest.fixture
def webapp_url() -> str:
    """WEBAPP_URL of the bot and the worker; a test parametrizes it to "" for none."""
    return WEBAPP_URL


@pytest.fixture
def report_link_secret() -> str:
    return ""


@pytest.fixture
def settings(settings: Settings, webapp_url: str, report_link_secret: str) -> Settings:
    return settings.model_copy(
        update={
            "webapp_url": webapp_url,
            "report_link_secret": SecretStr(report_link_secret),
            "report_link_days": REPORT_LINK_DAYS,
        }
    )


def opens(screen: BotOutput) -> list[str]:
    """The Mini App addresses the screen's buttons open."""
    return [button.web_app for row in screen.buttons for button in row if button.web_app]


async def checked(person: Person, name: str = "doors.py") -> tuple[BotOutput, int, int]:
    """Upload a file and wait for its result in the chat: the result, the file's id and the
    check's id."""
    assert f" {name}" in (await person.upload(name, SOURCE)).text
    result = await person.chat.next_screen(timeout=30)
    if person.chat.user_dict.get("language_code") == "en":
        assert_result(result, name)  # tests/support/results.py reads English only
    else:
        assert f"<b>{name}</b>" in result.html
    async with person.app.session_factory() as session:
        file_id, check_id = (
            await session.execute(
                select(FileVersion.file_id, Check.id)
                .join(Check, Check.version_id == FileVersion.id)
                .order_by(Check.id.desc())
                .limit(1)
            )
        ).one()
    return result, file_id, check_id


async def test_files_card_report_and_result_open_the_same_screen_in_the_mini_app(
    bot_app: BotApp, worker: Worker
) -> None:
    ann = await seeded(bot_app, "ann@example.com")
    result, file_id, check_id = await checked(ann)
    assert result.buttons == [
        [
            Button("Full report", result.buttons[0][0].callback_data),
            Button("🌐 Open", web_app=f"{WEBAPP_URL}/checks/{check_id}"),
        ]
    ]

    files = await ann.files()
    assert files.buttons[-1] == [Button("🌐 Open", web_app=f"{WEBAPP_URL}/")]
    assert opens(files) == [f"{WEBAPP_URL}/"]

    card = await ann.click(files, files.buttons[0][0].text)
    assert card.text.startswith("📄 doors.py\nVersion: 1")
    assert [b.text for b in card.buttons[2]] == ["History", "🌐 Open"]
    assert opens(card) == [f"{WEBAPP_URL}/files/{file_id}"]

    report = await ann.click(card, "Report")
    assert report.text.startswith("Report for doors.py, version 1")
    assert [b.text for b in report.buttons[-1]] == ["« Back", "🌐 Open"]
    assert opens(report) == [f"{WEBAPP_URL}/checks/{check_id}"]

    full = await ann.click(result, "Full report")  # the result's own way to the report
    assert opens(full) == [f"{WEBAPP_URL}/checks/{check_id}"]
    assert bot_app.telegram.refused == []


async def test_a_russian_speaker_sees_the_button_in_russian(
    bot_app: BotApp, worker: Worker
) -> None:
    ivan = await seeded(bot_app, "ivan@example.com", language_code="ru")
    result, _file_id, check_id = await checked(ivan)
    assert result.buttons[0][1] == Button("🌐 Открыть", web_app=f"{WEBAPP_URL}/checks/{check_id}")
    files = await ivan.files()
    assert files.buttons[-1] == [Button("🌐 Открыть", web_app=f"{WEBAPP_URL}/")]


@pytest.mark.parametrize("webapp_url", [""])
async def test_without_webapp_url_no_screen_and_no_email_has_a_way_to_the_mini_app(
    bot_app: BotApp, worker: Worker
) -> None:
    bea = await seeded(bot_app, "bea@example.com")
    result, _file_id, _check_id = await checked(bea)
    assert [b.text for b in result.buttons[0]] == ["Full report"]
    files = await bea.files()
    card = await bea.click(files, files.buttons[0][0].text)
    report = await bea.click(card, "Report")
    assert [opens(screen) for screen in (result, files, card, report)] == [[], [], [], []]
    assert [b.text for b in card.buttons[2]] == ["History"]
    assert [b.text for b in report.buttons[-1]] == ["« Back"]
    mail = await bot_app.smtp.wait_for("bea@example.com")
    assert "doors.py" in body_text(mail)
    assert "browser" not in body_text(mail)
    assert "browser" not in html_text(body_html(mail))
    assert "/r/" not in body_html(mail)


# --- the chat menu button, set when the Telegram side starts ---------------------------------

Side = Polling | Webhook


@asynccontextmanager
async def started(mode: str, resources: Resources, telegram: FakeTelegram) -> AsyncIterator[None]:
    """The Telegram side of `reviewbot run` (polling) or `reviewbot bot` with WEBHOOK_URL,
    started against the fake server until it polls or has set its webhook, then stopped."""
    settings = resources.settings
    if mode == "webhook":
        settings = settings.model_copy(
            update={
                "webhook_url": "https://bot.example.com/hook",
                "webhook_secret": SecretStr("s" * 32),
            }
        )
    async with open_bot(resources, telegram.token) as runtime:
        link: TelegramLink = connect_bot(settings, runtime.bot)
        side: Side
        ready: Callable[[], bool]
        if mode == "webhook":
            side = Webhook(runtime.bot, runtime.dispatcher, link, settings, resources.translations)
            ready = lambda: telegram.webhook is not None  # noqa: E731
        else:
            side = Polling(runtime, link, resources)
            # a getUpdates is on its way (recorded only once answered)
            ready = lambda: telegram.world.polls.served > 0  # noqa: E731
        task = asyncio.create_task(side.run())
        try:
            await wait_until(lambda: ready() or task.done(), f"the {mode} side to start", 20)
            assert not task.done(), task
            yield
        finally:
            await side.stop(task)


async def set_by_an_earlier_deployment(telegram: FakeTelegram) -> None:
    bot = make_bot(telegram)
    try:
        button = MenuButtonWebApp(text="Open", web_app=WebAppInfo(url="https://old.example.com/"))
        assert await bot.set_chat_menu_button(menu_button=button)
    finally:
        await bot.session.close()
    telegram.requests.clear()  # what the bot itself calls is what is checked


async def menu_button(telegram: FakeTelegram) -> dict[str, object]:
    bot = make_bot(telegram)
    try:
        shown = await bot.get_chat_menu_button()
    finally:
        await bot.session.close()
    return shown.model_dump(exclude_none=True)


MODES = ["polling", "webhook"]
# The menu button is not about storage: one stack (docs/testing.md), the one of the fast tier.
one_stack = pytest.mark.parametrize("stack", [EMBEDDED], indirect=True)


@one_stack
@pytest.mark.parametrize("mode", MODES)
async def test_the_menu_button_opens_the_mini_app_from_the_start(
    mode: str, resources: Resources, fake_telegram: FakeTelegram
) -> None:
    async with started(mode, resources, fake_telegram):
        assert await menu_button(fake_telegram) == {
            "type": "web_app",
            "text": "Open",
            "web_app": {"url": f"{WEBAPP_URL}/"},
        }
    (call,) = fake_telegram.calls("setChatMenuButton")
    assert "chat_id" not in call.params  # every private chat's default, not one chat's
    methods = [r.method for r in fake_telegram.requests]
    assert methods.index("setMyCommands") < methods.index("setChatMenuButton")


@one_stack
@pytest.mark.parametrize("webapp_url", [""])
@pytest.mark.parametrize("mode", MODES)
async def test_without_webapp_url_the_menu_button_is_left_alone(
    mode: str, resources: Resources, fake_telegram: FakeTelegram
) -> None:
    async with started(mode, resources, fake_telegram):
        pass
    assert fake_telegram.calls("setChatMenuButton") == []
    assert await menu_button(fake_telegram) == {"type": "default"}


@one_stack
@pytest.mark.parametrize("webapp_url", [""])
@pytest.mark.parametrize("mode", MODES)
async def test_without_webapp_url_a_mini_app_menu_button_left_behind_is_put_back(
    mode: str, resources: Resources, fake_telegram: FakeTelegram
) -> None:
    await set_by_an_earlier_deployment(fake_telegram)
    async with started(mode, resources, fake_telegram):
        pass
    (call,) = fake_telegram.calls("setChatMenuButton")
    assert call.params["menu_button"] == {"type": "default"}
    assert await menu_button(fake_telegram) == {"type": "default"}


# --- the signed link in result emails --------------------------------------------------------


def read_link_in(mail_text: str) -> tuple[str, str]:
    found = LINK.search(mail_text)
    assert found is not None, mail_text
    return found[1], found[2]


async def emailed_link(app: BotApp, person: Person) -> tuple[str, int, datetime, datetime]:
    """The token of the link in the result email of a fresh upload, its check, when the
    email was asked for and when the link expires (as the email says, to the minute)."""
    asked = utcnow()
    _result, _file_id, check_id = await checked(person)
    mail = await app.smtp.wait_for(person.email)
    url, until = read_link_in(body_text(mail))
    assert url.startswith(f"{WEBAPP_URL}/r/")
    html = body_html(mail)
    assert f'<a href="{url}">{url}</a>' in html
    assert f"Open this report in a browser: {url}" in html_text(html)
    assert f"The link is valid until {until} UTC." in html_text(html)
    token = url.removeprefix(f"{WEBAPP_URL}/r/")
    claim = read_link(token)
    assert claim is not None
    expires = datetime.fromtimestamp(claim.expires, UTC)
    assert until == expires.strftime("%Y-%m-%d %H:%M")
    return token, check_id, asked, expires


@pytest.mark.parametrize("report_link_secret", ["", "a secret of the operator's"])
async def test_the_result_email_links_to_its_report_for_report_link_days(
    bot_app: BotApp, worker: Worker, report_link_secret: str
) -> None:
    cy = await seeded(bot_app, "cy@example.com")
    token, check_id, asked, expires = await emailed_link(bot_app, cy)
    days = timedelta(days=REPORT_LINK_DAYS)
    assert asked + days - timedelta(seconds=1) <= expires <= utcnow() + days

    key = link_key(report_link_secret, bot_app.telegram.token)
    async with bot_app.session_factory() as session:
        owned = await report_by_link(session, key, token, now=utcnow())
        assert (owned.report.check_id, owned.report.file_name) == (check_id, "doors.py")
        # valid until the moment it says, not after
        await report_by_link(session, key, token, now=expires - timedelta(seconds=1))
        with pytest.raises(FileNotFoundForUserError):
            await report_by_link(session, key, token, now=expires)
        # a changed token, or another key, opens nothing: a new REPORT_LINK_SECRET, a new bot
        # token (when the key is derived from it), or the token's key once a secret is set
        changed = token[:-1] + ("A" if token[-1] != "A" else "B")
        rotated = link_key("another secret" if report_link_secret else "", "123:other-token")
        refused = [(key, changed), (rotated, token)]
        if report_link_secret:
            refused.append((link_key("", bot_app.telegram.token), token))
        for wrong_key, wrong_token in refused:
            with pytest.raises(FileNotFoundForUserError):
                await report_by_link(session, wrong_key, wrong_token, now=utcnow())


async def test_after_forget_the_emailed_link_opens_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    dee = await seeded(bot_app, "dee@example.com")
    token, _check_id, _asked, _expires = await emailed_link(bot_app, dee)
    key = link_key("", bot_app.telegram.token)
    async with bot_app.session_factory() as session:
        await report_by_link(session, key, token, now=utcnow())
    done = await dee.click(await dee.say("/forget"), "Yes, delete everything")
    assert "deleted" in done.text
    async with bot_app.session_factory() as session:
        with pytest.raises(FileNotFoundForUserError):
            await report_by_link(session, key, token, now=utcnow())
