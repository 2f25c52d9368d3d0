"""VirtualClock and RealClock: what the sender stamps attempts and schedules retries with."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest

from ecwid_mock import InvalidOption, RealClock, VirtualClock
from ecwid_mock._clock import DEFAULT_START, Clock, format_time


def test_virtual_clock_starts_at_the_documented_fixed_time() -> None:
    assert VirtualClock().now() == DEFAULT_START
    assert format_time(DEFAULT_START) == "2024-09-04T00:00:00Z"


def test_virtual_clock_stands_still_until_advanced() -> None:
    clock = VirtualClock(start=1000)
    assert clock.now() == clock.now() == 1000.0
    assert clock.advance(hours=2, minutes=15, seconds=1) == 1000 + 2 * 3600 + 15 * 60 + 1
    assert clock.advance(days=1) == clock.now() == 1000 + 8101 + 86400


def test_virtual_clock_accepts_an_aware_datetime() -> None:
    start = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    clock = VirtualClock(start=start)
    assert clock.now() == start.timestamp()
    clock.advance_to(start + timedelta(minutes=15))
    assert format_time(clock.now()) == "2025-01-02T03:19:05Z"


def test_advance_to_never_goes_back() -> None:
    clock = VirtualClock(start=500)
    assert clock.advance_to(100) == 500
    assert clock.advance_to(600.5) == 600.5


def test_wait_until_jumps_at_once_on_a_virtual_clock() -> None:
    clock = VirtualClock(start=0)
    started = time.perf_counter()
    clock.wait_until(86400 * 14)
    asyncio.run(clock.wait_until_async(86400 * 15))
    assert clock.now() == 86400 * 15
    assert time.perf_counter() - started < 60  # generous: a real wait would take weeks


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        pytest.param({"start": "yesterday"}, "start", id="start-not-a-number"),
        pytest.param({"start": datetime(2025, 1, 1)}, "start", id="naive-datetime"),
    ],
)
def test_bad_start_is_an_invalid_option(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidOption, match=name):
        VirtualClock(**kwargs)  # type: ignore[arg-type]


def test_time_never_goes_back() -> None:
    with pytest.raises(InvalidOption, match="time never goes back"):
        VirtualClock().advance(-1)


def test_real_clock_follows_wall_time_and_both_are_clocks() -> None:
    clock = RealClock()
    before = time.time()
    assert before <= clock.now() <= time.time()
    clock.wait_until(0)  # in the past: returns at once
    assert isinstance(clock, Clock)
    assert isinstance(VirtualClock(), Clock)
    assert repr(VirtualClock()) == "VirtualClock(2024-09-04T00:00:00Z)"


def test_format_time_keeps_milliseconds_when_there_are_some() -> None:
    assert format_time(DEFAULT_START + 0.25) == "2024-09-04T00:00:00.250Z"
