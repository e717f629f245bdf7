"""A registered person pastes code in the chat: it is reviewed as a file `snippet-<n>.py` (a
`pre` block or text fenced with ```), and a block replied to its result makes its next version.
"""

import asyncio
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import FileAction, FileCallback, ReportAction, ReportCallback
from checks.worker import Worker
from core.config import Settings
from core.errors import FileNameTakenError
from core.models import Check, File, FileVersion, TelegramAccount
from core.services import files, quotas, snippets
from core.team_models import NoticeKind, ReviewComment, ReviewNotice
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.people import seeded
from tests.support.pipeline import ruff_oracle_count, seed_uploads
from tests.support.results import assert_result, issues
from tests.support.review_notices import add_notices
from tests.support.review_team import review_team
from tests.support.smtp import code_in

# Small, so that a block over it is easy to paste; what is tested is that a block and a
# document are held to one limit and answered alike.
LIMIT = 400
HINT = (
    "Send me a .py file as a document, or paste code as a code block (between ``` lines), "
    "to review it. /help lists the commands."
)
# Version 1: an unused import (F401) and an unused local (F841); version 2 fixes the import,
# keeps the local and brings an undefined name (F821). As a chat message: no final line break.
V1 = "import os\n\n\ndef f():\n    unused = 1"
V2 = "def f():\n    unused = 1\n    return undefined_name"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_upload_bytes": LIMIT})


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


async def _paste(
    person: Person, code: str, *, before: str = "", reply_to: BotOutput | None = None
) -> BotOutput:
    """Send `before` and then `code` as a `pre` block (as Telegram's apps send a pasted block);
    return the bot's answer."""
    entity = {"type": "pre", "offset": _utf16(before), "length": _utf16(code)}
    await person.chat.send_formatted(before + code, [entity], reply_to=reply_to)
    return await person.chat.next_screen()


async def _files(app: BotApp) -> list[File]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(File).order_by(File.id)))


async def _contents(app: BotApp, file_id: int) -> list[bytes]:
    async with app.session_factory() as session:
        query = select(FileVersion.content).where(FileVersion.file_id == file_id)
        return list(await session.scalars(query.order_by(FileVersion.number)))


async def _stored_count(app: BotApp) -> int:
    async with app.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(FileVersion)) or 0


async def test_a_pasted_block_is_reviewed_and_a_reply_makes_version_two(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ada = await bot_app.registered("ada@example.com")
    got = await _paste(ada, V1, before="Could you look at this?\n")
    assert got.text == (
        "Got snippet-1.py. It is queued for review.\nThe result will come here and by email."
    )
    [file] = await _files(bot_app)
    assert (file.name, file.current_version) == ("snippet-1.py", 1)  # its status: the worker's
    assert await _contents(bot_app, file.id) == [V1.encode() + b"\n"]  # the block, nothing else

    first = await ada.chat.next_screen()
    expected = ruff_oracle_count(V1.encode() + b"\n", tmp_path)
    assert expected == 2
    assert_result(first, "snippet-1.py", 1, issues(expected))

    replaced = await _paste(ada, V2, reply_to=first)
    assert "Replaced snippet-1.py: version 2 is queued for review." in replaced.text
    second = await ada.chat.next_screen()
    result = assert_result(
        second, "snippet-1.py", 2, issues(ruff_oracle_count(V2.encode() + b"\n", tmp_path))
    )
    assert result.rest[0] == "1 fixed, 1 new since version 1"
    assert [f.name for f in await _files(bot_app)] == ["snippet-1.py"]

    # Its history and report are any file's.
    card = await ada.click(await ada.files(), "snippet-1.py · v2 · ✅")
    history = await ada.click(card, "History")
    assert history.text.splitlines()[0] == "History of snippet-1.py: 2 versions, newest first."
    report = await ada.click(second, "Full report")
    assert "snippet-1.py" in report.text
    assert "F821" in report.text

    # Fenced text (no entity: an app that sends the backticks as they are) is a new snippet.
    fenced = await ada.say("and this one:\n```python\nimport sys\n```\nthanks")
    assert "Got snippet-2.py." in fenced.text
    assert_result(await ada.chat.next_screen(), "snippet-2.py", 1, issues(1))
    [_, second_file] = await _files(bot_app)
    assert await _contents(bot_app, second_file.id) == [b"import sys\n"]


async def test_a_reply_to_the_file_card_makes_its_next_version(bot_app: BotApp) -> None:
    bea = await bot_app.registered("bea@example.com")
    await bea.upload("tool.py", b"x = 1\n")
    card = await bea.click(await bea.files(), "tool.py · v1 · 🆕")
    answer = await _paste(bea, "x = 2", reply_to=card)
    assert "Replaced tool.py: version 2 is queued for review." in answer.text
    [file] = await _files(bot_app)
    assert await _contents(bot_app, file.id) == [b"x = 1\n", b"x = 2\n"]


async def test_plain_text_and_inline_code_get_the_hint(bot_app: BotApp) -> None:
    cid = await bot_app.registered("cid@example.com")
    assert (await cid.say("hello")).text == HINT
    await cid.chat.send_formatted("use x = 1", [{"type": "code", "offset": 4, "length": 5}])
    assert (await cid.chat.next_screen()).text == HINT
    assert await _stored_count(bot_app) == 0


async def test_several_blocks_take_the_first_and_an_empty_block_stores_nothing(
    bot_app: BotApp,
) -> None:
    dan = await bot_app.registered("dan@example.com")
    empty = await dan.say("```python\n\n```")
    assert empty.text == (
        "This code block is empty: there is nothing to review. Paste the code inside it."
    )
    assert await _stored_count(bot_app) == 0

    several = await dan.say("```a = 1```\n```b = 2```\n```c = 3```")
    assert "Got snippet-1.py." in several.text
    assert several.text.endswith(
        "Only the first code block was taken: 2 more were left out. Send each on its own."
    )
    [file] = await _files(bot_app)
    assert await _contents(bot_app, file.id) == [b"a = 1\n"]


async def test_russian_answers(bot_app: BotApp) -> None:
    ivan = await seeded(bot_app, "ivan@example.com", language_code="ru")
    hint = await ivan.say("привет")
    assert hint.text == (
        "Отправьте мне файл .py документом или вставьте код блоком кода (между строками ```), "
        "и я его проверю. Список команд — /help."
    )
    several = await ivan.say("```a = 1``` ```b = 2```")
    assert "snippet-1.py" in several.text
    assert several.text.endswith(
        "Взят только первый блок кода, ещё 1 не взят: отправляйте по одному блоку в сообщении."
    )
    empty = await ivan.say("``` ```")
    assert empty.text == "Этот блок кода пуст: проверять нечего. Вставьте код внутрь блока."


async def test_an_address_and_a_code_sent_as_blocks_go_to_registration(bot_app: BotApp) -> None:
    eve = bot_app.person("eve@example.com")
    await eve.say("/start")
    asked = await _paste(eve, "eve@example.com")
    assert "code" in asked.text
    assert "eve@example.com" in asked.text
    mail = await bot_app.smtp.wait_for("eve@example.com", count=1)
    confirmed = await _paste(eve, code_in(mail))
    assert "is confirmed" in confirmed.text
    assert await _stored_count(bot_app) == 0

    # The same at /login, from a second Telegram account of the same person.
    other = bot_app.person("eve@example.com")
    await other.say("/login")
    asked = await _paste(other, "eve@example.com")
    assert "code" in asked.text
    mail = await bot_app.smtp.wait_for("eve@example.com", count=2)
    signed_in = await _paste(other, code_in(mail))
    assert "eve@example.com" in signed_in.text
    assert await _stored_count(bot_app) == 0


async def test_a_block_from_an_unregistered_person_points_to_start(bot_app: BotApp) -> None:
    stranger = bot_app.person("nobody@example.com")
    answer = await _paste(stranger, "x = 1")
    assert "send /start to register" in answer.text
    assert await _stored_count(bot_app) == 0


async def test_foreign_ids_in_the_replied_buttons_make_a_new_snippet(
    bot_app: BotApp, worker: Worker
) -> None:
    owner = await bot_app.registered("own@example.com")
    await _paste(owner, "import os")
    assert_result(await owner.chat.next_screen(), "snippet-1.py", 1)
    async with bot_app.session_factory() as session:
        [(their_file, their_check)] = (
            await session.execute(
                select(File.id, Check.id)
                .join(FileVersion, FileVersion.file_id == File.id)
                .join(Check, Check.version_id == FileVersion.id)
            )
        ).all()

    mallory = await bot_app.registered("mal@example.com")
    # Messages of the bot in Mallory's chat whose buttons name the owner's check and file.
    for named in (
        ReportCallback(action=ReportAction.OPEN, check_id=their_check),
        FileCallback(action=FileAction.REPLACE, file_id=their_file),
    ):
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data=named.pack())]]
        )
        await bot_app.bot.send_message(mallory.chat.chat_id, "forged", reply_markup=markup)
        forged = await mallory.chat.next_screen()
        answer = await _paste(mallory, "print('mine')", reply_to=forged)
        assert "Got snippet-" in answer.text, answer.text

    files_now = await _files(bot_app)
    assert [(f.name, f.current_version) for f in files_now] == [
        ("snippet-1.py", 1),
        ("snippet-1.py", 1),
        ("snippet-2.py", 1),
    ]
    assert await _contents(bot_app, their_file) == [b"import os\n"]
    assert {f.user_id for f in files_now[1:]} != {files_now[0].user_id}


async def test_a_block_replied_to_a_review_notice_stays_a_comment(bot_app: BotApp) -> None:
    """Replies to a submission's notice are the reviewer's comments, code blocks too; only a
    block replied to anything else goes on to be pasted code."""
    scene, people = await review_team(bot_app)
    rob = people["Rob"]
    [telegram_notice, _email] = await add_notices(
        bot_app.session_factory, scene, NoticeKind.SUBMITTED, to=["Rob"], actor="Mia"
    )
    stand_in = await bot_app.bot.send_message(rob.chat.chat_id, "📤 A submission (stand-in)")
    notice = await rob.chat.next_screen()
    async with bot_app.session_factory() as session:
        await session.execute(
            update(ReviewNotice)
            .where(ReviewNotice.id == telegram_notice)
            .values(chat_id=rob.chat.chat_id, message_id=stand_in.message_id)
        )
        await session.commit()
    files_before = [f.id for f in await _files(bot_app)]

    answer = await _paste(rob, "total = sum(values)", before="Simpler:\n", reply_to=notice)
    assert answer.text.startswith("💬 Saved as a general comment."), answer.text
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(ReviewComment.body)) == "Simpler:\ntotal = sum(values)"
    assert [f.id for f in await _files(bot_app)] == files_before

    # The same block replied to a message of the bot that is no notice: pasted code.
    other = await rob.files()
    assert "Got snippet-1.py." in (await _paste(rob, "total = 1", reply_to=other)).text


async def test_a_block_too_large_is_answered_as_a_document_too_large(bot_app: BotApp) -> None:
    fay = await bot_app.registered("fay@example.com")
    code = "# " + "x" * (LIMIT - 2)  # the limit and its line break: one byte too many
    document = await fay.upload("big.py", code.encode() + b"\n")
    pasted = await _paste(fay, code)
    assert pasted.text == document.text == f"This file is too large: the limit is {LIMIT} bytes."
    assert await _stored_count(bot_app) == 0

    assert "Got snippet-1.py." in (await _paste(fay, code[:-1])).text  # exactly the limit


@pytest.mark.parametrize(
    ("code", "message"),
    [("x = 1\x00", "contains NUL bytes"), ("s = '\ud800'", "not UTF-8 text")],
)
async def test_a_block_is_held_to_the_content_rules_of_documents(
    bot_app: BotApp, code: str, message: str
) -> None:
    gus = await bot_app.registered("gus@example.com")
    assert message in (await _paste(gus, code)).text
    assert await _stored_count(bot_app) == 0


async def test_snippet_numbers_are_never_reused_and_a_race_takes_two_names(
    bot_app: BotApp,
) -> None:
    """The service itself: a deleted snippet keeps its number, a document's name counts, and
    two pastes at once get two names (the one that loses the race takes the next number)."""
    await seed_uploads(bot_app.session_factory, {"snippet-7.py": b"x = 1\n"}, telegram_id=501)
    async with bot_app.session_factory() as session:
        uploader = await _uploader(session, 501)
        [file] = await session.scalars(select(File))
        await files.delete_file(session, uploader.user_id, file.id, telegram_id=501)

    async def paste(code: bytes) -> str:
        async with bot_app.session_factory() as session:
            stored = await snippets.store_snippet(
                session,
                uploader,
                code,
                limits=quotas.StorageLimits.of(bot_app.settings),
                max_bytes=LIMIT,
                wakeup=bot_app.resources.wakeup,
            )
            return stored.name

    # Both pastes read the next number (8) while another upload of the person holds the lock
    # that storing takes; then it ends, and they store one after the other.
    async with bot_app.session_factory() as blocker:
        await quotas.lock_owner(blocker, uploader.user_id)
        racing = [asyncio.create_task(paste(code)) for code in (b"a = 1\n", b"b = 2\n")]
        await _both_wait_for_the_lock(blocker)
        await blocker.commit()
    assert sorted(await asyncio.gather(*racing)) == ["snippet-8.py", "snippet-9.py"]
    assert await paste(b"c = 3\n") == "snippet-10.py"


async def _uploader(session: AsyncSession, telegram_id: int) -> files.Uploader:
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_id == telegram_id)
    )
    assert account is not None
    assert account.user_id is not None
    return files.Uploader(account.user_id, account.id, account.telegram_id)


async def _both_wait_for_the_lock(session: AsyncSession) -> None:
    """PostgreSQL shows the two sessions waiting for the lock; SQLite shows nothing (they wait
    in its busy handler, for up to five seconds), so there a moment is given."""
    if session.get_bind().dialect.name != "postgresql":
        await asyncio.sleep(0.5)
        return
    for _ in range(200):
        await session.execute(text("SELECT pg_stat_clear_snapshot()"))  # kept per transaction
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        if waiting == 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the two pastes never waited for the lock")


async def test_a_new_file_only_upload_refuses_a_taken_name(bot_app: BotApp) -> None:
    """What makes the race above safe: storing a new snippet never replaces a file."""
    await seed_uploads(bot_app.session_factory, {"snippet-1.py": b"x = 1\n"}, telegram_id=502)
    async with bot_app.session_factory() as session:
        uploader = await _uploader(session, 502)
        with pytest.raises(FileNameTakenError):
            await files.store_upload(
                session,
                uploader,
                name="snippet-1.py",
                content=b"y = 2\n",
                telegram_file_id=None,
                limits=quotas.StorageLimits.of(bot_app.settings),
                new_file_only=True,
            )
    [file] = await _files(bot_app)
    assert await _contents(bot_app, file.id) == [b"x = 1\n"]
