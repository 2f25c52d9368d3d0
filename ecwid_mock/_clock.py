"""Clocks for the sender: a virtual one for tests, the real one for live URLs.

Every clock gives ``now()`` as float UNIX seconds. The sender stamps attempts and
schedules retries with it, and the event factory uses it for ``eventCreated``. With
:class:`VirtualClock` a 24-hour retry schedule runs in milliseconds: time only moves
when a test (or ``sender.run_until_idle()``) moves it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from ._errors import InvalidOption

__all__ = [
    "DEFAULT_START",
    "Clock",
    "RealClock",
    "VirtualClock",
    "format_time",
    "now_start",
    "parse_start",
]

#: Where a :class:`VirtualClock` starts unless told otherwise:
#: 2024-09-04T00:00:00Z, a fixed instant so that runs are reproducible.
DEFAULT_START = 1_725_408_000.0


@runtime_checkable
class Clock(Protocol):
    """What the sender needs from a clock."""

    def now(self) -> float:
        """Current time, UNIX seconds."""
        ...

    def wait_until(self, when: float) -> None:
        """Return once ``now() >= when``."""
        ...

    async def wait_until_async(self, when: float) -> None:
        """Like :meth:`wait_until`, without blocking the event loop."""
        ...


class RealClock:
    """Wall-clock time; waiting really sleeps. Used for live URLs."""

    def now(self) -> float:
        return time.time()

    def wait_until(self, when: float) -> None:
        delay = when - time.time()
        if delay > 0:
            time.sleep(delay)

    async def wait_until_async(self, when: float) -> None:
        delay = when - time.time()
        if delay > 0:
            await asyncio.sleep(delay)

    def __repr__(self) -> str:
        return "RealClock()"


class VirtualClock:
    """A clock that stands still until moved, so tests decide when retries fall due.

    ``VirtualClock()`` starts at :data:`DEFAULT_START` (2024-09-04T00:00:00Z).
    Waiting for a later time jumps straight to it. Safe to share between threads.
    """

    def __init__(self, start: float | datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _as_timestamp(DEFAULT_START if start is None else start, name="start")

    def now(self) -> float:
        return self._now

    def advance(
        self,
        seconds: float = 0.0,
        *,
        minutes: float = 0.0,
        hours: float = 0.0,
        days: float = 0.0,
    ) -> float:
        """Move time forward by the sum of the arguments; returns the new time."""
        for name, value in (
            ("seconds", seconds),
            ("minutes", minutes),
            ("hours", hours),
            ("days", days),
        ):
            _finite(f"advance {name}=", value, minimum=-_LATEST)
        delta = seconds + 60.0 * minutes + 3600.0 * hours + 86400.0 * days
        if delta < 0:
            raise InvalidOption(
                "clock advance", delta, "zero or more seconds (time never goes back)"
            )
        with self._lock:
            if self._now + delta > _LATEST:
                raise InvalidOption(
                    "clock advance", delta, "a step that stays before the year 10000"
                )
            self._now += delta
            return self._now

    def advance_to(self, when: float | datetime) -> float:
        """Move time forward to ``when`` (no-op if it is already past); returns the new time."""
        target = _as_timestamp(when, name="advance_to time")
        with self._lock:
            if target > self._now:
                self._now = target
            return self._now

    def wait_until(self, when: float) -> None:
        self.advance_to(when)

    async def wait_until_async(self, when: float) -> None:
        self.advance_to(when)

    def __repr__(self) -> str:
        return f"VirtualClock({format_time(self._now)})"


def format_time(timestamp: float) -> str:
    """ISO 8601 UTC, to the millisecond when there is a fraction: 2024-09-04T00:15:00Z."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    text = moment.isoformat(timespec="milliseconds" if timestamp % 1 else "seconds")
    return text.replace("+00:00", "Z")


def now_start() -> float:
    """The wall clock to the whole second: where test clocks start by default, so that a
    receiver that refuses events older than Ecwid's 24-hour retry window accepts them."""
    return float(int(time.time()))


def parse_start(value: str, *, source: str) -> float:
    """A clock start from text: ``now``, UNIX seconds, or ISO 8601 with a zone
    (``2024-09-04T00:00:00Z``); :class:`InvalidOption` naming ``source`` otherwise."""
    text = value.strip()
    if text.lower() == "now":
        return now_start()
    try:
        return float(int(text))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidOption(
            "clock start",
            value,
            "'now', UNIX seconds, or an ISO 8601 time with a zone such as 2024-09-04T00:00:00Z",
            source=source,
        )
    return moment.timestamp()


def _as_timestamp(value: float | datetime, *, name: str) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidOption(name, value, "a timezone-aware datetime or UNIX seconds")
        return value.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOption(name, value, "UNIX seconds (a number) or an aware datetime")
    return _finite(name, value, minimum=0.0)


#: Clock values stay within what datetime can show (year 1 to 9999): 0 to 9999-12-31.
_LATEST = 253402300799.0


def _finite(name: str, value: float, *, minimum: float) -> float:
    from ._checks import check_number

    return check_number(
        name,
        value,
        minimum=minimum,
        maximum=_LATEST,
        allowed="a finite number of seconds (no later than the year 9999)",
    )
