"""The one place that reads the wall clock.

Time is an input: services carry a `Clock`, domain functions take `now`, and tests decide
what time it is. Deadlines, quiet hours and "shipped today" depend on the hour of the day
in Beijing and in the user's zone, so code that read the wall clock itself would behave
differently at 03:00 than at 15:00 and could only be tested at whatever hour the suite
happened to run. ruff's banned-api rule (pyproject.toml) refuses `datetime.now()`,
`date.today()` and `time.time()` everywhere else.

`monotonic()` is for measuring and waiting: it never jumps when the wall clock is set.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that only moves forward, for timeouts and rates."""
        ...


class SystemClock:
    """The machine's clock: what the running bot uses."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ShiftedClock:
    """Real time, moved so that it reads `start` at the moment it is created.

    It ticks at the machine's pace, so timers and reminders still fire for real; only the
    date and hour differ. Tests use it to run the whole bot at a chosen moment (03:06
    Beijing's small hours, 23:30 on 31 December), see `--at` in tests/conftest.py.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def monotonic(self) -> float:
        return time.monotonic()

    def jump(self, delta: timedelta) -> None:
        """Step the wall clock (forward or back), as NTP or an operator would; the monotonic
        clock, like the machine's, does not move."""
        self._offset += delta


class ManualClock:
    """A clock that moves only when told to: for tests of time-dependent rules and loops."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._monotonic = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, delta: timedelta) -> None:
        """Move forward; a negative delta moves the wall clock back (as a clock step does),
        never the monotonic one."""
        self._now += delta
        self._monotonic += max(delta.total_seconds(), 0.0)

    def set(self, moment: datetime) -> None:
        """Set the wall clock (forward or back), as an operator or NTP would."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        self._now = moment.astimezone(UTC)
