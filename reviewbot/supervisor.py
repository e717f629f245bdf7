"""How a process lives: its Telegram side runs until SIGTERM/SIGINT (a clean stop, exit 0) or
until Telegram refuses the token (`TelegramRefusedError`, exit 2), whichever comes first."""

import asyncio
import signal
from typing import Protocol

from bot.connect import (
    REFUSED_AT_START,
    REFUSED_WHILE_RUNNING,
    TelegramLink,
    TelegramRefusedError,
)


class TelegramSide(Protocol):
    async def run(self) -> None:
        """Wait for Telegram, then serve until stopped."""

    async def stop(self, task: "asyncio.Task[None]") -> None:
        """Make `task` (running `run`) end and wait for it, without raising what it raised."""


async def supervise(link: TelegramLink, side: TelegramSide) -> None:
    stop_requested = _stop_on_signals()
    task = asyncio.create_task(side.run(), name="telegram")
    watchers = [
        asyncio.create_task(stop_requested.wait(), name="signals"),
        asyncio.create_task(link.refused.wait(), name="token-refused"),
    ]
    try:
        await asyncio.wait([task, *watchers], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for watcher in watchers:
            watcher.cancel()
        if not task.done():
            await side.stop(task)
    ended_by = None if task.cancelled() else task.exception()
    if link.refused.is_set():
        if link.connected:
            raise TelegramRefusedError(REFUSED_WHILE_RUNNING, while_running=True)
        raise TelegramRefusedError(REFUSED_AT_START)
    if ended_by is not None:
        raise ended_by  # what ended the Telegram side on its own (e.g. TelegramRefusedError)


async def cancel(task: "asyncio.Task[None]") -> None:
    """Cancel and wait; what the task raised stays in it for `supervise` to judge."""
    task.cancel()
    await asyncio.wait([task])


def _stop_on_signals() -> asyncio.Event:
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    return stop_requested
