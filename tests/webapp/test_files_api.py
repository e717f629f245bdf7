"""The Mini App's sign-in and its files pages, through the JSON API and the HTML fragments a
person's Telegram loads (no browser: tests/webapp/test_browser_*.py drive one)."""

import io
import re

import aiohttp
import pytest
from sqlalchemy import select

from core.models import File, FileStatus, FileVersion
from tests.support.people import seeded
from tests.support.webapp import MiniApp

OTHER_TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


async def test_a_person_sees_their_files_and_nothing_without_launch_data(
    mini_app: MiniApp,
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("alpha.py", b"import os\n")
    await ann.upload("beta.py", b"x = 1\n")

    listing = await mini_app.api("/files", ann)
    names = [item["name"] for item in listing.json()["items"]]

    assert listing.status == 200
    assert sorted(names) == ["alpha.py", "beta.py"]
    anonymous = await mini_app.api("/files")
    assert anonymous.status == 401
    assert "alpha" not in anonymous.text
    fragment = await mini_app.part("/files")
    assert fragment.status == 401
    assert "alpha" not in fragment.text
    assert "Open the app from the bot" in fragment.text


@pytest.mark.parametrize(
    "forgery",
    [
        pytest.param({"token": OTHER_TOKEN}, id="signed-with-another-token"),
        pytest.param({"age_seconds": 2 * 86_400}, id="auth-date-two-days-old"),
    ],
)
async def test_forged_or_stale_launch_data_is_refused(
    mini_app: MiniApp, forgery: dict[str, object]
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("alpha.py", b"import os\n")

    for suffix in ("/api/files", "/part/files"):
        answer = await mini_app.get(suffix, headers=mini_app.headers(ann, **forgery))
        assert answer.status == 401, suffix
        assert "alpha" not in answer.text


async def test_an_account_not_linked_to_a_person_is_refused(mini_app: MiniApp) -> None:
    stranger = mini_app.bot_app.person("stranger@example.com")
    await stranger.say("/start")  # an account exists, asked for its address, not registered

    answer = await mini_app.api("/files", stranger)

    assert answer.status == 401


async def test_another_persons_file_id_shows_nothing_of_it(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    await ann.upload("secret_plan.py", b"x = 1\n")
    async with mini_app.bot_app.session_factory() as session:
        file_id = await session.scalar(select(File.id).where(File.name == "secret_plan.py"))

    for method, suffix in [
        ("GET", f"/api/files/{file_id}"),
        ("GET", f"/part/files/{file_id}"),
        ("GET", f"/api/files/{file_id}/download"),
        ("DELETE", f"/api/files/{file_id}"),
        ("GET", "/api/files/99999999999999"),
        ("GET", "/part/files/abc"),
    ]:
        answer = await mini_app.request(method, suffix, bob)
        assert answer.status == 404, (method, suffix)
        assert "secret_plan" not in answer.text
        assert "x = 1" not in answer.text

    async with mini_app.bot_app.session_factory() as session:
        status = await session.scalar(select(File.status).where(File.id == file_id))
    assert status is not FileStatus.DELETED


async def test_card_download_and_delete(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("<b>&x.py", b"print('hi')\n")
    listing = (await mini_app.api("/files", ann)).json()
    file_id = listing["items"][0]["id"]

    card = await mini_app.part(f"/files/{file_id}", ann)
    assert card.status == 200
    assert "&lt;b&gt;&amp;x.py" in card.text
    assert "<b>" not in card.text
    assert "v1" in card.text
    assert "12 bytes" in card.text
    data = (await mini_app.api(f"/files/{file_id}", ann)).json()
    assert data["file"]["name"] == "<b>&x.py"
    assert data["file"]["version"] == 1

    download = await mini_app.get(f"/api/files/{file_id}/download", ann)
    assert download.status == 200
    assert download.text == "print('hi')\n"
    assert re.search(
        r"attachment; filename\*=UTF-8''%3Cb%3E%26x\.py",
        download.headers["Content-Disposition"],
    )

    deleted = await mini_app.request("DELETE", f"/api/files/{file_id}", ann)
    assert deleted.status == 200
    assert deleted.json() == {"deleted": "<b>&x.py"}
    assert (await mini_app.api("/files", ann)).json()["total"] == 0
    assert (await mini_app.api(f"/files/{file_id}", ann)).status == 404


async def test_replace_through_the_page_follows_the_upload_rules(mini_app: MiniApp) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("app.py", b"import os\n")
    file_id = (await mini_app.api("/files", ann)).json()["items"][0]["id"]

    def form(name: str, content: bytes) -> aiohttp.FormData:
        data = aiohttp.FormData()
        data.add_field("file", io.BytesIO(content), filename=name, content_type="text/x-python")
        return data

    replaced = await mini_app.request(
        "POST", f"/api/files/{file_id}/versions", ann, data=form("app.py", b"x = 2\n")
    )
    assert replaced.status == 200, replaced.text
    assert replaced.json() == {"file_id": file_id, "name": "app.py", "version": 2}

    not_python = await mini_app.request(
        "POST", f"/api/files/{file_id}/versions", ann, data=form("notes.txt", b"hello\n")
    )
    assert not_python.status == 422
    assert not_python.json()["message"] == (
        "I only review Python files: the name must end in .py."
    )
    too_large = await mini_app.request(
        "POST",
        f"/api/files/{file_id}/versions",
        ann,
        data=form("app.py", b"#" * (mini_app.bot_app.settings.max_upload_bytes + 1)),
    )
    assert too_large.status == 422
    assert "too large" in too_large.json()["message"]
    async with mini_app.bot_app.session_factory() as session:
        versions = list(
            await session.scalars(select(FileVersion.number).where(FileVersion.file_id == file_id))
        )
    assert sorted(versions) == [1, 2]


async def test_pages_carry_a_strict_content_security_policy(mini_app: MiniApp) -> None:
    shell = await mini_app.get("/files/1")

    assert shell.status == 200
    policy = shell.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self' https://telegram.org" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'self' https://web.telegram.org" in policy
    assert "X-Frame-Options" not in shell.headers  # Telegram's web clients frame the app
    assert "<script>" not in shell.text  # no inline script: every script has a src
    assert shell.headers["Referrer-Policy"] == "no-referrer"
