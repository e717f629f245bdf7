"""Browser tests: Debian's Chromium driven by Playwright, a phone-sized page that never leaves
loopback, and the stand-in for Telegram's script served beside it (docs/browser-tests.md).

Playwright is imported inside the fixtures: every pytest process imports this module (through
tests/conftest.py), and only the browser tests need Playwright."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from aiohttp import web

from tests.support.databases import services_required

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Error,
        Page,
        Request,
        Route,
        WebSocketRoute,
    )

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
# No sandbox (tests run as root in containers), no GPU, and nothing Chromium would fetch on its
# own (updates, sync, field trials, QUIC probes); Playwright gives each launch a fresh profile.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A phone as Telegram shows a Mini App on it (an iPhone 14's CSS pixels, at twice the density).
PHONE_VIEWPORT = {"width": 390, "height": 844}
PHONE_SCALE = 2
TELEGRAM_JS = Path(__file__).parent / "static" / "telegram-web-app.js"
# Where pages load the real script from (WEBAPP_TELEGRAM_JS_URL's default): `telegram_js` serves
# the stand-in at the same path, for `PhonePages.serve(TELEGRAM_JS_PUBLIC, at=telegram_js)`.
TELEGRAM_JS_PUBLIC = "https://telegram.org/js/telegram-web-app.js"
SKIP_PREFIX = "SKIPPED BROWSER"

ColorScheme = Literal["light", "dark"]


def skip_or_fail_browser(reason: str) -> None:
    """Skip loudly (counted in the "BROWSER NOT TESTED" banner of tests/conftest.py), or fail
    when REQUIRE_SERVICES is set (CI), as for a missing PostgreSQL or Redis."""
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this is a failure)", pytrace=False)
    pytest.skip(f"{SKIP_PREFIX}: {reason}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def installed_chromium() -> Path:
    """Debian's Chromium, or a loud skip (a failure under REQUIRE_SERVICES) when it is missing."""
    if not CHROMIUM.exists():
        skip_or_fail_browser(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        )
    return CHROMIUM


def is_loopback(url: str) -> bool:
    """Whether `url` stays on this machine; `data:`, `blob:` and `about:` have no host and never
    reach the network."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOOPBACK_HOSTS


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium per pytest process (each xdist worker has its own). Async, on the
    session loop the whole suite shares (pyproject's asyncio_default_*_loop_scope): Playwright's
    connection is a task on that loop, so the tests' own awaits drive it."""
    executable = installed_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class PhonePages:
    """Opens phone-sized pages, each in a context of its own (its own cookies and storage).

    Every request to anything but loopback is aborted and its URL kept in `blocked`; uncaught
    JavaScript errors are kept in `errors` and console errors (failed loads, Content Security
    Policy refusals) in `console_errors`, for a test to assert on."""

    browser: Browser
    # Public origin -> local origin whose server answers for it (see `serve`).
    served: dict[str, str] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    async def __call__(
        self, *, color_scheme: ColorScheme = "light", locale: str = "en-US"
    ) -> Page:
        context = await self.browser.new_context(
            viewport={"width": PHONE_VIEWPORT["width"], "height": PHONE_VIEWPORT["height"]},
            device_scale_factor=PHONE_SCALE,
            is_mobile=True,
            has_touch=True,
            color_scheme=color_scheme,
            locale=locale,
            service_workers="block",  # a service worker's requests would pass the route by
        )
        self.contexts.append(context)
        await context.route("**/*", self._only_loopback)
        await context.route_web_socket(re.compile(".*"), self._only_loopback_socket)
        page = await context.new_page()
        page.on("pageerror", self._on_page_error)
        page.on("console", self._on_console)
        return page

    def serve(self, public: str, *, at: str) -> None:
        """Requests to the origin of `public` (e.g. WEBAPP_URL's `https://miniapp.test`, or
        `TELEGRAM_JS_PUBLIC`'s `https://telegram.org`) are answered by the server at the origin
        of `at`, on loopback, the path kept: a page opens at its public address as Telegram
        opens it (its origin, `location`, CSP `'self'`), served on this machine. Serve every
        origin such a page loads from: Chromium refuses a public page's requests to loopback
        (Local Network Access). Holds for every page of this factory, from the next request."""
        if not is_loopback(at):
            raise ValueError(f"{at} is not on loopback")
        self.served[_origin(public)] = _origin(at)

    async def _only_loopback(self, route: Route, request: Request) -> None:
        local = self.served.get(_origin(request.url))
        if local is not None:
            # Fetched by Playwright from the local server, redirects passed on to the page.
            path = urlsplit(request.url)._replace(scheme="", netloc="", fragment="").geturl()
            response = await route.fetch(url=local + path, max_redirects=0)
            await route.fulfill(response=response)
        elif is_loopback(request.url):
            await route.fallback()
        else:
            self.blocked.append(request.url)
            await route.abort("blockedbyclient")

    async def _only_loopback_socket(self, socket: WebSocketRoute) -> None:
        if is_loopback(socket.url):
            socket.connect_to_server()
        else:
            self.blocked.append(socket.url)
            await socket.close(code=1008, reason="tests stay on loopback")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"{error.name}: {error.message}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()
        self.contexts.clear()


@pytest_asyncio.fixture
async def phone_page(browser: Browser) -> AsyncIterator[PhonePages]:
    """`page = await phone_page(color_scheme="dark", locale="ru-RU")`: a new phone page; every
    page it opened is closed after the test."""
    pages = PhonePages(browser)
    try:
        yield pages
    finally:
        await pages.close()


async def _telegram_js(_: web.Request) -> web.FileResponse:
    return web.FileResponse(TELEGRAM_JS, headers={"Content-Type": "text/javascript"})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def telegram_js() -> AsyncIterator[str]:
    """The URL of the stand-in for telegram-web-app.js, served on 127.0.0.1 at a free port (the
    app's WEBAPP_TELEGRAM_JS_URL points there in browser tests that open pages on loopback).
    It is also served at TELEGRAM_JS_PUBLIC's path, for pages opened at their public address."""
    app = web.Application()
    app.router.add_get("/telegram-web-app.js", _telegram_js)
    app.router.add_get(urlsplit(TELEGRAM_JS_PUBLIC).path, _telegram_js)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/telegram-web-app.js"
    finally:
        await runner.cleanup()
