"""A person sees and changes only their own files, whatever callback data they send."""

from sqlalchemy import func, select

from core.models import File, FileStatus, FileVersion
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person


def _data(*screens: BotOutput) -> list[str]:
    return [
        button.callback_data
        for screen in screens
        for row in screen.buttons
        for button in row
        if button.callback_data is not None
    ]


async def _collect_owner_buttons(owner: Person) -> list[str]:
    """Every callback_data the owner was shown on the way through their file's screens."""
    await owner.upload("secret.py", b"TOKEN = 'owner-only'\n")
    listing = await owner.files()
    card = await owner.click(listing, "secret.py · v1 · 🆕")
    confirm = await owner.click(card, "Delete")
    card_again = await owner.click(confirm, "No, keep it")
    history = await owner.click(card_again, "History")
    return sorted(set(_data(listing, card, confirm, history)))


async def test_replayed_buttons_reveal_and_change_nothing(bot_app: BotApp) -> None:
    owner = await bot_app.registered("owner@example.com")
    stolen = await _collect_owner_buttons(owner)
    assert len(stolen) >= 7  # open, report, replace, delete, confirm, download, history, page

    thief = await bot_app.registered("thief@example.com")
    await thief.upload("mine.py", b"x = 1\n")
    base = await thief.say("/help")
    for data in stolen:
        await thief.chat.click_data(base, data)
        answer = await thief.chat.next_screen()
        if data.startswith("l:"):  # a page of a list: the thief's own list
            assert answer.button_texts() == ["mine.py · v1 · 🆕"], answer
        else:
            assert (answer.kind, answer.text, answer.show_alert) == (
                "callback_answer",
                "File not found.",
                True,
            ), data
    for output in thief.chat.outputs:
        assert "secret" not in output.text
        assert "owner-only" not in output.text
        assert output.document is None

    # The Replace replay did not arm a replacement: the next document is the thief's own file.
    assert "Got evil.py." in (await thief.upload("evil.py", b"boom = 1\n")).text
    async with bot_app.session_factory() as session:
        secret = await session.scalar(select(File).where(File.name == "secret.py"))
        assert secret is not None
        assert (secret.status, secret.current_version) == (FileStatus.NEW, 1)
        versions = await session.scalar(
            select(func.count()).select_from(FileVersion).where(FileVersion.file_id == secret.id)
        )
        assert versions == 1


async def test_forged_and_unregistered_callbacks_get_clear_answers(bot_app: BotApp) -> None:
    owner = await bot_app.registered("own2@example.com")
    stolen = await _collect_owner_buttons(owner)

    forger = await bot_app.registered("forger@example.com")
    base = await forger.files()
    for data, expected in [
        ("f:y:999999:0", "File not found."),
        ("f:o:-5:0", "File not found."),
        ("f:zz:1:0", "This button is out of date. Open /files again."),
        ("garbage", "This button is out of date. Open /files again."),
        ("l:notanumber", "This button is out of date. Open /files again."),
    ]:
        await forger.chat.click_data(base, data)
        answer = await forger.chat.next_screen()
        assert (answer.kind, answer.text) == ("callback_answer", expected), data

    stranger = bot_app.person("stranger@example.com")
    await stranger.say("/help")
    for data in stolen:
        await stranger.chat.click_data(None, data)
        answer = await stranger.chat.next_screen()
        assert "You need an account first" in answer.text, data
