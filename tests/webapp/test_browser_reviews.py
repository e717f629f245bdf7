"""A submission's review in a phone-sized Chromium, opened as Telegram opens the Mini App: the
comments directly under their lines, a tapped line number taking a new comment (by touch and
by keyboard), and a comment whose line changed in the next version resolved on the page."""

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from core.team_models import CommentState, ReviewComment
from tests.support.browser import PhonePages
from tests.support.reviews import V3, a_submission, comment, resubmit
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.stack import SERVICES
from tests.support.webapp import MiniApp
from tests.support.webapp_launch import DARK_THEME

# The database is not these tests' subject (tests/webapp/test_reviews.py runs on both).
pytestmark = pytest.mark.parametrize("stack", [SERVICES], indirect=True)

# Each comment of the listing: the number of the line element it is in, whether it sits
# directly under that line (the line's own list of comments, after its code), and its text.
COMMENTS_AT_LINES = """() => Array.from(document.querySelectorAll("#code-lines li.comment"))
  .map(comment => {
    const line = comment.closest("li[data-line]");
    const list = comment.parentElement;
    const under = list.parentElement === line && list.matches("ul.comments")
      && line.querySelector(":scope > code.src") !== null;
    return [Number(line.dataset.line), under, comment.querySelector(".comment-body").textContent];
  })"""


async def comments_shown(page: Page) -> list[tuple[int, bool, str]]:
    return [(line, under, text) for line, under, text in await page.evaluate(COMMENTS_AT_LINES)]


async def stored(mini_app: MiniApp) -> list[tuple[int | None, int | None, str, CommentState]]:
    async with mini_app.bot_app.session_factory() as session:
        rows = await session.execute(
            select(
                ReviewComment.first_line,
                ReviewComment.last_line,
                ReviewComment.body,
                ReviewComment.state,
            ).order_by(ReviewComment.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_comments_stand_under_their_lines_and_a_tapped_line_takes_a_new_one(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    cast = await a_submission(mini_app)
    await comment(mini_app, cast, 3, "look here")
    await comment(mini_app, cast, 10, "and here")
    suffix = f"/reviews/{cast.submission_id}"

    page = await mini_app.open_in_telegram(phone_page, telegram_js, cast.reviewer, suffix)

    await expect(page.locator("h1")).to_have_text("Code review: homework_7.py, version 1")
    assert await comments_shown(page) == [(3, True, "look here"), (10, True, "and here")]
    await page.get_by_role("button", name="Comment on line 5", exact=True).tap()
    form = page.locator("#L5 form.line-form")
    await expect(form).to_contain_text("Comment on line 5")
    text = form.get_by_label("Comment", exact=True)
    await expect(text).to_be_focused()
    await text.fill("Name it <better>")
    await form.get_by_role("button", name="Save").tap()

    await expect(page.locator("#L5 li.comment .comment-body")).to_have_text("Name it <better>")
    await expect(page.locator("#L5 li.comment")).to_be_focused()
    await expect(page.locator("form.line-form")).to_have_count(0)
    assert (5, True, "Name it <better>") in await comments_shown(page)
    assert (await stored(mini_app))[-1] == (5, 5, "Name it <better>", CommentState.OPEN)

    await page.get_by_role("button", name="Comment on line 6", exact=True).tap()
    form = page.locator("#L6 form.line-form")
    await form.get_by_label("To line (optional, for a range)").fill("7")
    await form.get_by_label("Comment", exact=True).fill("These two")
    await form.get_by_role("button", name="Save").tap()
    await expect(page.locator("#L7 li.comment")).to_contain_text("lines 6–7")
    assert (await stored(mini_app))[-1] == (6, 7, "These two", CommentState.OPEN)
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "review-comments.png")
    assert phone_page.errors == []
    assert phone_page.console_errors == []
    assert phone_page.blocked == []


async def test_the_line_form_works_with_the_keyboard_alone(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    cast = await a_submission(mini_app)
    suffix = f"/reviews/{cast.submission_id}"
    page = await mini_app.open_in_telegram(phone_page, telegram_js, cast.owner, suffix)

    line = page.get_by_role("button", name="Comment on line 2", exact=True)
    await line.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#L2 form.line-form textarea")).to_be_focused()
    await expect(line).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Escape")  # closes the form, the focus back on the line
    await expect(page.locator("form.line-form")).to_have_count(0)
    await expect(line).to_be_focused()
    await expect(line).to_have_attribute("aria-expanded", "false")

    await page.keyboard.press("Enter")
    await page.keyboard.type("Too clever")
    await page.keyboard.press("Tab")  # Save
    await page.keyboard.press("Enter")
    await expect(page.locator("#L2 li.comment")).to_be_focused()
    await expect(page.locator("#L2 li.comment .comment-body")).to_have_text("Too clever")
    assert await stored(mini_app) == [(2, 2, "Too clever", CommentState.OPEN)]


async def test_a_changed_comment_says_so_and_resolve_takes_it_off_its_line(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    cast = await a_submission(mini_app)
    await comment(mini_app, cast, 3, "look here")
    await comment(mini_app, cast, 10, "and here")
    await resubmit(mini_app, cast, V3)  # line 3 moved down five lines, line 10 rewritten
    suffix = f"/reviews/{cast.submission_id}"

    page = await mini_app.open_in_telegram(
        phone_page, telegram_js, cast.reviewer, suffix, theme=DARK_THEME
    )

    await expect(page.locator("h1")).to_have_text("Code review: homework_7.py, version 2")
    assert await comments_shown(page) == [(8, True, "look here"), (15, True, "and here")]
    changed = page.locator("#L15 li.comment")
    await expect(changed).to_contain_text("🔄 changed — resolve?")
    await expect(page.locator("#L8 li.comment")).not_to_contain_text("changed")
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "review-changed-dark.png")
    await changed.get_by_role("button", name="Resolve").tap()

    await expect(page.locator("#L15 li.comment")).to_have_count(0)
    await expect(page.locator("details.resolved-comments summary")).to_have_text(
        "1 resolved comment"
    )
    assert await comments_shown(page) == [(8, True, "look here")]
    states = [(first, state) for first, _last, _body, state in await stored(mini_app)]
    assert states == [(3, CommentState.OPEN), (10, CommentState.RESOLVED)]
    assert phone_page.errors == []
    assert phone_page.console_errors == []


async def test_a_comment_far_down_a_long_file_is_shown_where_it_was_written(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    source = "".join(f"value_{n} = {n}\n" for n in range(1, 701)).encode()
    cast = await a_submission(mini_app, source)
    suffix = f"/reviews/{cast.submission_id}"
    page = await mini_app.open_in_telegram(phone_page, telegram_js, cast.reviewer, suffix)
    line = page.get_by_role("button", name="Comment on line 650", exact=True)
    for _ in range(30):  # the lines come in parts while the person scrolls
        if await line.count():
            break
        await page.mouse.wheel(0, 20_000)
        await page.wait_for_timeout(150)

    await line.tap()
    form = page.locator("#L650 form.line-form")
    await form.get_by_label("Comment", exact=True).fill("Far down")
    await form.get_by_role("button", name="Save").tap()

    # The page is loaded again from its top, and its parts until line 650 is there.
    await expect(page.locator("#L650 li.comment")).to_be_focused()
    await expect(page.locator("#L650 li.comment .comment-body")).to_have_text("Far down")
    assert await comments_shown(page) == [(650, True, "Far down")]
    assert (await stored(mini_app))[-1] == (650, 650, "Far down", CommentState.OPEN)
    assert phone_page.errors == []
