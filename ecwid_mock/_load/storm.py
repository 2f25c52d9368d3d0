"""The backlog Ecwid holds when a receiver comes back after an outage.

Events kept arriving during the outage at the normal rate; each one's first attempt and every
retry that fell inside the outage failed. At recovery each event waits for its next attempt
from the real schedule, so after a 6-hour outage the whole backlog (6 hours of traffic) falls
due within the first hour back: about 6x the normal rate on top of new traffic, and nearly 10x
in the first quarter of an hour, where the 15/30/45-minute retries of the last hour's events
meet the hourly retries of the older ones. Events older than the schedule were dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .._errors import InvalidOption
from .schedule import CompressedSchedule

__all__ = ["BacklogEvent", "backlog_size", "rate_multipliers", "storm_backlog"]

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class BacklogEvent:
    """One event waiting at recovery: its ``number`` in arrival order (0 = the newest),
    ``age`` (real seconds since its first attempt), ``attempts_made`` so far, and
    ``due_after`` (real seconds after recovery when its next attempt is sent)."""

    number: int
    age: float
    attempts_made: int
    due_after: float


def _check(outage_hours: float, rate: float) -> None:
    for name, value in (("outage hours", outage_hours), ("normal rate", rate)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (0 < value < math.inf)
        ):
            raise InvalidOption(name, value, "a number above 0")


def backlog_size(outage_hours: float, rate: float, schedule: CompressedSchedule) -> int:
    """How many events arrived during the outage (dropped ones included)."""
    _check(outage_hours, rate)
    return round(rate * outage_hours * HOUR / schedule.time_scale)


def storm_backlog(
    outage_hours: float,
    rate: float,
    schedule: CompressedSchedule,
    *,
    share: int = 0,
    shares: int = 1,
) -> Iterator[BacklogEvent]:
    """The events pending when a receiver recovers after ``outage_hours`` (Ecwid hours).

    ``rate`` is the normal rate in events per real second, on the compressed clock of
    ``schedule``; events arrived evenly during the outage. Events past the last retry are
    left out (Ecwid dropped them). ``share`` of ``shares`` splits the backlog between load
    processes: process ``k`` of ``n`` gets every ``n``-th event, starting at ``k``.
    """
    if not (isinstance(shares, int) and shares >= 1 and isinstance(share, int)) or not (
        0 <= share < shares
    ):
        raise InvalidOption("share", f"{share} of {shares}", "0 <= share < shares, shares >= 1")
    count = backlog_size(outage_hours, rate, schedule)
    offsets = [o / schedule.time_scale for o in schedule.offsets]
    for number in range(share, count, shares):
        age = (number + 0.5) / rate
        attempts = schedule.attempts_before(age)
        if attempts > len(offsets):
            continue  # its last retry failed during the outage: dropped
        yield BacklogEvent(number, age, attempts, offsets[attempts - 1] - age)


def rate_multipliers(
    backlog: Sequence[BacklogEvent], rate: float, *, bucket: float, buckets: int
) -> list[float]:
    """Load in each ``bucket`` seconds after recovery, as a multiple of the normal rate.

    Counts the backlog's next attempts plus the normal traffic (1.0 per bucket); retries of
    those attempts that fail again are not included.
    """
    counts = [0] * buckets
    for event in backlog:
        index = int(event.due_after // bucket)
        if index < buckets:
            counts[index] += 1
    return [1.0 + count / (rate * bucket) for count in counts]
