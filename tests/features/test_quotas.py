"""A person's storage is bounded: a few files and bytes here (MAX_FILES_PER_USER,
MAX_STORED_BYTES_PER_USER); past either, a refusal that says what to do, and nothing stored."""

import asyncio

import pytest
from sqlalchemy import func, select

from core.config import Settings
from core.errors import StorageFullError, StorageLimit
from core.models import File, FileEvent, FileVersion, TelegramAccount, User, utcnow
from core.services.files import StoredUpload, Uploader, store_upload
from core.services.quotas import StorageLimits
from infra.database import SessionFactory
from tests.support.app import BotApp, Person
from tests.support.smtp import code_in

MAX_FILES = 3
MAX_BYTES = 1000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_files_per_user": MAX_FILES, "max_stored_bytes_per_user": MAX_BYTES}
    )


async def _rows(app: BotApp) -> tuple[int, int, int]:
    """How many files, versions and file events are stored, everyone's."""
    async with app.session_factory() as session:
        return (
            await session.scalar(select(func.count()).select_from(File)) or 0,
            await session.scalar(select(func.count()).select_from(FileVersion)) or 0,
            await session.scalar(select(func.count()).select_from(FileEvent)) or 0,
        )


async def _fill_files(person: Person) -> None:
    for index in range(MAX_FILES):
        answer = await person.upload(f"m{index}.py", f"X = {index}\n".encode())
        assert f"m{index}.py" in answer.text


async def _registered_in_russian(app: BotApp, email: str) -> Person:
    person = app.person(email, language_code="ru")
    await person.say("/start")
    await person.say(email)
    code = code_in(await app.smtp.wait_for(email))
    assert "подтверждён" in (await person.say(code)).text
    return person


async def test_a_new_file_past_the_file_limit_is_refused_before_download(
    bot_app: BotApp,
) -> None:
    ada = await bot_app.registered("ada@example.com")
    await _fill_files(ada)
    rows, downloads = await _rows(bot_app), len(bot_app.telegram.calls("getFile"))

    answer = await ada.upload("one_more.py", b"Y = 1\n")
    assert (
        "This new file was not saved: you have 3 files, and I keep at most 3 per person. "
        "Delete files you no longer need with /files, then send it again." in answer.text
    )
    assert await _rows(bot_app) == rows
    assert len(bot_app.telegram.calls("getFile")) == downloads  # refused before the download

    # A new version of a file they have is no new file.
    assert "Replaced m0.py: version 2" in (await ada.upload("m0.py", b"X = 10\n")).text
    # Once one is deleted, there is room again.
    card = await ada.click(await ada.files(), "m1.py · v1 · 🆕")
    await ada.click(await ada.click(card, "Delete"), "Yes, delete")
    assert "Got one_more.py." in (await ada.upload("one_more.py", b"Y = 1\n")).text


async def test_the_file_limit_is_explained_in_russian(bot_app: BotApp) -> None:
    ivan = await _registered_in_russian(bot_app, "ivan@example.com")
    await _fill_files(ivan)
    rows = await _rows(bot_app)
    answer = await ivan.upload("ещё.py", b"Y = 1\n")
    assert (
        "Новый файл не сохранён: у вас 3 файла, а я храню не больше 3 на человека. "
        "Удалите ненужные файлы в /files и отправьте этот снова." in answer.text
    )
    assert await _rows(bot_app) == rows


async def test_bytes_past_the_limit_are_refused_counting_every_stored_version(
    bot_app: BotApp,
) -> None:
    bea = await bot_app.registered("bea@example.com")
    big = b"# " + b"x" * 597 + b"\n"  # 600 bytes
    assert "Got big.py." in (await bea.upload("big.py", big)).text
    rows, downloads = await _rows(bot_app), len(bot_app.telegram.calls("getFile"))

    # Declared by Telegram: refused before the download.
    answer = await bea.upload("small.py", b"# " + b"y" * 447 + b"\n")  # 450 bytes
    assert (
        "This file was not saved: your stored files take 600 bytes, and this one would add "
        "450 bytes, past the limit of 1,000 bytes per person." in answer.text
    )
    assert len(bot_app.telegram.calls("getFile")) == downloads
    # Declared smaller than it is: refused once the bytes are measured.
    answer = await bea.upload("liar.py", b"# " + b"z" * 447 + b"\n", file_size=10)
    assert "your stored files take 600 bytes, and this one would add 450 bytes" in answer.text
    assert len(bot_app.telegram.calls("getFile")) == downloads + 1
    # A replacement's new version counts in full: the old one stays stored.
    answer = await bea.upload("big.py", big.replace(b"x", b"w"))
    assert "and this one would add 600 bytes, past the limit of 1,000 bytes" in answer.text
    assert await _rows(bot_app) == rows

    assert "Delete files you no longer need with /files (a deleted file takes no room)" in (
        answer.text
    )
    # What fits is taken: 600 + 400 is exactly the limit.
    assert "Got fits.py." in (await bea.upload("fits.py", b"# " + b"f" * 397 + b"\n")).text
    answer = await bea.upload("small.py", b"# " + b"y" * 447 + b"\n")
    assert "your stored files take 1,000 bytes" in answer.text

    # Deleting a file frees its room, as the refusal says: its content is not kept.
    card = await bea.click(await bea.files(), "big.py · v1 · 🆕")
    await bea.click(await bea.click(card, "Delete"), "Yes, delete")
    assert "Got small.py." in (await bea.upload("small.py", b"# " + b"y" * 447 + b"\n")).text
    async with bot_app.session_factory() as session:
        kept = await session.scalars(
            select(FileVersion.content).join(File).where(File.name == "big.py")
        )
        assert list(kept) == [b""]


async def test_the_byte_limit_is_explained_in_russian(bot_app: BotApp) -> None:
    vera = await _registered_in_russian(bot_app, "vera@example.com")
    await vera.upload("big.py", b"# " + b"x" * 797 + b"\n")
    rows = await _rows(bot_app)
    answer = await vera.upload("more.py", b"# " + b"y" * 297 + b"\n")
    assert (
        "Файл не сохранён: ваши файлы уже занимают 800 байт, а этот добавил бы 300 байт, "
        "больше предела в 1\xa0000 байт на человека." in answer.text
    )
    assert await _rows(bot_app) == rows


async def _uploader(session_factory: SessionFactory, telegram_id: int) -> Uploader:
    async with session_factory() as session:
        user = User(email=f"u{telegram_id}@example.com", email_confirmed_at=utcnow())
        session.add(user)
        await session.flush()
        account = TelegramAccount(telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id)
        session.add(account)
        await session.commit()
        return Uploader(user_id=user.id, account_id=account.id, telegram_id=telegram_id)


async def test_uploads_at_once_cannot_pass_the_limits_together(
    session_factory: SessionFactory,
) -> None:
    """Each upload in its own session, all at once: one slot left, one file stored."""
    limits = StorageLimits(max_files=MAX_FILES, max_bytes=10 * MAX_BYTES)
    uploader = await _uploader(session_factory, 8_100_001)

    async def upload(name: str) -> StoredUpload | StorageFullError:
        async with session_factory() as session:
            try:
                return await store_upload(
                    session,
                    uploader,
                    name=name,
                    content=b"X = 1\n",
                    telegram_file_id=None,
                    limits=limits,
                )
            except StorageFullError as error:
                return error

    for name in ("a.py", "b.py"):
        assert isinstance(await upload(name), StoredUpload)
    outcomes = await asyncio.gather(*(upload(f"race{n}.py") for n in range(6)))
    refused = [o for o in outcomes if isinstance(o, StorageFullError)]
    assert len(refused) == 5, outcomes
    assert {(o.limit_kind, o.used, o.limit) for o in refused} == {(StorageLimit.FILES, 3, 3)}
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(File)) == MAX_FILES
