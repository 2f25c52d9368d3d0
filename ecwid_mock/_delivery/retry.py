"""Ecwid's retry schedules: when a failed webhook is sent again, and when it is dropped.

Offsets are measured from the first attempt (Ecwid's table reads that way). The current
schedule (docs.ecwid.com, 2019 onwards) retries 15, 30 and 45 minutes after the first
attempt, then every hour up to 24 hours: 27 retries, 28 attempts, then the event is
dropped. If the URL keeps failing for two weeks Ecwid blocks the app's webhooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import ClassVar

from .._checks import check_number
from .._errors import InvalidOption
from .._schemas.contract import contract

__all__ = ["BLOCK_AFTER", "RetryPolicy"]

#: How long a URL may keep failing before Ecwid blocks the app's webhooks (two weeks).
BLOCK_AFTER = contract().block_after


class RetryPolicy:
    """A retry schedule: offsets (seconds after the first attempt) of every retry.

    ``RetryPolicy.current()`` (the default), ``RetryPolicy.legacy()`` (every 15 minutes
    for 48 hours, Ecwid before 2019), ``RetryPolicy.none()`` (a single attempt), or
    ``RetryPolicy([60, 120], block_after=3600)`` for a custom one.
    """

    NAMES: ClassVar[tuple[str, ...]] = ("current", "legacy", "none")

    __slots__ = ("_offsets", "block_after", "name")

    def __init__(
        self,
        offsets: Iterable[float | timedelta],
        *,
        block_after: float | timedelta | None = BLOCK_AFTER,
        name: str = "custom",
    ) -> None:
        if isinstance(offsets, (str, bytes)) or not isinstance(offsets, Iterable):
            raise InvalidOption(
                "offsets", f"<{type(offsets).__name__}>", "an iterable of seconds or timedeltas"
            )
        values = tuple(_seconds(o, name="retry offset") for o in offsets)
        previous = 0.0
        for value in values:
            if value <= previous:
                raise InvalidOption(
                    "retry offsets",
                    list(values),
                    "strictly increasing seconds after the first attempt, all above 0",
                )
            previous = value
        self._offsets = values
        self.block_after = (
            None if block_after is None else _seconds(block_after, name="block_after")
        )
        if self.block_after is not None and self.block_after <= 0:
            raise InvalidOption("block_after", block_after, "a positive duration or None")
        self.name = name

    @classmethod
    def current(cls) -> RetryPolicy:
        """Ecwid's schedule: 15, 30, 45 min, then hourly 1 h … 24 h (27 retries)."""
        return cls(contract().retry_offsets["current"], name="current")

    @classmethod
    def legacy(cls) -> RetryPolicy:
        """Ecwid's schedule until 2019: every 15 minutes for 48 hours (192 retries)."""
        return cls(contract().retry_offsets["legacy"], name="legacy")

    @classmethod
    def none(cls) -> RetryPolicy:
        """One attempt and no retry: a failed first attempt ends as dropped."""
        return cls([], name="none")

    @classmethod
    def named(cls, name: str) -> RetryPolicy:
        """The policy called ``name``: one of ``current``, ``legacy``, ``none``."""
        if name not in cls.NAMES:
            raise InvalidOption("retry policy", name, f"one of {', '.join(cls.NAMES)}")
        policy: RetryPolicy = getattr(cls, name)()
        return policy

    @property
    def offsets(self) -> tuple[float, ...]:
        """Seconds after the first attempt at which each retry is sent."""
        return self._offsets

    @property
    def retries(self) -> int:
        return len(self._offsets)

    @property
    def max_attempts(self) -> int:
        """The first attempt plus every retry."""
        return len(self._offsets) + 1

    def retry_time(self, first_attempt_at: float, attempts_made: int) -> float | None:
        """When the next attempt is due after ``attempts_made`` attempts; ``None``: drop it."""
        if attempts_made < 1 or attempts_made > len(self._offsets):
            return None
        return first_attempt_at + self._offsets[attempts_made - 1]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RetryPolicy)
            and self._offsets == other._offsets
            and self.block_after == other.block_after
        )

    def __hash__(self) -> int:
        return hash((self._offsets, self.block_after))

    def __repr__(self) -> str:
        if self.name != "custom":
            return f"RetryPolicy.{self.name}()"
        return f"RetryPolicy({list(self._offsets)!r}, block_after={self.block_after!r})"


#: The longest offset or block accepted: ten years, beyond any schedule Ecwid has had.
_LONGEST = 10 * 365 * 86400.0


def _seconds(value: float | timedelta, *, name: str) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    return check_number(
        name,
        value,
        maximum=_LONGEST,
        allowed="finite seconds (a number up to ten years) or a timedelta",
    )
