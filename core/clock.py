"""What time it is: the system clock, or a clock that moves only when told to (for tests).

Services that decide by time (a code's lifetime, the pause before a new code) take a `Clock`
instead of reading the system time themselves, so a test can move time instead of editing rows.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol

from core.models import utcnow


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return utcnow()


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that stands still until `advance` moves it forward."""

    def __init__(self, start: datetime | None = None) -> None:
        start = utcnow() if start is None else start
        if start.utcoffset() != timedelta(0):
            raise ValueError(f"a clock runs in UTC, not {start.tzinfo!r}")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, step: timedelta) -> datetime:
        """Move the clock forward by `step` (never back); return the new moment."""
        if step < timedelta(0):
            raise ValueError("a clock does not go back")
        self._now += step
        return self._now
