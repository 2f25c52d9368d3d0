"""Ecwid's retry schedule on a compressed clock, and a heap of the retries that are due.

A load run cannot wait 24 hours for Ecwid's last retry, so the schedule is divided by
``time_scale``: with the default 3600, one real second stands for one Ecwid hour and the
whole 24-hour schedule of the current policy plays out in 24 seconds. The offsets themselves
come from the delivery contract (``ecwid_mock.contract().retry_offsets``), never from here.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .._errors import InvalidOption
from .._schemas.contract import contract

__all__ = ["DEFAULT_TIME_SCALE", "CompressedSchedule", "RetryHeap", "policy_offsets"]

#: Ecwid seconds per real second: 24 h of retries in 24 s.
DEFAULT_TIME_SCALE = 3600.0

T = TypeVar("T")


def policy_offsets(name: str, *, source: str = "") -> tuple[float, ...]:
    """The retry offsets (Ecwid seconds after the first attempt) of policy ``name``.

    ``current`` and ``legacy`` are read from the delivery contract; ``none`` is a single
    attempt and no retry.
    """
    if name == "none":
        return ()
    offsets = contract().retry_offsets
    if name not in offsets:
        names = ", ".join([*sorted(offsets), "none"])
        raise InvalidOption("retry policy", name, f"one of {names}", source=source)
    return offsets[name]


@dataclass(frozen=True)
class CompressedSchedule:
    """A retry schedule whose offsets are divided by ``time_scale`` (real seconds out)."""

    offsets: tuple[float, ...]
    time_scale: float = DEFAULT_TIME_SCALE

    def __post_init__(self) -> None:
        scale = self.time_scale
        if (
            isinstance(scale, bool)
            or not isinstance(scale, (int, float))
            or not (0 < scale < math.inf)
        ):
            raise InvalidOption("time_scale", scale, "a number of Ecwid seconds per second > 0")
        if any(b <= a for a, b in itertools.pairwise((0.0, *self.offsets))):
            raise InvalidOption(
                "retry offsets", list(self.offsets), "strictly increasing seconds above 0"
            )

    @classmethod
    def named(
        cls, policy: str, time_scale: float = DEFAULT_TIME_SCALE, *, source: str = ""
    ) -> CompressedSchedule:
        return cls(policy_offsets(policy, source=source), time_scale)

    @property
    def max_attempts(self) -> int:
        """The first attempt plus every retry."""
        return len(self.offsets) + 1

    @property
    def span(self) -> float:
        """Real seconds from the first attempt to the last retry."""
        return self.offsets[-1] / self.time_scale if self.offsets else 0.0

    def delay(self, attempts_made: int) -> float | None:
        """Real seconds after the first attempt at which attempt ``attempts_made + 1`` is due;
        ``None`` when ``attempts_made`` attempts were the last (the event is dropped)."""
        if attempts_made < 1 or attempts_made > len(self.offsets):
            return None
        return self.offsets[attempts_made - 1] / self.time_scale

    def next_due(self, first_attempt_at: float, attempts_made: int) -> float | None:
        """When the next attempt is due, in the clock of ``first_attempt_at``; ``None``: drop."""
        delay = self.delay(attempts_made)
        return None if delay is None else first_attempt_at + delay

    def attempts_before(self, age: float) -> int:
        """How many attempts an event first tried ``age`` real seconds ago has had by now
        (the first one and every retry whose offset is below ``age``)."""
        if age < 0:
            raise InvalidOption("age", age, "real seconds since the first attempt, 0 or more")
        return 1 + sum(1 for o in self.offsets if o / self.time_scale < age)


@dataclass(order=True)
class _Entry(Generic[T]):
    due: float
    number: int
    item: T = field(compare=False)


class RetryHeap(Generic[T]):
    """Retries ordered by the time they are due; equal times come out first in, first out.

    One heap per load process: a retry scheduled by a user that is stopped during ramp-down
    stays here and is sent by another user of the process.
    """

    def __init__(self) -> None:
        self._heap: list[_Entry[T]] = []
        self._numbers = itertools.count()

    def push(self, due: float, item: T) -> None:
        heapq.heappush(self._heap, _Entry(due, next(self._numbers), item))

    def pop_due(self, now: float) -> T | None:
        """The earliest retry due at ``now`` or before, or ``None`` when none is due."""
        if self._heap and self._heap[0].due <= now:
            return heapq.heappop(self._heap).item
        return None

    def next_due(self) -> float | None:
        """When the earliest retry is due (``None`` when the heap is empty)."""
        return self._heap[0].due if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator[T]:
        """The items in due order (a sorted copy; the heap is not changed)."""
        return (entry.item for entry in sorted(self._heap))
