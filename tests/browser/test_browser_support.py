"""What the Mini App's browser tests stand on: launch data Telegram would sign, the stand-in
for Telegram's script reading it in a phone-sized Chromium, loopback only, and screenshots."""

from __future__ import annotations

import io
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from aiogram.utils.web_app import safe_parse_webapp_init_data
from aiohttp import web

from tests import conftest
from tests.support.browser import PHONE_SCALE, PHONE_VIEWPORT, TELEGRAM_JS_PUBLIC, PhonePages
from tests.support.screenshots import save_screenshot
from tests.support.webapp_launch import DARK_THEME, LIGHT_THEME, launch_url, signed_init_data

if TYPE_CHECKING:
    from playwright.async_api import Browser, Dialog, Page

TOKEN = "123456:TEST-token-for-the-mini-app"
ANNA = {"id": 5001, "first_name": "Anna", "last_name": "Ло & <Co>", "language_code": "ru"}
AUTH_DATE = 1_796_000_000
THEMES = {"light": LIGHT_THEME, "dark": DARK_THEME}

SHOW_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Launch</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/show.css">
<script src="{telegram_js}"></script>
<script src="/show.js" defer></script>
</head><body>
<p id="init-data"></p><p id="user"></p><p id="scheme"></p>
<a id="next" href="/next">Next</a>
</body></html>
"""
SHOW_JS = """
const app = window.Telegram.WebApp;
document.getElementById("init-data").textContent = app.initData;
document.getElementById("user").textContent = app.initDataUnsafe.user.first_name;
document.getElementById("scheme").textContent = app.colorScheme;
app.ready();
"""
SHOW_CSS = """
body { background: var(--tg-theme-bg-color); color: var(--tg-theme-text-color); }
p { overflow-wrap: anywhere; }
"""
OUTSIDE_HTML = """<!doctype html>
<html><body><img src="http://203.0.113.7/pixel.png" alt="outside"></body></html>
"""


@asynccontextmanager
async def launch_page_server(script_url: str) -> AsyncIterator[str]:
    """A small page on loopback that loads Telegram's script from `script_url` under a strict
    Content Security Policy allowing only its own origin and the script's; yields its URL."""
    script_origin = "{0.scheme}://{0.netloc}".format(urlsplit(script_url))
    policy = f"default-src 'self'; script-src 'self' {script_origin}"

    def reply(body: str, content_type: str) -> web.Response:
        return web.Response(
            text=body, content_type=content_type, headers={"Content-Security-Policy": policy}
        )

    async def show(_: web.Request) -> web.Response:
        return reply(SHOW_HTML.format(telegram_js=script_url), "text/html")

    async def show_js(_: web.Request) -> web.Response:
        return reply(SHOW_JS, "text/javascript")

    async def show_css(_: web.Request) -> web.Response:
        return reply(SHOW_CSS, "text/css")

    async def outside(_: web.Request) -> web.Response:
        return web.Response(text=OUTSIDE_HTML, content_type="text/html")

    async def echo(request: web.Request) -> web.Response:
        body = await request.text()
        said = f"{request.method} {request.headers.get('Authorization', '')} {body}"
        return web.Response(text=said)

    app = web.Application()
    app.router.add_get("/", show)
    app.router.add_get("/next", show)
    app.router.add_get("/show.js", show_js)
    app.router.add_get("/show.css", show_css)
    app.router.add_get("/outside", outside)
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture(loop_scope="session")
async def launch_site(telegram_js: str) -> AsyncIterator[str]:
    """The page loading the stand-in from its loopback address."""
    async with launch_page_server(telegram_js) as url:
        yield url


async def launched(phone_page: PhonePages, launch_site: str, scheme: str) -> tuple[Page, str]:
    init_data = signed_init_data(TOKEN, user=ANNA, auth_date=AUTH_DATE)
    page = await phone_page(color_scheme="dark" if scheme == "dark" else "light")
    await page.goto(launch_url(launch_site, init_data, THEMES[scheme]))
    return page, init_data


def test_aiogram_accepts_the_signed_launch_data() -> None:
    init_data = signed_init_data(TOKEN, user=ANNA, auth_date=AUTH_DATE, query_id="AAQ1")

    parsed = safe_parse_webapp_init_data(TOKEN, init_data)

    assert parsed.user is not None
    assert (parsed.user.id, parsed.user.first_name, parsed.user.last_name) == (
        5001,
        "Anna",
        "Ло & <Co>",
    )
    assert int(parsed.auth_date.timestamp()) == AUTH_DATE
    assert parsed.query_id == "AAQ1"


def test_aiogram_refuses_launch_data_signed_for_another_bot() -> None:
    init_data = signed_init_data("654321:another-bot", user=ANNA, auth_date=AUTH_DATE)

    with pytest.raises(ValueError, match="Invalid init data signature"):
        safe_parse_webapp_init_data(TOKEN, init_data)


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_page_reads_the_launch_data_and_the_theme(
    phone_page: PhonePages, launch_site: str, scheme: str
) -> None:
    page, init_data = await launched(phone_page, launch_site, scheme)

    assert await page.locator("#init-data").text_content() == init_data
    assert await page.locator("#user").text_content() == "Anna"
    assert await page.locator("#scheme").text_content() == scheme
    bg = THEMES[scheme]["bg_color"]
    assert (
        await page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-bg-color')"
        )
        == bg
    )
    red, green, blue = (int(bg[at : at + 2], 16) for at in (1, 3, 5))
    assert (
        await page.evaluate("getComputedStyle(document.body).backgroundColor")
        == f"rgb({red}, {green}, {blue})"
    )
    assert await page.evaluate("Telegram.WebView.posted.map(e => e.eventType)") == [
        "web_app_ready"
    ]
    assert (phone_page.errors, phone_page.console_errors, phone_page.blocked) == ([], [], [])


async def test_the_launch_data_outlives_a_navigation_inside_the_app(
    phone_page: PhonePages, launch_site: str
) -> None:
    page, init_data = await launched(phone_page, launch_site, "dark")

    await page.locator("#next").click()
    await page.wait_for_url("**/next")

    assert urlsplit(page.url).fragment == ""
    assert await page.locator("#init-data").text_content() == init_data
    assert await page.locator("#scheme").text_content() == "dark"


async def test_requests_beyond_loopback_are_aborted(
    phone_page: PhonePages, launch_site: str
) -> None:
    page = await phone_page()

    await page.goto(f"{launch_site}outside")
    fetched = await page.evaluate(
        "fetch('https://example.com/x').then(() => 'fetched', e => 'refused: ' + e.message)"
    )

    assert fetched.startswith("refused")
    assert phone_page.blocked == ["http://203.0.113.7/pixel.png", "https://example.com/x"]
    assert await page.evaluate("document.querySelector('img').naturalWidth") == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_a_screenshot_is_a_phone_wide_png(
    phone_page: PhonePages, launch_site: str, scheme: str, tmp_path: Path
) -> None:
    page, _ = await launched(phone_page, launch_site, scheme)

    saved = await save_screenshot(page, tmp_path / "shots" / f"launch-{scheme}.png")

    png = saved.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width == PHONE_VIEWPORT["width"] * PHONE_SCALE
    assert height >= PHONE_VIEWPORT["height"] * PHONE_SCALE


def test_tests_that_use_the_browser_carry_its_marker(
    browser: Browser, request: pytest.FixtureRequest
) -> None:
    assert request.node.get_closest_marker("browser") is not None


def skipped(reason: str) -> pytest.TestReport:
    location = ("tests/test_x.py", 1, "test_y")
    longrepr = ("tests/test_x.py", 1, f"Skipped: {reason}")
    return pytest.TestReport("tests/test_x.py::test_y", location, {}, "skipped", longrepr, "setup")


def test_the_browser_banner_counts_only_tests_skipped_for_a_missing_chromium(
    pytestconfig: pytest.Config,
) -> None:
    output = io.StringIO()
    reporter = pytest.TerminalReporter(pytestconfig, file=output)
    reporter.stats = {"skipped": [skipped("SKIPPED SERVICE: Redis is not running")] * 2}
    reporter.stats["skipped"] += [skipped("SKIPPED BROWSER: Chromium is not installed")] * 3

    conftest.pytest_terminal_summary(reporter)

    banner = output.getvalue()
    assert "BROWSER NOT TESTED" in banner
    assert "3 browser tests skipped" in banner
    assert banner.count("Chromium is not installed") == 1
    assert "2 tests skipped for missing services" in banner


async def test_confirm_and_back_button_are_played_by_the_test(
    phone_page: PhonePages, launch_site: str
) -> None:
    page, _ = await launched(phone_page, launch_site, "light")
    asked: list[str] = []

    async def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    page.once("dialog", accept)
    accepted = await page.evaluate("new Promise(r => Telegram.WebApp.showConfirm('Delete?', r))")
    dismissed = await page.evaluate("new Promise(r => Telegram.WebApp.showConfirm('Again?', r))")
    await page.evaluate(
        "Telegram.WebApp.BackButton.show().onClick(() => { document.title = 'back' })"
    )
    await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed')")

    assert (asked, accepted, dismissed) == (["Delete?"], True, False)
    assert await page.title() == "back"
    assert await page.evaluate("Telegram.WebView.posted.map(e => e.eventData)") == [
        None,
        {"is_visible": True},
    ]


async def test_a_page_opens_at_its_public_address_served_from_loopback(
    phone_page: PhonePages, telegram_js: str
) -> None:
    init_data = signed_init_data(TOKEN, user=ANNA, auth_date=AUTH_DATE)
    phone_page.serve(TELEGRAM_JS_PUBLIC, at=telegram_js)
    page = await phone_page()

    async with launch_page_server(TELEGRAM_JS_PUBLIC) as site:
        phone_page.serve("https://miniapp.test", at=site)
        await page.goto(launch_url("https://miniapp.test/", init_data, LIGHT_THEME))
        await page.locator("#next").click()
        await page.wait_for_url("https://miniapp.test/next")

        echoed = await page.evaluate(
            "fetch('/echo', {method: 'POST', body: 'x',"
            " headers: {Authorization: 'tma ' + Telegram.WebApp.initData}}).then(r => r.text())"
        )

        assert await page.evaluate("location.origin") == "https://miniapp.test"
        assert await page.locator("#init-data").text_content() == init_data
        assert echoed == f"POST tma {init_data} x"
    assert (phone_page.errors, phone_page.console_errors, phone_page.blocked) == ([], [], [])
