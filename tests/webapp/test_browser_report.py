"""The report in a phone-sized Chromium, opened as Telegram opens the Mini App: every issue
under its line as ruff reports it, a rule's explanation a tap away, and a long file's lines
loading in parts while the person scrolls."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from checks.worker import Worker
from tests.support.browser import PhonePages
from tests.support.people import seeded
from tests.support.reports import many_issues
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp, shown
from tests.webapp.test_report import PER_RULE, checked, oracle

pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)

ISSUES_AT_LINES = """() => Array.from(document.querySelectorAll("li.issue")).map(issue => [
    Number(issue.closest("li[data-line]").dataset.line),
    Number(issue.dataset.column),
    issue.dataset.code,
])"""


async def issues_shown(page: Page) -> list[tuple[int, int, str]]:
    found = await page.evaluate(ISSUES_AT_LINES)
    return sorted((line, column, code) for line, column, code in found)


async def test_the_report_shows_each_issue_at_its_line_and_explains_its_rule(
    mini_app: MiniApp, worker: Worker, phone_page: PhonePages, telegram_js: str, tmp_path: Path
) -> None:
    source = many_issues(PER_RULE)
    expected = oracle(source, tmp_path)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "many.py", source)

    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/checks/{check_id}")

    await expect(page.locator("h1")).to_contain_text("Report for many.py, version 1")
    await expect(page.locator("h1")).to_be_focused()
    assert await issues_shown(page) == expected
    await page.locator("li.issue a.rule", has_text="F841").first.click()
    await shown(page)
    await expect(page.locator("h1")).to_contain_text("F841 unused-variable")
    assert page.url.endswith("/app/explain/F841")
    await page.get_by_role("link", name="The rule on ruff's site").click()
    opened = await page.evaluate(
        "Telegram.WebView.posted.filter(e => e.eventType === 'web_app_open_link')"
        ".map(e => e.eventData.url)"
    )
    assert opened == ["https://docs.astral.sh/ruff/rules/unused-variable/"]  # by Telegram
    assert page.url.endswith("/app/explain/F841")  # the app stays where it was
    await page.go_back()
    await expect(page.locator("h1")).to_contain_text("Report for many.py")
    assert phone_page.errors == []
    assert phone_page.console_errors == []
    assert phone_page.blocked == []


async def test_a_long_files_lines_load_while_scrolling(
    mini_app: MiniApp, worker: Worker, phone_page: PhonePages, telegram_js: str, tmp_path: Path
) -> None:
    source = "".join(
        f"import m{n}\n" if n % 40 == 0 else f"v{n} = {n}\n" for n in range(1, 1001)
    ).encode()
    expected = oracle(source, tmp_path)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "long.py", source)

    page = await mini_app.open_in_telegram(phone_page, telegram_js, ann, f"/checks/{check_id}")
    lines = page.locator("#code-lines > li[data-line]")
    await expect(lines).to_have_count(100)
    for _ in range(20):
        if await lines.count() == 1000:
            break
        await page.mouse.wheel(0, 20_000)
        await page.wait_for_timeout(150)

    await expect(lines).to_have_count(1000)
    numbers = await page.evaluate(
        '() => Array.from(document.querySelectorAll("#code-lines > li[data-line]"))'
        ".map(li => Number(li.dataset.line))"
    )
    assert numbers == list(range(1, 1001))
    assert await issues_shown(page) == expected
    await expect(page.locator("[data-more-into]")).to_have_count(0)
    assert phone_page.errors == []
