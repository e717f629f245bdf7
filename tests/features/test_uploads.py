"""A registered person sends .py files: new files, replacements, and what is refused."""

import pytest
from sqlalchemy import func, select

from core.models import File, FileEvent, FileEventKind, FileStatus, FileVersion
from tests.support.app import BotApp


async def _files(app: BotApp) -> list[File]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(File).order_by(File.id)))


async def _versions(app: BotApp, file_id: int) -> list[FileVersion]:
    async with app.session_factory() as session:
        query = select(FileVersion).where(FileVersion.file_id == file_id)
        return list(await session.scalars(query.order_by(FileVersion.number)))


async def _events(app: BotApp) -> list[tuple[FileEventKind, int | None]]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(FileEvent.kind, FileEvent.version_id).order_by(FileEvent.id)
        )
        return [(kind, version_id) for kind, version_id in rows]


async def test_upload_is_stored_as_new_and_same_name_becomes_version_two(bot_app: BotApp) -> None:
    ivy = await bot_app.registered("ivy@example.com")
    first = await ivy.upload("tool.py", b"import os\n")
    assert "Got tool.py. It is queued for review." in first.text

    [file] = await _files(bot_app)
    assert (file.name, file.status, file.current_version) == ("tool.py", FileStatus.NEW, 1)
    [v1] = await _versions(bot_app, file.id)
    assert (v1.content, v1.size) == (b"import os\n", 10)
    assert await _events(bot_app) == [(FileEventKind.UPLOAD, v1.id)]

    second = await ivy.upload("tool.py", b"import sys\n")
    assert "Replaced tool.py: version 2 is queued for review." in second.text
    [file] = await _files(bot_app)
    assert (file.status, file.current_version) == (FileStatus.REPLACED, 2)
    v1, v2 = await _versions(bot_app, file.id)
    assert (v1.content, v2.content) == (b"import os\n", b"import sys\n")
    assert await _events(bot_app) == [
        (FileEventKind.UPLOAD, v1.id),
        (FileEventKind.REPLACE, v2.id),
    ]


async def test_replace_button_takes_the_next_document_whatever_its_name(bot_app: BotApp) -> None:
    jay = await bot_app.registered("jay@example.com")
    await jay.upload("main.py", b"x = 1\n")
    card = await jay.click(await jay.files(), "main.py · v1 · 🆕")
    prompt = await jay.click(card, "Replace")
    assert "Send the new version of main.py as a document" in prompt.text

    assert "send the new version as a document" in (await jay.say("some words")).text
    done = await jay.upload("renamed_copy.py", b"x = 2\n")
    assert "Replaced main.py: version 2" in done.text
    [file] = await _files(bot_app)
    assert (file.name, file.current_version) == ("main.py", 2)
    assert [v.content for v in await _versions(bot_app, file.id)] == [b"x = 1\n", b"x = 2\n"]

    # The flow is over: the next document is an ordinary upload again.
    assert "Got renamed_copy.py." in (await jay.upload("renamed_copy.py", b"y = 1\n")).text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello\n", "the name must end in .py"),
        ("x.py.exe", b"MZ\n", "the name must end in .py"),
        ("Makefile", b"all:\n", "the name must end in .py"),
        (None, b"x = 1\n", "This document has no file name"),
        (".py", b"x = 1\n", "This document has no file name"),
        ("latin1.py", "s = 'café'\n".encode("latin-1"), "not UTF-8 text"),
        ("binary.py", b"x = 1\x00\n", "contains NUL bytes"),
    ],
)
async def test_refused_documents_are_explained_and_not_stored(
    bot_app: BotApp, name: str | None, content: bytes, message: str
) -> None:
    kim = await bot_app.registered("kim@example.com")
    answer = await kim.upload(name, content)
    assert message in answer.text
    assert await _nothing_stored(bot_app)


async def test_oversized_document_is_refused_before_download(bot_app: BotApp) -> None:
    lea = await bot_app.registered("lea@example.com")
    limit = bot_app.settings.max_upload_bytes
    answer = await lea.upload("big.py", b"x = 1\n", file_size=limit + 1)
    assert "This file is too large: the limit is 1,048,576 bytes." in answer.text
    assert bot_app.telegram.calls("getFile") == []
    assert await _nothing_stored(bot_app)


async def _nothing_stored(app: BotApp) -> bool:
    async with app.session_factory() as session:
        files = await session.scalar(select(func.count()).select_from(File))
        versions = await session.scalar(select(func.count()).select_from(FileVersion))
    return (files, versions) == (0, 0)


async def test_name_over_255_characters_is_refused(bot_app: BotApp) -> None:
    una = await bot_app.registered("una@example.com")
    longest = "a" * 252 + ".py"  # 255 characters: still a name
    too_long = "b" * 253 + ".py"
    answer = await una.upload(too_long, b"x = 1\n")
    assert "The file name is too long. Please rename the file and send it again." in answer.text
    assert await _nothing_stored(bot_app)

    assert f"Got {longest}." in (await una.upload(longest, b"x = 1\n")).text
    assert [f.name for f in await _files(bot_app)] == [longest]


async def test_content_over_the_limit_is_refused_after_download(bot_app: BotApp) -> None:
    """The size Telegram declares can be wrong; the bytes themselves are measured too."""
    vin = await bot_app.registered("vin@example.com")
    limit = bot_app.settings.max_upload_bytes
    comment = b"# " + b"x" * (limit - 3) + b"\n"  # exactly the limit
    answer = await vin.upload("huge.py", comment + b"\n", file_size=100)
    assert "This file is too large: the limit is 1,048,576 bytes." in answer.text
    assert len(bot_app.telegram.calls("getFile")) == 1  # refused after the download
    assert await _nothing_stored(bot_app)

    assert "Got full.py." in (await vin.upload("full.py", comment, file_size=100)).text
    [file] = await _files(bot_app)
    assert [v.size for v in await _versions(bot_app, file.id)] == [limit]


async def test_document_from_unregistered_person_points_to_start(bot_app: BotApp) -> None:
    stranger = bot_app.person("nobody@example.com")
    answer = await stranger.upload("a.py", b"x = 1\n")
    assert "send /start to register" in answer.text
    assert bot_app.telegram.calls("getFile") == []
    assert await _nothing_stored(bot_app)


@pytest.mark.parametrize(
    ("sent_name", "stored_name"),
    [
        ("../../etc/passwd.py", "passwd.py"),
        ("C:\\Users\\me\\script.py", "script.py"),
        ("evil\x1b[31m\u202ename.py", "evil[31mname.py"),
        ("  spaced .py ", "spaced .py"),
    ],
)
async def test_names_are_stored_as_safe_base_names(
    bot_app: BotApp, sent_name: str, stored_name: str
) -> None:
    max_ = await bot_app.registered("max@example.com")
    await max_.upload(sent_name, b"x = 1\n")
    [file] = await _files(bot_app)
    assert file.name == stored_name


async def test_upper_case_extension_is_accepted(bot_app: BotApp) -> None:
    ned = await bot_app.registered("ned@example.com")
    assert "Got SCRIPT.PY." in (await ned.upload("SCRIPT.PY", b"x = 1\n")).text
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(File)) == 1


async def test_replacing_a_file_deleted_meanwhile_says_not_found(bot_app: BotApp) -> None:
    ora = await bot_app.registered("ora@example.com")
    await ora.upload("old.py", b"o = 1\n")
    card = await ora.click(await ora.files(), "old.py · v1 · 🆕")
    await ora.click(card, "Replace")
    # Meanwhile the file is deleted from another /files screen.
    other_card = await ora.click(await ora.files(), "old.py · v1 · 🆕")
    await ora.click(await ora.click(other_card, "Delete"), "Yes, delete")
    assert "File not found." in (await ora.upload("new.py", b"n = 1\n")).text
    assert "Got new.py." in (await ora.upload("new.py", b"n = 1\n")).text  # flow is over
