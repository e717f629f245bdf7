"""A person sees and changes only their own files, whatever callback data they send."""

from sqlalchemy import func, select

from checks.worker import Worker
from core.models import Check, Delivery, File, FileStatus, FileVersion, RulePreset, User
from tests.support.app import BotApp, Person
from tests.support.presses import assert_not_found, assert_refused, callback_data, press_data
from tests.support.results import assert_result


async def _collect_owner_buttons(owner: Person) -> list[str]:
    """Every callback_data the owner was shown on the way through their file's screens."""
    await owner.upload("secret.py", b"TOKEN = 'owner-only'\n")
    listing = await owner.files()
    card = await owner.click(listing, "secret.py · v1 · 🆕")
    confirm = await owner.click(card, "Delete")
    card_again = await owner.click(confirm, "No, keep it")
    history = await owner.click(card_again, "History")
    return callback_data(listing, card, confirm, history)


async def test_replayed_buttons_reveal_and_change_nothing(bot_app: BotApp) -> None:
    owner = await bot_app.registered("owner@example.com")
    stolen = await _collect_owner_buttons(owner)
    assert len(stolen) >= 7  # open, report, replace, delete, confirm, download, history, page

    thief = await bot_app.registered("thief@example.com")
    await thief.upload("mine.py", b"x = 1\n")
    base = await thief.say("/help")
    for data in stolen:
        answer = await press_data(thief, data, on=base)
        if data.startswith("l:"):  # a page of a list: the thief's own list
            assert answer.button_texts() == ["mine.py · v1 · 🆕"], answer
        else:
            assert_not_found(answer, data)
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
        answer = await press_data(forger, data, on=base)
        assert (answer.kind, answer.text) == ("callback_answer", expected), data

    stranger = bot_app.person("stranger@example.com")
    await stranger.say("/help")
    for data in stolen:
        answer = await press_data(stranger, data)
        assert "You need an account first" in answer.text, data


async def _collect_owner_report_buttons(owner: Person) -> list[str]:
    """Every callback_data of the check screens: the result, its report and HTML document, a
    rule card, the history with its report links, and the /report log with its exports."""
    await owner.upload("secret.py", b"import os\nTOKEN = 'owner-only'\n")
    result = await owner.chat.next_screen()
    assert_result(result, "secret.py")
    report = await owner.click(result, "Full report")
    rule = next(b for row in report.buttons for b in row if (b.callback_data or "")[:4] == "k:r:")
    card = await owner.click(report, rule.text)
    listing = await owner.files()
    history = await owner.click(await owner.click(listing, "secret.py · v1 · ✅"), "History")
    log = await owner.say("/report")
    return callback_data(result, report, card, history, log)


async def test_replayed_report_buttons_reveal_and_change_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    owner = await bot_app.registered("owner3@example.com")
    shown = await _collect_owner_report_buttons(owner)
    # One check fits one page of everything: the pages after it, as a forger would write them.
    file_id = next(data.split(":")[2] for data in shown if data.startswith("f:o:"))
    stolen = [*shown, f"h:{file_id}:0:0", f"h:{file_id}:1:0", "g:p:1"]
    kinds = {":".join(data.split(":")[:2]) for data in shown}
    # report page, rule card, HTML document, three exports
    assert {"k:o", "k:r", "k:d", "g:c", "g:x", "g:j"} <= kinds, shown
    async with bot_app.session_factory() as session:
        before = (
            await session.scalar(select(func.count()).select_from(Check)),
            await session.scalar(select(func.count()).select_from(Delivery)),
        )

    thief = await bot_app.registered("thief3@example.com")
    for data in stolen:
        answer = await press_data(thief, data, on=await thief.say("/help"))
        if data.startswith(("k:", "h:")):  # a check or a file: the owner's, so not found
            assert_not_found(answer, data)
        # The log's pages and exports are the caller's own log: empty for the thief.
        assert "secret" not in answer.text, (data, answer.describe())
        assert answer.document is None, (data, answer.describe())
    for output in thief.chat.outputs:
        assert "secret" not in output.text
        assert "owner-only" not in output.text
        assert output.document is None
    async with bot_app.session_factory() as session:
        after = (
            await session.scalar(select(func.count()).select_from(Check)),
            await session.scalar(select(func.count()).select_from(Delivery)),
        )
    assert after == before


async def test_replayed_fix_mute_and_rules_buttons_reveal_and_change_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    owner = await bot_app.registered("owner4@example.com")
    # F401 has a safe fix, F841 an unsafe one: both previews, the file, Save and Mute.
    source = b"import os\nTOKEN = 'owner-only'\n\n\ndef f():\n    unused = TOKEN\n"
    await owner.upload("secret.py", source)
    result = await owner.chat.next_screen(timeout=30)
    report = await owner.click(result, "Full report")
    preview = await owner.click(report, "🛠 Fix")
    unsafe = await owner.click(preview, "⚠️ Include unsafe fixes")
    rules = await owner.say("/rules")
    stolen = callback_data(report, preview, unsafe)
    kinds = {":".join(data.split(":")[:2]) for data in stolen}
    assert {"k:m", "x:p", "x:f", "x:s"} <= kinds, stolen
    assert any(data.startswith("x:p") and data.endswith(":1:0") for data in stolen), stolen

    thief = await bot_app.registered("thief4@example.com")
    documents = len(bot_app.telegram.calls("sendDocument"))
    for data in stolen:
        await assert_refused(thief, data, on=await thief.say("/help"))
    # The /rules buttons act on the caller's own settings only: a preset answers and shows the
    # thief's own rules; "Use my configuration" asks for the thief's own.
    for data in callback_data(rules):
        await thief.chat.click_data(await thief.say("/help"), data)
        for _ in range(1 if data.startswith("u:c:") else 2):
            assert "owner" not in (await thief.chat.next_screen()).text, data
    await thief.chat.no_output(within=0.5)
    assert len(bot_app.telegram.calls("sendDocument")) == documents  # no file, no diff
    for output in thief.chat.outputs:
        assert "secret" not in output.text
        assert "owner-only" not in output.text
        assert output.document is None
    async with bot_app.session_factory() as session:
        versions = await session.scalar(select(func.count()).select_from(FileVersion))
        assert versions == 1  # Save did not store a version
        owner_row = await session.scalar(select(User).where(User.email == owner.email))
        assert owner_row is not None
        assert (owner_row.rule_preset, owner_row.muted_rules) == (RulePreset.DEFAULT, [])
