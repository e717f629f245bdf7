"""/forget: a person deletes their account; nothing of theirs is left in any table, nobody
else's data changes, their chats forget what they were doing, and a check or result on its way
at that moment is dropped without an error."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import select

from checks import outbox
from checks.check_job import CheckJob
from checks.outbox import RetryPolicy
from core.clock import ManualClock
from core.delivery import DeliveryError
from core.models import (
    Base,
    CheckState,
    DeliveryChannel,
    DeliveryStatus,
    FileVersion,
    User,
)
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import Resources, open_worker
from tests.conftest import FAST_RETRY
from tests.fake_telegram import BotOutput, FakeTelegram
from tests.support.app import BotApp, Person, running_bot_app
from tests.support.pipeline import wait_for_delivery
from tests.support.results import assert_result, is_result
from tests.support.smtp import SmtpSink

Row = tuple[str, ...]

OWN_CONFIG = b'[lint]\nselect = ["E", "F", "W"]\n'  # Ann's alone
SHARED_CONFIG = b'[lint]\nselect = ["F"]\n'  # Ann's first, and Bob's
ANN_SOURCE = b"import os\nANN_MARKER = 'ann-private-code'\n"


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, moved past the pause between two codes to one chat when needed."""
    return ManualClock()


@pytest.fixture
def storages() -> list[BaseStorage]:
    return []


@pytest_asyncio.fixture
async def bot_app(
    resources: Resources,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    storages: list[BaseStorage],
) -> AsyncIterator[BotApp]:
    """As conftest's, keeping the dispatcher's FSM storage for the test to look into."""
    async with running_bot_app(resources, session_factory, fake_telegram, smtp_server) as app:
        storages.append(app.storage)
        yield app


async def _reviewed(person: Person, name: str, content: bytes) -> BotOutput:
    assert f" {name}" in (await person.upload(name, content)).text
    result = await person.chat.next_screen(timeout=30)
    assert_result(result, name)
    return result


async def _use_config(person: Person, content: bytes) -> None:
    await person.click(await person.say("/rules"), "📄 Use my configuration")
    saved = await person.upload("ruff.toml", content)
    assert "is saved" in saved.text, saved.text


async def _log_in(person: Person) -> None:
    code = await person.ask_code("/login")
    assert "You are signed in" in (await person.say(code)).text


async def _all_rows(session_factory: SessionFactory) -> dict[str, list[dict[str, Any]]]:
    async with session_factory() as session:
        return {
            table.name: [dict(row._mapping) for row in await session.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def _key(row: dict[str, Any]) -> Row:
    return tuple(f"{name}={value!r}" for name, value in sorted(row.items()))


def _theirs(
    rows: dict[str, list[dict[str, Any]]], user_id: int, email: str, telegram_ids: set[int]
) -> dict[str, set[Row]]:
    """Every row of the user: what leads to their user row through foreign keys, every row
    that holds their address or one of their Telegram ids, and the review configuration only
    they used (their current one, in this story)."""
    owned: dict[str, set[Any]] = {table.name: set() for table in Base.metadata.sorted_tables}
    owned["users"].add(user_id)
    [user] = [row for row in rows["users"] if row["id"] == user_id]
    owned["review_configs"].add(user["ruff_config_hash"])
    grown = True
    while grown:
        grown = False
        for table in Base.metadata.sorted_tables:
            [key_column] = table.primary_key.columns
            for row in rows[table.name]:
                if row[key_column.name] in owned[table.name]:
                    continue
                for column in table.columns:
                    for foreign_key in column.foreign_keys:
                        target = foreign_key.column.table.name
                        if target != "review_configs" and row[column.name] in owned[target]:
                            owned[table.name].add(row[key_column.name])
                            grown = True
    theirs: dict[str, set[Row]] = {}
    for table in Base.metadata.sorted_tables:
        [key_column] = table.primary_key.columns
        theirs[table.name] = {
            _key(row)
            for row in rows[table.name]
            if row[key_column.name] in owned[table.name] or _mentions(row, email, telegram_ids)
        }
    return theirs


def _mentions(row: dict[str, Any], email: str, telegram_ids: set[int]) -> bool:
    return any(
        (isinstance(value, str) and email in value.lower())
        or (isinstance(value, bytes) and b"ann-private-code" in value)
        or (isinstance(value, int) and value in telegram_ids)
        for value in row.values()
    )


async def _fsm(storage: BaseStorage, bot_id: int, person: Person) -> tuple[Any, Any]:
    key = StorageKey(bot_id=bot_id, chat_id=person.chat.chat_id, user_id=person.chat.id)
    return await storage.get_state(key), await storage.get_data(key)


async def test_forget_deletes_every_row_of_theirs_and_leaves_others_untouched(
    bot_app: BotApp, storages: list[BaseStorage], clock: ManualClock
) -> None:
    ann = await bot_app.registered("ann@example.com")
    ann_phone = bot_app.person("ann@example.com")
    await ann_phone.say("/start")  # a code to someone else's address first
    assert "code" in (await ann_phone.say("carl@example.com")).text
    await ann_phone.say("/cancel")
    clock.advance(timedelta(seconds=61))
    await _log_in(ann_phone)
    assert "signed in from another" in (await ann.chat.next_screen()).text  # ann is told
    bob = await bot_app.registered("bob@example.com")
    async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY, identity="w"):
        await _use_config(ann, SHARED_CONFIG)
        await _reviewed(ann, "ann_notes.py", ANN_SOURCE)
        await _use_config(ann, OWN_CONFIG)
        await _reviewed(ann, "ann_notes.py", ANN_SOURCE + b"x = 1 \n")
        await _reviewed(ann_phone, "ann_old.py", ANN_SOURCE)
        await _use_config(bob, SHARED_CONFIG)
        await _reviewed(bob, "bob.py", b"import sys\n")
        for channel in DeliveryChannel:  # every result sent: nothing is pending
            await wait_for_delivery(
                bot_app.session_factory, channel, DeliveryStatus.SENT, count=4, timeout=30
            )
    old = await ann_phone.click(await ann_phone.files(), "ann_old.py · v1 · ✅")
    await ann_phone.click(await ann_phone.click(old, "Delete"), "Yes, delete")
    card = await ann_phone.click(await ann_phone.files(), "ann_notes.py · v2 · ✅")
    assert "Send the new version" in (await ann_phone.click(card, "Replace")).text
    [storage] = storages
    assert (await _fsm(storage, bot_app.bot.id, ann_phone))[0] is not None

    async with bot_app.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "ann@example.com"))
    assert user_id is not None
    telegram_ids = {ann.chat.id, ann_phone.chat.id}
    before = await _all_rows(bot_app.session_factory)
    theirs = _theirs(before, user_id, "ann@example.com", telegram_ids)
    assert len(theirs["file_versions"]) == 3
    assert len(theirs["deliveries"]) == 6
    assert len(theirs["email_confirmations"]) == 3
    # The code her phone asked for Carl stays (his address's hourly limit counts it), without
    # her Telegram id.
    [for_carl] = [
        row for row in before["email_confirmations"] if row["email"] == "carl@example.com"
    ]
    kept_for_carl = _key({**for_carl, "telegram_id": 0})
    assert len(theirs["review_configs"]) == 1  # her own; the one Bob uses too is not hers

    asked = await ann.say("/forget")
    assert asked.text.startswith("Delete the account ann@example.com and everything stored")
    assert asked.button_texts() == ["Yes, delete everything", "No, keep my account"]
    done = await ann.click(asked, "Yes, delete everything")
    assert done.text.splitlines() == [
        "Done: the account ann@example.com is deleted, with 2 files, 3 versions and 3 checks "
        "and their deliveries. Nothing of it is left with me.",
        "2 Telegram accounts were signed out.",
        "Send /start to register again.",
    ]
    assert done.button_texts() == []

    after = await _all_rows(bot_app.session_factory)
    for table in Base.metadata.sorted_tables:
        left = {_key(row) for row in after[table.name]}
        expected = {_key(row) for row in before[table.name]} - theirs[table.name]
        if table.name == "email_confirmations":
            expected.add(kept_for_carl)
        assert left == expected, table.name
        for row in after[table.name]:
            assert not _mentions(row, "ann@example.com", telegram_ids), (table.name, row)
    for person in (ann, ann_phone):
        assert await _fsm(storage, bot_app.bot.id, person) == (None, {})

    # Her chats are strangers now; Bob's account is as it was.
    assert (await ann_phone.say("/files")).text.startswith("You need an account first")
    assert (await ann_phone.say("/start")).text.startswith("Hi! I review Python files")
    assert (await bob.files()).button_texts() == ["bob.py · v1 · ✅"]


def held_ruff(folder: Path, gate: Path) -> str:
    """The real ruff, whose checks wait until `gate` exists (at most a minute)."""
    wrapper = folder / "ruff-held.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = check ]; then\n'
        "  tries=600\n"
        f'  while [ ! -e "{gate}" ] && [ "$tries" -gt 0 ]; do\n'
        "    sleep 0.1; tries=$((tries - 1))\n"
        "  done\n"
        "fi\n"
        f'exec "{RuffRunner().ruff_path}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


async def _wait_until_claimed(session_factory: SessionFactory, count: int) -> None:
    for _ in range(600):
        async with session_factory() as session:
            claimed = await session.scalars(
                select(FileVersion.id).where(FileVersion.check_state == CheckState.CLAIMED)
            )
            if len(list(claimed)) >= count:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} versions were not claimed")


async def test_forget_drops_her_waiting_results_and_her_check_on_its_way(
    bot_app: BotApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ann = await bot_app.registered("ann@example.com")
    bob = await bot_app.registered("bob@example.com")
    factory = bot_app.session_factory
    await ann.upload("ann_first.py", ANN_SOURCE)
    checked = CheckJob(session_factory=factory, runner=RuffRunner(), worker_id="first")
    assert await checked() == 1  # her result waits in the outbox: no delivery job runs yet

    await ann.upload("ann_second.py", ANN_SOURCE)
    await bob.upload("bob.py", b"import sys\n")
    gate = tmp_path / "gate"
    held = CheckJob(
        session_factory=factory,
        runner=RuffRunner(ruff_path=held_ruff(tmp_path, gate)),
        worker_id="held",
    )
    with caplog.at_level(logging.DEBUG):
        running = asyncio.create_task(held())
        await _wait_until_claimed(factory, 2)  # hers and Bob's, in ruff together
        done = await ann.click(await ann.say("/forget"), "Yes, delete everything")
        assert done.text.startswith("Done: the account ann@example.com is deleted, with 2 files")
        gate.touch()
        assert await asyncio.wait_for(running, timeout=60) == 2
        async with open_worker(bot_app.resources, bot_app.bot, retry=FAST_RETRY, identity="w"):
            for channel in DeliveryChannel:
                await wait_for_delivery(factory, channel, DeliveryStatus.SENT, timeout=30)
            result = await bob.chat.next_screen(timeout=30)
            assert_result(result, "bob.py", 1)

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    rows = await _all_rows(factory)
    assert [row["email"] for row in rows["users"]] == ["bob@example.com"]
    assert len(rows["file_versions"]) == len(rows["checks"]) == 1  # Bob's
    assert all(row["status"] == DeliveryStatus.SENT for row in rows["deliveries"])
    assert len(rows["deliveries"]) == 2
    assert not [o for o in ann.chat.consume_all() if is_result(o.text)]
    to_ann = [m for m in bot_app.smtp.messages if "ann@example.com" in str(m["To"])]
    assert [str(m["Subject"]).split(":")[0] for m in to_ann] == ["Your reviewbot code"]


async def test_forget_asks_first_and_a_replayed_button_deletes_nothing(bot_app: BotApp) -> None:
    stranger = bot_app.person("sam@example.com")
    assert (await stranger.say("/forget")).text.startswith("You are not signed in here")

    ann = await bot_app.registered("ann@example.com")
    await ann.upload("ann_notes.py", ANN_SOURCE)
    asked = await ann.say("/forget")
    kept = await ann.click(asked, "No, keep my account")
    assert kept.text == "Nothing was deleted: your account and files stay."
    assert kept.button_texts() == []
    assert (await ann.files()).button_texts() == ["ann_notes.py · v1 · 🆕"]

    # Ann's "Yes" button, pressed by someone else (or by whoever signs in to this chat later).
    [confirm] = [b.callback_data for row in asked.buttons for b in row if b.text.startswith("Yes")]
    assert confirm is not None
    thief = await bot_app.registered("thief@example.com")
    await thief.chat.click_data(await thief.say("/help"), confirm)
    answer = await thief.chat.next_screen()
    assert (answer.kind, answer.text, answer.show_alert) == (
        "callback_answer",
        "This button was for an account no longer signed in here: nothing was deleted.",
        True,
    )
    rows = await _all_rows(bot_app.session_factory)
    assert sorted(row["email"] for row in rows["users"]) == [
        "ann@example.com",
        "thief@example.com",
    ]
    assert len(rows["file_versions"]) == 1


async def test_help_says_what_is_stored_for_how_long_and_how_to_forget(bot_app: BotApp) -> None:
    text = (await bot_app.person("sam@example.com").say("/help")).text
    assert "/forget — delete your account and everything stored for it" in text
    assert "What I store: your email address; the ids, chats and language" in text
    assert "every file you send, with every version; every check" in text
    assert "For how long: until you /forget. Deleting a file takes it off your list, but " in text


async def test_a_delivery_deleted_on_its_way_is_skipped_not_recorded(
    session_factory: SessionFactory,
) -> None:
    """What the delivery job meets when /forget deleted a delivery it had claimed."""
    gone = 999_999
    async with session_factory() as session:
        assert await outbox.delivery_targets(session, [gone]) == []
        failure = DeliveryError("Telegram answered 500", retry_after=None)
        assert (
            await outbox.record_failure(session, gone, failure, RetryPolicy(), worker_id="w")
            is None
        )
        await outbox.record_sent(session, [gone], worker_id="w")  # marks nothing, raises nothing
