"""The bot as the tests see it, and people who talk to it."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject, Update

from core.config import Settings
from infra.database import SessionFactory
from reviewbot.runtime import UPDATES_GRACE_SECONDS, BotRuntime, Resources, open_bot
from tests.fake_telegram import BotOutput, FakeTelegram, TelegramUser
from tests.support.smtp import SmtpSink, code_in

_user_ids = count(7_000_001)


class HandledUpdates(BaseMiddleware):
    """The update_ids whose handling has ended: a test waits for its update to be handled
    instead of waiting a while for silence. Registered after the bot's own outer middlewares,
    so an update they stop (over the rate limits, a group chat's) never gets here."""

    def __init__(self) -> None:
        self._ended: dict[int, asyncio.Event] = {}

    def _event(self, update_id: int) -> asyncio.Event:
        return self._ended.setdefault(update_id, asyncio.Event())

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            if isinstance(event, Update):
                self._event(event.update_id).set()

    async def wait(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the update `update_id` was handled (fails after `timeout` seconds)."""
        try:
            await asyncio.wait_for(self._event(update_id).wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"update {update_id} not handled within {timeout} s") from None


@dataclass
class BotApp:
    telegram: FakeTelegram
    smtp: SmtpSink
    settings: Settings
    session_factory: SessionFactory
    resources: Resources
    bot: Bot
    storage: BaseStorage  # the dispatcher's FSM storage
    handled: HandledUpdates
    runtime: BotRuntime
    people: list["Person"] = field(default_factory=list)

    def person(
        self, email: str, *, language_code: str = "en", first_name: str = "Test"
    ) -> "Person":
        user = self.telegram.user(
            next(_user_ids), language_code=language_code, first_name=first_name
        )
        person = Person(app=self, chat=user, email=email)
        self.people.append(person)
        return person

    async def registered(
        self, email: str, *, language_code: str = "en", first_name: str = "Test"
    ) -> "Person":
        """A person who went through /start and confirmed the address."""
        person = self.person(email, language_code=language_code, first_name=first_name)
        await person.register()
        return person


@asynccontextmanager
async def polling_bot(
    resources: Resources,
    token: str,
    handled: HandledUpdates | None = None,
    *,
    grace: float = UPDATES_GRACE_SECONDS,
) -> AsyncIterator[BotRuntime]:
    """The real dispatcher polling the Bot API server at `resources.settings.telegram_api_url`
    (as a bot process does), stopped on leaving the block."""
    async with open_bot(resources, token, grace=grace) as runtime:
        if handled is not None:
            runtime.dispatcher.update.outer_middleware(handled)
        polling = asyncio.create_task(
            # As `Polling.run` does: open_bot closes the session, once the updates it took
            # have finished (or their grace is over).
            runtime.dispatcher.start_polling(
                runtime.bot, handle_signals=False, close_bot_session=False
            )
        )
        try:
            yield runtime
        finally:
            await runtime.dispatcher.stop_polling()
            await polling


@asynccontextmanager
async def running_bot_app(
    resources: Resources,
    session_factory: SessionFactory,
    telegram: FakeTelegram,
    smtp: SmtpSink,
    *,
    grace: float = UPDATES_GRACE_SECONDS,
) -> AsyncIterator[BotApp]:
    """The bot polling the fake Bot API server over HTTP, as the `bot_app` fixture gives it
    (`grace`: how long updates being handled may finish when it stops)."""
    smtp.clear()
    handled = HandledUpdates()
    async with polling_bot(resources, telegram.token, handled, grace=grace) as runtime:
        yield BotApp(
            telegram=telegram,
            smtp=smtp,
            settings=resources.settings,
            session_factory=session_factory,
            resources=resources,
            bot=runtime.bot,
            storage=runtime.dispatcher.storage,
            handled=handled,
            runtime=runtime,
        )


@dataclass
class Person:
    app: BotApp
    chat: TelegramUser
    email: str

    async def say(self, text: str) -> BotOutput:
        """Send a text and return the bot's next screen."""
        await self.chat.send_text(text)
        return await self.chat.next_screen()

    async def ask_code(self, command: str = "/start") -> str:
        """Go through `command` and the address; return the code that arrived by mail."""
        await self.say(command)
        mails_before = len([m for m in self.app.smtp.messages if self.email in str(m["To"])])
        answer = await self.say(self.email)
        assert "code" in answer.text, answer.text
        mail = await self.app.smtp.wait_for(self.email, count=mails_before + 1)
        return code_in(mail)

    async def register(self) -> None:
        code = await self.ask_code("/start")
        answer = await self.say(code)
        assert "is confirmed" in answer.text, answer.text

    async def upload(
        self, name: str | None, content: bytes, file_size: int | None = None
    ) -> BotOutput:
        await self.chat.send_document(name, content, file_size=file_size)
        return await self.chat.next_screen()

    async def files(self) -> BotOutput:
        return await self.say("/files")

    async def click(self, screen: BotOutput, button: str) -> BotOutput:
        await self.chat.click(screen, button)
        return await self.chat.next_screen()
