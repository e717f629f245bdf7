"""The pictures in the README: the files, report and history pages in Telegram's light and
dark themes at phone width (`make screenshots` writes them into docs/screenshots/). Without
UPDATE_SCREENSHOTS the test still opens each page in each theme and checks that it follows the
theme, fits the phone's width and shows no error."""

import pytest
from playwright.async_api import Page, expect

from checks.worker import Worker
from tests.support.browser import PHONE_VIEWPORT, PhonePages
from tests.support.people import seeded
from tests.support.results import assert_result
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp, shown
from tests.support.webapp_launch import DARK_THEME, LIGHT_THEME

pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)

VERSIONS = [
    b"import os\nimport sys\n\n\ndef mean(values):\n    return sum(values) / len(values)\n",
    b"import os\nimport sys\nfrom typing import List\n\n\ndef mean(values: List[float]):\n"
    b"    total = 0\n    for value in values:\n        total += value\n"
    b"    if values == None:\n        return 0\n    return total / len(values)\n\n\n"
    b'def report(values):\n    print(f"mean")\n    return mean(values), undefined_name\n',
]


async def _looks_right(page: Page, theme: dict[str, str], name: str) -> None:
    await shown(page)
    red, green, blue = (int(theme["bg_color"][i : i + 2], 16) for i in (1, 3, 5))
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == f"rgb({red}, {green}, {blue})", name
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{name} is wider than the phone: {width} px"
    if screenshots_wanted():
        scheme = "dark" if theme is DARK_THEME else "light"
        await save_screenshot(page, SCREENSHOTS / f"{name}-{scheme}.png")


@pytest.mark.parametrize("theme", [LIGHT_THEME, DARK_THEME], ids=["light", "dark"])
async def test_files_report_and_history_in_both_themes(
    mini_app: MiniApp,
    worker: Worker,
    phone_page: PhonePages,
    telegram_js: str,
    theme: dict[str, str],
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    for content in VERSIONS:
        await ann.upload("stats.py", content)
        assert_result(await ann.chat.next_screen(timeout=30), "stats.py")
    await ann.upload("hello.py", b'print("hello")\n')
    assert_result(await ann.chat.next_screen(timeout=30), "hello.py")
    files = (await mini_app.api("/files", ann)).json()["items"]
    stats = next(item["id"] for item in files if item["name"] == "stats.py")
    check_id = (await mini_app.api(f"/files/{stats}", ann)).json()["last_check"]["check_id"]

    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, theme=theme)
    await expect(page.locator("ul.files li")).to_have_count(2)
    await _looks_right(page, theme, "files")

    page = await mini_app.open_in_telegram(
        phone_page, telegram_js, ann, f"/checks/{check_id}", theme=theme
    )
    await expect(page.locator("h1")).to_contain_text("stats.py")
    await _looks_right(page, theme, "report")

    page = await mini_app.open_in_telegram(
        phone_page, telegram_js, ann, f"/files/{stats}/history", theme=theme
    )
    await expect(page.locator("h1")).to_have_text("History of stats.py")
    await _looks_right(page, theme, "history")
    assert phone_page.errors == []
    assert phone_page.console_errors == []
