"""/files: the list, a file's card and its buttons."""

from sqlalchemy import select

from core.models import File, FileEvent, FileEventKind, FileStatus
from tests.support.app import BotApp
from tests.support.presses import button_data, press_again


async def test_empty_list_says_how_to_add_a_file(bot_app: BotApp) -> None:
    oli = await bot_app.registered("oli@example.com")
    listing = await oli.files()
    assert "You have no files yet" in listing.text
    assert listing.buttons == []


async def test_long_list_pages_and_shows_only_active_files(bot_app: BotApp) -> None:
    pam = await bot_app.registered("pam@example.com")
    for number in range(10):
        await pam.upload(f"m{number}.py", f"x = {number}\n".encode())
    listing = await pam.files()
    assert "You have 10 files. Page 1 of 2." in listing.text
    first_page = listing.button_texts()
    assert len(first_page) == 9  # eight files and "Next »"
    assert first_page[-1] == "Next »"

    second = await pam.click(listing, "Next »")
    assert second.kind == "edit"
    assert "Page 2 of 2." in second.text
    names = [t.split(" · ")[0] for t in first_page[:-1] + second.button_texts()[:-1]]
    assert sorted(names) == [f"m{n}.py" for n in range(10)]
    assert second.button_texts()[-1] == "« Previous"

    doomed = second.button_texts()[0]
    confirm = await pam.click(await pam.click(second, doomed), "Delete")
    after = await pam.click(confirm, "Yes, delete")
    assert "You have 9 files. Page 2 of 2." in after.text  # still on the page it was deleted from
    first_again = await pam.click(after, "« Previous")
    remaining = first_again.button_texts()[:-1] + after.button_texts()[:-1]
    assert len(remaining) == 9
    assert doomed not in remaining


async def test_card_shows_the_file_and_history_lists_versions(bot_app: BotApp) -> None:
    quinn = await bot_app.registered("quinn@example.com")
    await quinn.upload("calc.py", b"a = 1\n")
    await quinn.upload("calc.py", b"a = 22\n")
    card = await quinn.click(await quinn.files(), "calc.py · v2 · 🔁")
    assert card.kind == "edit"
    for line in ("calc.py", "Version: 2", "Size: 7 bytes", "Status: 🔁 replaced", "Uploaded: "):
        assert line in card.text
    assert card.button_texts() == ["Report", "Replace", "Delete", "Download", "History", "« Back"]

    history = await quinn.click(card, "History")
    assert "History of calc.py:" in history.text
    assert "v2 — " in history.text
    assert "— 7 bytes" in history.text
    assert "— 6 bytes" in history.text
    report = await quinn.click(await quinn.click(history, "« Back"), "Report")
    assert "calc.py, version 2: no check has run yet" in report.text
    back = await quinn.click(await quinn.click(report, "« Back"), "« Back")
    assert back.has_button("calc.py · v2 · 🔁")


async def test_download_returns_exactly_the_stored_bytes(bot_app: BotApp) -> None:
    rae = await bot_app.registered("rae@example.com")
    content = "# кириллица и emoji 🐍\r\nprint('tab\\t')\n".encode()
    await rae.upload("uni.py", content)
    card = await rae.click(await rae.files(), "uni.py · v1 · 🆕")
    document = await rae.click(card, "Download")
    assert document.kind == "document"
    assert document.filename == "uni.py"
    assert document.document == content
    assert document.text == "uni.py, version 1"


async def test_delete_asks_first_then_marks_the_file_deleted(bot_app: BotApp) -> None:
    sam = await bot_app.registered("sam@example.com")
    await sam.upload("keep.py", b"k = 1\n")
    await sam.upload("drop.py", b"d = 1\n")
    card = await sam.click(await sam.files(), "drop.py · v1 · 🆕")
    confirm = await sam.click(card, "Delete")
    assert "Delete drop.py?" in confirm.text
    kept = await sam.click(confirm, "No, keep it")
    assert "drop.py" in kept.text
    assert kept.has_button("Delete")

    confirm = await sam.click(kept, "Delete")
    listing = await sam.click(confirm, "Yes, delete")
    assert "Deleted drop.py." in listing.text
    assert listing.button_texts() == ["keep.py · v1 · 🆕"]

    async with bot_app.session_factory() as session:
        files = {f.name: f.status for f in await session.scalars(select(File))}
        kinds = list(await session.scalars(select(FileEvent.kind).order_by(FileEvent.id)))
    assert files == {"keep.py": FileStatus.NEW, "drop.py": FileStatus.DELETED}
    assert kinds[-1] == FileEventKind.DELETE

    # A new upload with the deleted name starts a new file at version 1.
    assert "Got drop.py." in (await sam.upload("drop.py", b"d = 2\n")).text


async def test_buttons_of_a_deleted_file_say_not_found(bot_app: BotApp) -> None:
    tia = await bot_app.registered("tia@example.com")
    await tia.upload("gone.py", b"g = 1\n")
    card = await tia.click(await tia.files(), "gone.py · v1 · 🆕")
    download_data = card.find_button("Download")
    assert download_data is not None
    assert download_data.callback_data is not None
    await tia.click(await tia.click(card, "Delete"), "Yes, delete")
    await tia.chat.click_data(None, download_data.callback_data)
    alert = await tia.chat.next_output()
    assert (alert.kind, alert.text, alert.show_alert) == (
        "callback_answer",
        "File not found.",
        True,
    )


async def test_pressing_the_button_of_the_screen_shown_changes_nothing(bot_app: BotApp) -> None:
    uri = await bot_app.registered("uri@example.com")
    name = "it's <mine> & 🐍.py"  # HTML to escape and characters beyond the BMP
    for number in range(8):
        await uri.upload(f"m{number}.py", f"x = {number}\n".encode())
    await uri.upload(name, b"x = 1\n")  # the newest: first on page 1

    second = await uri.click(await uri.files(), "Next »")
    first_page_data = button_data(second, "« Previous")
    first = await uri.click(second, "« Previous")
    assert first.kind == "edit"
    assert "Page 1 of 2." in first.text
    await press_again(uri, first, first_page_data)  # "« Previous" to the page that is shown

    open_data = button_data(first, f"{name} · v1 · 🆕")
    card = await uri.click(first, f"{name} · v1 · 🆕")
    assert card.kind == "edit"
    await press_again(uri, card, open_data)  # the same file's button, tapped twice

    report_data = button_data(card, "Report")
    report = await uri.click(card, "Report")
    await press_again(uri, report, report_data)

    history_data = button_data(card, "History")
    history = await uri.click(await uri.click(report, "« Back"), "History")
    assert f"History of {name}:" in history.text
    await press_again(uri, history, history_data)
