"""The Mini App's check log (/log): every check of a person's files with its marks, filters,
parts of a long log, and exports that are the chat's own documents."""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

import openpyxl
from playwright.async_api import expect
from sqlalchemy import select

from checks.check_job import CheckJob
from checks.worker import Worker
from core.models import DeliveryChannel, DeliveryStatus, TelegramAccount
from core.services.files import Uploader, store_upload
from infra.ruff.runner import RuffRunner
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.browser import PhonePages
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.pipeline import DEFAULT_LIMITS, wait_for_delivery
from tests.support.results import PASSED, assert_result
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.webapp import MiniApp

if TYPE_CHECKING:
    pass

MESSY = b"import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return undefined\n"
CLEAN = b'"""A clean module."""\n\nVALUE = 1\n'
HOSTILE = "<b>x&amp;.py"  # a "/" would be taken as a folder: the name is what follows it
REFUSAL = "550 5.1.1 <x@internal.corp>: mailbox unavailable (mx1.internal.corp)"
INTERNAL = ("internal.corp", "mx1", "x@internal", "mailbox unavailable")


async def _download(mini_app: MiniApp, suffix: str, person: Person | None) -> tuple[int, bytes]:
    headers = mini_app.headers(person) if person is not None else {}
    async with mini_app.http.get(mini_app.base_url + suffix, headers=headers) as got:
        return got.status, await got.read()


async def _chat_export(person: Person, button: str) -> BotOutput:
    document = await person.click(await person.say("/report"), button)
    assert document.kind == "document", document.describe()
    assert document.document is not None
    return document


def _xlsx_rows(document: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(document)).active
    assert sheet is not None
    return [list(values) for values in sheet.iter_rows(values_only=True)]


def _text(html: str) -> str:
    """What a person reads of an HTML fragment, its white space as the browser shows it."""
    return " ".join(html_text(html).split())


def _names(answer: Any) -> list[str]:
    return [entry["file_name"] for entry in answer.json()["entries"]]


async def _three_checks(mini_app: MiniApp, person: Person) -> None:
    """messy.py (issues, both sent), <b>x&amp;.py (clean, both sent), refused.py (issues, its
    email refused by the mail server for good)."""
    app = mini_app.bot_app
    await person.upload("messy.py", MESSY)
    assert_result(await person.chat.next_screen(), "messy.py", 1)
    await person.upload(HOSTILE, CLEAN)
    assert_result(await person.chat.next_screen(), HOSTILE, 1, PASSED)
    await wait_for_delivery(
        app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT, count=2
    )
    app.smtp.refuse_next(REFUSAL)
    await person.upload("refused.py", b"import os\n")
    assert_result(await person.chat.next_screen(), "refused.py", 1)
    await wait_for_delivery(app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.FAILED)
    await wait_for_delivery(
        app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT, count=3
    )


async def test_the_log_lists_every_check_with_its_marks_and_filters_them(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await _three_checks(mini_app, ann)

    log = await mini_app.api("/log", ann)
    assert log.status == 200
    data = log.json()
    assert (data["total"], data["matching"], data["next_start"]) == (3, 3, None)
    refused, hostile, messy = data["entries"]
    assert [refused["file_name"], hostile["file_name"], messy["file_name"]] == [
        "refused.py",
        HOSTILE,
        "messy.py",
    ]
    assert (hostile["result"], hostile["result_label"]) == ("passed", "no issues")
    assert messy["result"] == "failed"
    assert messy["result_label"] == f"{messy['issue_count']} issues"
    assert (refused["result_label"], refused["preset"], refused["preset_label"]) == (
        "1 issue",
        "default",
        "default",
    )
    assert refused["email"]["status"] == "failed"
    assert refused["email"]["label"] == "failed"
    assert refused["email"]["reason"] == "the mail server refused this address"
    assert refused["chat"]["status"] == "sent"
    assert refused["chat"]["label"].startswith("sent ")
    assert messy["email"]["reason"] is None
    for word in INTERNAL:  # the mail server's own words stay with the admins
        assert word not in log.text

    # Filters: by name (any case), by result, by delivery; together.
    assert _names(await mini_app.api("/log?name=MESS", ann)) == ["messy.py"]
    assert _names(await mini_app.api("/log?name=%3Cb%3E", ann)) == [HOSTILE]
    assert _names(await mini_app.api("/log?result=clean", ann)) == [HOSTILE]
    assert _names(await mini_app.api("/log?result=issues", ann)) == ["refused.py", "messy.py"]
    assert _names(await mini_app.api("/log?result=error", ann)) == []
    assert _names(await mini_app.api("/log?delivery=failed", ann)) == ["refused.py"]
    assert _names(await mini_app.api("/log?delivery=sent", ann)) == [HOSTILE, "messy.py"]
    assert _names(await mini_app.api("/log?delivery=pending", ann)) == []
    both = await mini_app.api("/log?result=issues&delivery=sent", ann)
    assert _names(both) == ["messy.py"]
    assert (both.json()["matching"], both.json()["total"]) == (1, 3)
    assert both.json()["filters"] == {"name": "", "result": "issues", "delivery": "sent"}
    nonsense = await mini_app.api("/log?result=%27%3B&delivery=x&from=-4", ann)
    assert nonsense.status == 200
    assert len(nonsense.json()["entries"]) == 3  # unknown values filter nothing

    # The fragment a person reads: the name escaped, each row its report's link.
    part = await mini_app.part("/log", ann)
    assert part.status == 200
    assert "&lt;b&gt;x&amp;amp;.py" in part.text
    assert "<b>x" not in part.text
    for entry in data["entries"]:
        assert f'href="/app/checks/{entry["check_id"]}"' in part.text
    text = _text(part.text)
    assert "3 checks of your files, newest first." in text
    assert "Email: failed (the mail server refused this address)" in text
    for label in ("File name contains", "Check result", "Email and chat delivery"):
        assert re.search(rf'<label for="log-\w+">{label}</label>', part.text), label
    filtered = _text((await mini_app.part("/log?delivery=failed", ann)).text)
    assert "1 of 3 checks matches, newest first." in filtered
    assert "refused.py" in filtered
    assert "messy.py" not in filtered
    nothing = _text((await mini_app.part("/log?name=zzz", ann)).text)
    assert "No check matches these filters." in nothing


async def test_the_exports_are_the_chats_own_documents(mini_app: MiniApp, worker: Worker) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await _three_checks(mini_app, ann)

    for kind in ("csv", "json"):
        chat = await _chat_export(ann, f"⬇️ {kind.upper()}")
        status, body = await _download(mini_app, f"/api/log/export.{kind}", ann)
        assert status == 200
        assert body == chat.document, kind  # byte for byte
    chat = await _chat_export(ann, "⬇️ XLSX")
    assert chat.document is not None
    status, body = await _download(mini_app, "/api/log/export.xlsx", ann)
    assert status == 200
    assert _xlsx_rows(body) == _xlsx_rows(chat.document)
    assert len(_xlsx_rows(body)) == 4  # the header and three checks

    # The filters are not applied: the whole log, as the chat exports it.
    _status, filtered = await _download(mini_app, "/api/log/export.json?result=clean", ann)
    assert len(json.loads(filtered)) == 3
    async with mini_app.http.get(
        mini_app.base_url + "/api/log/export.csv", headers=mini_app.headers(ann)
    ) as got:
        assert got.headers["Content-Type"].startswith("text/csv")
        assert re.fullmatch(
            r'attachment; filename="checks-\d{4}-\d{2}-\d{2}\.csv"',
            got.headers["Content-Disposition"],
        )
    part = await mini_app.part("/log", ann)
    for kind in ("csv", "xlsx", "json"):
        assert f'data-download="/app/api/log/export.{kind}"' in part.text


async def test_another_persons_log_never_shows_and_no_launch_data_is_refused(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    await ann.upload("secret_plan.py", MESSY)
    assert_result(await ann.chat.next_screen(), "secret_plan.py", 1)

    bobs = await mini_app.api("/log", bob)
    assert (bobs.status, bobs.json()["entries"], bobs.json()["total"]) == (200, [], 0)
    bobs_part = await mini_app.part("/log?name=secret", bob)
    assert "No checks yet." in _text(bobs_part.text)
    for kind in ("csv", "xlsx", "json"):
        status, body = await _download(mini_app, f"/api/log/export.{kind}", bob)
        assert status == 404
        assert json.loads(body)["message"].startswith("There are no checks to export yet.")
    for suffix in ("/api/log", "/part/log", "/api/log/export.csv", "/api/log/export.json"):
        status, body = await _download(mini_app, suffix, None)
        assert status == 401, suffix
        assert b"secret" not in body
        status, body = await _download(mini_app, suffix, bob)
        assert b"secret" not in body, suffix
    assert (await mini_app.api("/log/export.pdf", ann)).status == 404


async def _seed_checked_files(
    app: BotApp, person: Person, count: int, content: bytes | None = None
) -> None:
    """Files stored as the bot stores uploads (`content`, or a clean line each), then checked
    by one run of the check job (no delivery job runs: every delivery waits)."""
    async with app.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_id == person.chat.id)
        )
        assert account is not None
        assert account.user_id is not None
        uploader = Uploader(account.user_id, account.id, person.chat.id)
        for index in range(count):
            await store_upload(
                session, uploader, name=f"file{index:02d}.py",
                content=content or f"X = {index}\n".encode(),
                telegram_file_id=None, limits=DEFAULT_LIMITS,
            )  # fmt: skip
    job = CheckJob(session_factory=app.session_factory, runner=RuffRunner(), worker_id="seed")
    assert await job() == count


async def test_a_long_log_comes_in_parts(mini_app: MiniApp) -> None:
    kim = await seeded(mini_app.bot_app, "kim@example.com")
    await _seed_checked_files(mini_app.bot_app, kim, 35)

    first = (await mini_app.api("/log", kim)).json()
    assert (len(first["entries"]), first["start"], first["next_start"]) == (30, 0, 30)
    part = await mini_app.part("/log", kim)
    more = '<a data-more href="/app/log?from=30">'
    assert more in part.text
    assert 'data-more-into="log-entries"' in part.text
    rest = await mini_app.part("/log?from=30", kim)
    listed = re.search(r'<ul [^>]*id="log-entries" data-part[^>]*>(.*?)</ul>', rest.text, re.S)
    assert listed is not None
    assert listed.group(1).count("<li>") == 5
    assert "data-more" not in rest.text  # the last part
    first_names = {entry["file_name"] for entry in first["entries"]}
    rest_names = set(_names(await mini_app.api("/log?from=30", kim)))
    assert len(first_names | rest_names) == 35
    # Every delivery still waits: the filters say so, and keep themselves in the "more" link.
    waiting = await mini_app.part("/log?delivery=pending&name=file", kim)
    assert '<a data-more href="/app/log?from=30&amp;name=file&amp;delivery=pending">' in (
        waiting.text
    )
    assert "Email: waiting" in _text(waiting.text)
    assert (await mini_app.api("/log?delivery=sent", kim)).json()["matching"] == 0


async def test_a_person_filters_the_log_and_downloads_an_export_in_the_browser(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    lea = await seeded(mini_app.bot_app, "lea@example.com")
    await _seed_checked_files(mini_app.bot_app, lea, 2, content=b"import os\n")  # F401
    await _seed_checked_files(mini_app.bot_app, lea, 1)  # clean: file00.py again, version 2
    page = await mini_app.open_in_telegram(phone_page, telegram_js, lea, "/log")
    rows = page.locator("#log-entries > li")
    assert await rows.count() == 3
    assert await page.locator("h1").text_content() == "Check log"

    await page.get_by_label("Check result").select_option("issues")  # submits on change
    await page.wait_for_url("**/log?*result=issues*")
    await page.locator("main[aria-busy=false]").wait_for()
    assert await rows.count() == 2
    assert "2 of 3 checks match" in (await page.locator("main").inner_text())
    await page.get_by_label("File name contains").fill("FILE01")
    await page.get_by_label("File name contains").press("Enter")
    await page.wait_for_url("**name=FILE01*")
    await page.locator("main[aria-busy=false]").wait_for()
    assert await rows.count() == 1
    assert "file01.py" in await rows.first.inner_text()
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "log-filtered.png")

    async with page.expect_download() as started:
        await page.get_by_role("button", name="Download CSV").click()
    download = await started.value
    status, expected = await _download(mini_app, "/api/log/export.csv", lea)
    assert status == 200
    assert download.suggested_filename.startswith("checks-")
    assert download.suggested_filename.endswith(".csv")
    saved = await download.path()
    assert saved.read_bytes() == expected  # the whole log, whatever the filters
    assert expected.count(b"file0") == 3

    await rows.first.locator("a").click()  # a row opens its check's report
    await page.wait_for_url("**/checks/*")
    await expect(page.locator("h1")).to_contain_text("Report for file01.py")
    assert (phone_page.errors, phone_page.blocked) == ([], [])
