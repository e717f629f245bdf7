"""The Mini App served over real HTTP beside the bot (as `reviewbot run` serves it with
WEBAPP_URL set), and requests made as a person opening it from Telegram."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from reviewbot.telegram_side import webapp_deps
from reviewbot.web import serving
from tests.support.app import BotApp, Person
from tests.support.browser import TELEGRAM_JS_PUBLIC, PhonePages
from tests.support.webapp_launch import DARK_THEME, LIGHT_THEME, launch_url, signed_init_data
from webapp.build import build_webapp

if TYPE_CHECKING:
    from playwright.async_api import Page

# The public address the tests configure; the app is served under its path on loopback.
WEBAPP_URL = "https://reviewbot.test/app"


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        import json

        return json.loads(self.text)


@dataclass
class MiniApp:
    bot_app: BotApp
    base_url: str  # http://127.0.0.1:<port>/app
    http: aiohttp.ClientSession

    @property
    def token(self) -> str:
        return self.bot_app.telegram.token

    def init_data(self, person: Person, *, age_seconds: int = 0, token: str | None = None) -> str:
        """Launch data as Telegram signs it for `person` (another `token`: a forgery)."""
        user = person.chat.user_dict
        return signed_init_data(
            token or self.token, user=user, auth_date=int(time.time()) - age_seconds
        )

    def headers(self, person: Person, **launch: Any) -> dict[str, str]:
        return {"Authorization": "tma " + self.init_data(person, **launch)}

    def launch_url(
        self, person: Person, suffix: str = "/", theme: dict[str, str] = LIGHT_THEME
    ) -> str:
        """The address Telegram opens for `person` (a web_app button's URL plus the fragment)."""
        return launch_url(self.base_url + suffix, self.init_data(person), theme)

    async def request(
        self,
        method: str,
        suffix: str,
        person: Person | None = None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        sent = dict(headers or {})
        if person is not None:
            sent.update(self.headers(person))
        async with self.http.request(
            method, self.base_url + suffix, headers=sent, **kwargs
        ) as got:
            return Answer(got.status, await got.text(), dict(got.headers))

    async def open_in_telegram(
        self,
        phone_page: PhonePages,
        telegram_js: str,
        person: Person,
        suffix: str = "/",
        *,
        theme: dict[str, str] = LIGHT_THEME,
    ) -> "Page":
        """A phone-sized page opened as Telegram opens a web_app button's URL: at the public
        address (`WEBAPP_URL` + suffix, served from loopback) with the signed launch data and
        the theme in the fragment, Telegram's script played by the stand-in; returned once the
        page's content is shown."""
        phone_page.serve(TELEGRAM_JS_PUBLIC, at=telegram_js)
        phone_page.serve(self.bot_app.settings.webapp_url, at=self.base_url)
        page = await phone_page(color_scheme="dark" if theme is DARK_THEME else "light")
        public = self.bot_app.settings.webapp_url + suffix
        await page.goto(launch_url(public, self.init_data(person), theme))
        await shown(page)
        return page

    async def get(self, suffix: str, person: Person | None = None, **kwargs: Any) -> Answer:
        return await self.request("GET", suffix, person, **kwargs)

    async def api(self, suffix: str, person: Person | None = None) -> Answer:
        return await self.get("/api" + suffix, person)

    async def part(self, suffix: str, person: Person | None = None) -> Answer:
        return await self.get("/part" + suffix, person)


@asynccontextmanager
async def serving_mini_app(bot_app: BotApp) -> AsyncIterator[MiniApp]:
    settings = bot_app.settings
    assert settings.webapp_url, "the Mini App is served only with WEBAPP_URL set"
    app = web.Application()
    build_webapp(webapp_deps(bot_app.runtime, bot_app.resources)).install(app)
    async with (
        serving(app, "127.0.0.1", 0, "the Mini App") as address,
        aiohttp.ClientSession() as http,
    ):
        yield MiniApp(bot_app=bot_app, base_url=address + settings.webapp_path, http=http)


async def shown(page: "Page") -> None:
    """Wait until the page's content has loaded (the shell marks it not busy)."""
    await page.wait_for_selector("main[aria-busy=false]")
