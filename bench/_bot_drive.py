"""The two bots of the responsiveness benchmark and the run that times them: a burst of
`/files` commands, then a burst of presses on the lists they brought."""

import enum
import importlib
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiogram import Dispatcher
from aiogram.types import CallbackQuery, Message

from core.config import Settings
from reviewbot.runtime import open_bot, open_resources
from tests.fake_telegram import BotOutput, FakeTelegram, TelegramUser
from tests.fake_telegram.aiogram_helpers import make_bot, polling

PHASE_TIMEOUT = 120.0  # seconds for one burst to be answered
FILE_BUTTON_PREFIX = "f:"


class Kind(enum.Enum):
    FILES = "/files"
    CARDS = "file-card callbacks"


@dataclass(frozen=True)
class Rates:
    """Updates/s of each kind (0 until measured)."""

    per_kind: dict[Kind, float] = field(default_factory=dict)

    def of(self, kind: Kind) -> float:
        return self.per_kind.get(kind, 0.0)

    def best(self, other: "Rates") -> "Rates":
        return Rates({kind: max(self.of(kind), other.of(kind)) for kind in Kind})


class Contender(Protocol):
    def running(self, fake: FakeTelegram) -> AbstractAsyncContextManager[None]:
        """The bot polling `fake` for the duration of the block."""

    def press(self, screen: BotOutput, index: int) -> str:
        """The callback data to press on `screen`, its answer to the `index`-th /files."""


class Bare:
    """A bare aiogram bot: echoes messages, answers a press and edits its message."""

    @asynccontextmanager
    async def running(self, fake: FakeTelegram) -> AsyncIterator[None]:
        dispatcher = Dispatcher()
        dispatcher.message.register(_echo)
        dispatcher.callback_query.register(_pressed)
        async with polling(dispatcher, make_bot(fake)):
            yield

    def press(self, screen: BotOutput, index: int) -> str:
        return f"pressed:{index}"


async def _echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def _pressed(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(f"pressed {query.data}")


class Ours:
    """Our dispatcher, built as `reviewbot run` builds it (no worker)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @asynccontextmanager
    async def running(self, fake: FakeTelegram) -> AsyncIterator[None]:
        async with (
            open_resources(self._settings) as resources,
            open_bot(resources, fake.token) as runtime,
        ):
            allowed = runtime.dispatcher.resolve_used_update_types()
            async with polling(runtime.dispatcher, runtime.bot, allowed_updates=allowed):
                yield

    def press(self, screen: BotOutput, index: int) -> str:
        """A file's button on the list (they take turns), opening that file's card."""
        data = [
            button.callback_data
            for row in screen.buttons
            for button in row
            if button.callback_data and button.callback_data.startswith(FILE_BUTTON_PREFIX)
        ]
        if not data:
            raise AssertionError(f"no file button on {screen.describe()}")
        return data[index % len(data)]


async def drive(
    fake: FakeTelegram,
    person: TelegramUser,
    contender: Contender,
    updates: int,
    profile: Path | None = None,
) -> Rates:
    """Updates/s of `contender` for `updates` /files commands, then as many presses (after an
    untimed burst of /files: connections and pools open, as in a bot that has been running)."""
    async with contender.running(fake):
        person.consume_all()
        for _ in range(updates):
            await person.send_text("/files")
        warm = await _collect(person, {"message": updates})
        for index, screen in enumerate(warm["message"]):
            contender.press(screen, index)  # an error instead of a list fails the benchmark
        profiler = _start_profiler() if profile is not None else None
        started = time.perf_counter()
        for _ in range(updates):
            await person.send_text("/files")
        lists = await _collect(person, {"message": updates})
        files_rate = updates / (time.perf_counter() - started)
        started = time.perf_counter()
        for index, screen in enumerate(lists["message"]):
            assert screen.message_id is not None
            await person.click_data(screen.message_id, contender.press(screen, index))
        await _collect(person, {"edit": updates, "callback_answer": updates})
        cards_rate = updates / (time.perf_counter() - started)
        if profiler is not None and profile is not None:
            _write_profile(profiler, profile)
    return Rates({Kind.FILES: files_rate, Kind.CARDS: cards_rate})


async def _collect(person: TelegramUser, wanted: dict[str, int]) -> dict[str, list[BotOutput]]:
    """The bot's next outputs in this chat until `wanted` of each kind came (others kept too)."""
    seen: dict[str, list[BotOutput]] = {kind: [] for kind in wanted}
    while any(len(seen[kind]) < count for kind, count in wanted.items()):
        output = await person.next_output(timeout=PHASE_TIMEOUT)
        seen.setdefault(output.kind, []).append(output)
    return seen


def _start_profiler() -> Any:
    """pyinstrument, for local profiling only (not a dependency of the project)."""
    profiler = importlib.import_module("pyinstrument").Profiler(
        interval=0.0005, async_mode="disabled"
    )
    profiler.start()
    return profiler


def _write_profile(profiler: Any, path: Path) -> None:
    profiler.stop()
    path.write_text(profiler.output_html())
    path.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=True))
