"""The history and fix pages in a phone-sized Chromium, opened as Telegram opens the Mini App:
two versions compared name the issues fixed and new between them, and a fix previewed and
saved becomes the next version, whose result arrives in chat."""

import pytest
from playwright.async_api import expect

from checks.worker import Worker
from tests.support.app import Person
from tests.support.browser import PhonePages
from tests.support.people import seeded
from tests.support.results import assert_result, issues
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.sources import CALC
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp, shown

# The database is not these tests' subject (test_history.py and test_fix.py run on both).
pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)

V1 = b"import os\n\n\ndef f():\n    unused = 1\n"
V2 = b"import os\nimport sys\n\n\ndef f():\n    unused = 1\n"
V3 = b"import sys\n\nVALUE = 1\n\n\ndef f():\n    unused = 1\n    return undefined_name\n"


async def _checked(person: Person, name: str, content: bytes) -> None:
    assert f" {name}" in (await person.upload(name, content)).text
    assert_result(await person.chat.next_screen(timeout=30), name)


async def test_the_history_names_the_issues_fixed_and_new_between_two_versions(
    mini_app: MiniApp, worker: Worker, phone_page: PhonePages, telegram_js: str
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    for content in (V1, V2, V3):
        await _checked(ann, "calc.py", content)
    file_id = (await mini_app.api("/files", ann)).json()["items"][0]["id"]
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/files/{file_id}")

    await page.get_by_role("link", name="History").click()

    await expect(page.locator("h1")).to_have_text("History of calc.py")
    await expect(page.locator("h1")).to_be_focused()
    await expect(page.locator("h2#compare-heading")).to_have_text("Compare v2 with v3")
    await expect(page.locator("ul.issues-fixed li")).to_have_text(
        ["F401 v2 line 1 `os` imported but unused"]
    )
    await expect(page.locator("ul.issues-new li")).to_have_text(
        ["F821 v3 line 8 Undefined name `undefined_name`"]
    )
    await expect(page.locator("ul.issues-remaining li")).to_have_count(2)  # moved, not new
    await expect(page.locator("ol.versions > li .name")).to_have_text(["v3", "v2", "v1"])
    # a phone shows the changed lines in one column, a wide screen side by side
    await expect(page.locator("table.diff-unified")).to_be_visible()
    await expect(page.locator("table.diff-split")).to_be_hidden()
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "history.png")
    await page.set_viewport_size({"width": 1000, "height": 900})
    await expect(page.locator("table.diff-split")).to_be_visible()
    await expect(page.locator("table.diff-unified")).to_be_hidden()
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "history-wide.png")
    await page.set_viewport_size({"width": 390, "height": 844})

    await page.get_by_label("From").select_option("1")  # compared again at once

    await expect(page.locator("h2#compare-heading")).to_have_text("Compare v1 with v3")
    await expect(page.locator("ul.issues-new li .rule")).to_have_text(["F401", "F821"])
    assert "a=1&b=3" in page.url
    await page.get_by_role("link", name="Side by side").click()
    await shown(page)
    await expect(page.locator("table.diff-split")).to_be_visible()
    await expect(page.locator("table.diff-unified")).to_have_count(0)
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "history-split-phone.png")
    assert phone_page.errors == []
    assert phone_page.console_errors == []


async def test_a_fix_previewed_and_saved_becomes_the_next_version(
    mini_app: MiniApp, worker: Worker, phone_page: PhonePages, telegram_js: str
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await _checked(ann, "calc.py", CALC)
    file_id = (await mini_app.api("/files", ann)).json()["items"][0]["id"]
    history = (await mini_app.api(f"/files/{file_id}/history", ann)).json()
    check_id = history["versions"][0]["check_id"]
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/checks/{check_id}/fix")

    await expect(page.locator("h1")).to_have_text("🛠 Fixes for calc.py, version 1")
    await expect(page.locator(".fix-summary")).to_contain_text("Fixes 5 of 8 issues; 3 remain.")
    removed = page.locator("table.diff-unified tr.line-removed code")
    await expect(removed.first).to_have_text("import os")
    await page.get_by_label("⚠️ Include unsafe fixes").check()  # the preview again, unsafe
    await expect(page.locator(".fix-summary")).to_contain_text("Fixes 7 of 8 issues; 1 remains.")
    await page.get_by_label("⚠️ Include unsafe fixes").uncheck()
    await expect(page.locator(".fix-summary")).to_contain_text("3 remain.")
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "fix-preview.png")

    await page.get_by_role("button", name="💾 Save as version 2").click()

    await expect(page.locator("h1")).to_have_text("calc.py")  # the file's card
    await expect(page.locator("dl.facts")).to_contain_text("v2")
    assert_result(await ann.chat.next_screen(timeout=30), "calc.py", 2, issues(3))
    assert phone_page.errors == []
    assert phone_page.console_errors == []
