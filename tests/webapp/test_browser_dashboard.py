"""A team's dashboard in a phone-sized Chromium, opened as Telegram opens the Mini App: the
figures are there, the heading takes the focus, and a CSV download is the chat's document."""

import pytest
from playwright.async_api import expect

from tests.support.browser import PhonePages
from tests.support.dashboard_seed import seed_team
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp

# The database is not this test's subject (test_dashboard.py runs on both stacks).
pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)


async def test_the_owner_reads_the_dashboard_and_downloads_a_table(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    team = await seed_team(mini_app.bot_app)
    page = await mini_app.open_in_telegram(
        phone_page, telegram_js, team.owner, f"/teams/{team.team_id}/dashboard"
    )
    await expect(page.locator("h1")).to_have_text("Dashboard of Backend <crew>")
    await expect(page.locator("h1")).to_be_focused()
    await expect(page.locator("[data-figure=pass-rate]")).to_contain_text("50%")
    await expect(page.locator(".dash-member h3")).to_have_text(["Bob", "Cat <i>&</i>", "Dan"])
    await expect(page.locator(".dash-stuck li")).to_have_text(
        ["Bob, loop.py: F401 in 3 versions in a row", "Dan, dan.py: E722 in 3 versions in a row"]
    )
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "team-dashboard.png")

    async with page.expect_download() as started:
        await page.get_by_role("button", name="Comments (CSV)").click()
    download = await started.value
    suffix = f"/api/teams/{team.team_id}/dashboard/export/comments.csv"
    async with mini_app.http.get(
        mini_app.base_url + suffix, headers=mini_app.headers(team.owner)
    ) as got:
        expected = await got.read()
    assert download.suggested_filename.startswith(f"team-{team.team_id}-comments-")
    assert (await download.path()).read_bytes() == expected
    assert (phone_page.errors, phone_page.blocked, phone_page.console_errors) == ([], [], [])
