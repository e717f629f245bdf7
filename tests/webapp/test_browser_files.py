"""The files pages in a phone-sized Chromium, opened as Telegram opens the Mini App: the
person's files, Replace through the file picker (its result arrives in chat), Delete that asks
first, the keyboard, and the two themes."""

import re

import pytest
from playwright.async_api import FilePayload, expect

from checks.worker import Worker
from tests.support.browser import PhonePages
from tests.support.people import seeded
from tests.support.results import assert_result, issues
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp, shown
from tests.support.webapp_launch import DARK_THEME, LIGHT_THEME

# The database is not these tests' subject (tests/webapp/test_files_api.py runs on both).
pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)


async def test_opening_the_app_shows_the_persons_files_and_nobody_elses(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    await ann.upload("alpha.py", b"import os\n")
    await ann.upload("<beta>.py", b"x = 1\n")
    await bob.upload("bobs_secret.py", b"y = 2\n")

    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann)

    rows = page.locator("ul.files li .name")
    await expect(rows).to_have_text(["<beta>.py", "alpha.py"])
    await expect(page.locator("h1")).to_be_focused()
    assert "bobs_secret" not in await page.content()
    assert await page.evaluate("document.documentElement.dataset.scheme") == "light"
    assert phone_page.errors == []
    assert phone_page.console_errors == []  # nothing refused by the CSP, nothing failed
    assert phone_page.blocked == []


async def test_replace_through_the_page_makes_version_2_whose_result_arrives_in_chat(
    mini_app: MiniApp,
    worker: Worker,
    phone_page: PhonePages,
    telegram_js: str,
    tmp_path: object,
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("app.py", b"x = 1\n")
    assert_result(await ann.chat.next_screen(), "app.py", 1)
    file_id = (await mini_app.api("/files", ann)).json()["items"][0]["id"]
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/files/{file_id}")

    picked: FilePayload = {
        "name": "app.py",
        "mimeType": "text/x-python",
        "buffer": b"import os\nimport sys\n",
    }
    await page.get_by_label("Replace with a new version").set_input_files(files=[picked])
    await page.get_by_role("button", name="Upload").click()

    await expect(page.locator("dl.facts")).to_contain_text("v2")
    assert_result(await ann.chat.next_screen(), "app.py", 2, issues(2))
    assert phone_page.errors == []


async def test_delete_asks_first_and_cancel_keeps_the_file(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("doomed.py", b"x = 1\n")
    file_id = (await mini_app.api("/files", ann)).json()["items"][0]["id"]
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/files/{file_id}")

    await page.get_by_role("button", name="Delete", exact=True).click()
    confirm = page.get_by_role("group", name="Confirm deletion")
    await expect(confirm).to_be_visible()
    await expect(confirm).to_contain_text("Delete doomed.py?")
    assert (await mini_app.api("/files", ann)).json()["total"] == 1  # asked, not deleted
    await page.get_by_role("button", name="Cancel").click()
    await expect(confirm).to_be_hidden()
    assert (await mini_app.api("/files", ann)).json()["total"] == 1

    await page.get_by_role("button", name="Delete", exact=True).click()
    await page.get_by_role("button", name="Yes, delete").click()

    await expect(page.locator("h1")).to_have_text("Your files")
    await expect(page.locator(".empty")).to_contain_text("You have no files yet")
    assert (await mini_app.api("/files", ann)).json()["total"] == 0


async def test_the_card_works_with_the_keyboard_alone(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    await ann.upload("keys.py", b"x = 1\n")
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann)

    await expect(page.locator("h1")).to_be_focused()
    await page.keyboard.press("Tab")  # from the heading to the first file
    await expect(page.locator(":focus")).to_have_attribute("data-file-id", re.compile(r"\d+"))
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("keys.py")
    await expect(page.locator("h1")).to_be_focused()

    delete = page.get_by_role("button", name="Delete", exact=True)
    await delete.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Yes, delete")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Cancel: the focus goes back to Delete
    await expect(delete).to_be_focused()
    await expect(delete).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("theme", [LIGHT_THEME, DARK_THEME], ids=["light", "dark"])
async def test_the_page_follows_telegrams_theme_and_language(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str, theme: dict[str, str]
) -> None:
    ivan = await seeded(mini_app.bot_app, "ivan@example.com", language_code="ru")
    await ivan.upload("privet.py", b"import os\n")
    await ivan.upload("main.py", b"x = 1\n")
    page = await mini_app.open_in_telegram(phone_page, telegram_js, ivan, theme=theme)

    await expect(page.locator("h1")).to_have_text("Ваши файлы")
    assert await page.evaluate("document.documentElement.lang") == "ru"
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(theme["bg_color"][i : i + 2], 16) for i in (1, 3, 5))
    assert background == f"rgb({red}, {green}, {blue})"
    scheme = "dark" if theme is DARK_THEME else "light"
    assert await page.evaluate("document.documentElement.dataset.scheme") == scheme
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / f"files-ru-{scheme}.png")
        card = page.get_by_role("link", name="privet.py")
        await card.click()
        await shown(page)
        await expect(page.locator("h1")).to_have_text("privet.py")
        await save_screenshot(page, SCREENSHOTS / f"file-card-ru-{scheme}.png")
