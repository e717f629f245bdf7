"""Pacing of chat messages within Telegram's limits: about 30 messages a second overall and one
a second to a chat. The bot waits for its turn instead of collecting 429s.

Telegram counts a message when it arrives, which is somewhere between the moment we start the
request and the moment its answer is back: how long that takes varies (the network, and our own
busy event loop). So a send holds its place from its start until one window after its answer:
a new one starts only while fewer than `per_second` sends are on their way or answered within
the last second, and a chat's next message starts a `chat_interval` after the answer to its
previous one. Whatever the delays, no second on Telegram's side then holds more than allowed.
The limits are per process: with several workers, give each its share of the overall rate.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Hashable

# Added to both windows, so that timers firing a little early never cut one short.
EDGE_MARGIN_SECONDS = 0.005


class Pacer:
    """`async with pacer.sending(chat):` around each request that sends a message."""

    def __init__(self, *, per_second: int = 30, chat_interval: float = 1.0) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self._per_second = per_second
        self._window = 1.0 + EDGE_MARGIN_SECONDS
        self._chat_interval = chat_interval + EDGE_MARGIN_SECONDS
        self._answered: deque[float] = deque()  # answers within the last window, oldest first
        self._on_the_way = 0
        self._busy_chats: set[Hashable] = set()
        self._chat_next: dict[Hashable, float] = {}
        self._held_until = 0.0
        self._answer = asyncio.Event()  # set (and replaced) at every answer

    def hold(self, seconds: float) -> None:
        """Telegram asked to wait (429 retry_after): nothing starts for that long."""
        loop = asyncio.get_running_loop()
        self._held_until = max(self._held_until, loop.time() + seconds)

    @contextlib.asynccontextmanager
    async def sending(self, chat: Hashable) -> AsyncIterator[None]:
        await self._start(chat)
        try:
            yield
        finally:
            self._answered_now(chat)

    async def _start(self, chat: Hashable) -> None:
        loop = asyncio.get_running_loop()
        # The chat's own turn is waited for first, holding up no other chat.
        delay = self._chat_next.get(chat, 0.0) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        while (wake := self._blocked_until(chat, loop.time())) is not None:
            timeout = None if wake == float("inf") else max(0.0, wake - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answer.wait(), timeout)
        # No await since the check: the place is taken before anyone else can look.
        self._on_the_way += 1
        self._busy_chats.add(chat)

    def _blocked_until(self, chat: Hashable, now: float) -> float | None:
        """None when a send to `chat` may start now; else when to look again (infinity: when
        a send on its way is answered)."""
        while self._answered and self._answered[0] + self._window <= now:
            self._answered.popleft()
        if chat in self._busy_chats:
            return float("inf")
        moments = [self._chat_next.get(chat, 0.0), self._held_until]
        if self._on_the_way + len(self._answered) >= self._per_second:
            moments.append(self._answered[0] + self._window if self._answered else float("inf"))
        wake = max(moments)
        return wake if wake > now else None

    def _answered_now(self, chat: Hashable) -> None:
        now = asyncio.get_running_loop().time()
        self._on_the_way -= 1
        self._busy_chats.discard(chat)
        self._answered.append(now)
        self._chat_next[chat] = now + self._chat_interval
        if len(self._chat_next) > 8 * self._per_second:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        answer, self._answer = self._answer, asyncio.Event()
        answer.set()  # everyone waiting looks again
