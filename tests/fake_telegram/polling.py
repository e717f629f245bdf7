"""One ``getUpdates`` at a time, as Telegram allows.

A second ``getUpdates`` while a long poll is waiting ends the first one with 409 "Conflict:
terminated by other getUpdates request" (two bot instances polling one token).

A client that gives up on its long poll is not a second instance: aiogram cancels the request
when polling stops and closes the connection; the server (``handler_cancellation=True``)
cancels that handler as soon as it sees the connection go, which can be a moment after the next
request already arrived. So a newer request first waits ``DISCONNECT_GRACE`` for the older one
to end by itself, and only then terminates it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
DISCONNECT_GRACE = 3.0


class LongPoll:
    """One getUpdates request being served."""

    def __init__(self) -> None:
        self.terminated = False
        self.finished = asyncio.Event()


class PollSlot:
    """The getUpdates request Telegram is serving now (at most one)."""

    def __init__(self, wake: Callable[[], None], grace: float = DISCONNECT_GRACE) -> None:
        self._current: LongPoll | None = None
        self._wake = wake
        self.grace = grace
        self.served = 0  # requests that got the slot so far

    async def enter(self) -> LongPoll:
        """Take the slot; a still-waiting older request is terminated (after the grace)."""
        earlier = self._current
        if earlier is not None and not earlier.finished.is_set():
            try:
                await asyncio.wait_for(earlier.finished.wait(), self.grace)
            except TimeoutError:
                earlier.terminated = True
                self._wake()
        poll = LongPoll()
        self._current = poll
        self.served += 1
        return poll

    def leave(self, poll: LongPoll) -> None:
        poll.finished.set()
        if self._current is poll:
            self._current = None
