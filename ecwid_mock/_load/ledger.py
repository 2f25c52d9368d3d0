"""The ledger of a load run: every event taken into delivery ends delivered, dropped or pending.

Each load process keeps one :class:`Ledger`; ``pending`` is measured (retries waiting in the
process's heap plus attempts in flight), not derived, so ``sent = delivered + dropped +
pending`` is a real check. The master sums the workers' latest ledgers in a
:class:`LedgerBook` and judges the run with :func:`judge_run`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .._errors import InvalidOption

__all__ = ["Ledger", "LedgerBook", "Thresholds", "judge_run"]


@dataclass(frozen=True)
class Ledger:
    """Counts of one process, or their sum.

    ``sent``: events taken into delivery (first attempts made here, plus backlog events of a
    storm); ``attempts``: HTTP attempts with a verdict, ``retries`` of them after the first;
    ``interrupted``: pending events whose attempt was cut off by the end of the run (no
    verdict, so they do not count against the delivered ratio).
    """

    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    pending: int = 0
    attempts: int = 0
    retries: int = 0
    interrupted: int = 0

    @property
    def balanced(self) -> bool:
        return self.sent == self.delivered + self.dropped + self.pending

    @property
    def delivered_ratio(self) -> float:
        """Delivered events per event sent whose attempts got a verdict (0.0 when none)."""
        judged = self.sent - self.interrupted
        return self.delivered / judged if judged > 0 else 0.0

    def __add__(self, other: Ledger) -> Ledger:
        return Ledger(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in _FIELDS})

    @classmethod
    def total(cls, ledgers: Iterable[Ledger]) -> Ledger:
        result = cls()
        for ledger in ledgers:
            result = result + ledger
        return result

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        """The inverse of :meth:`as_dict` (a worker's report); unknown keys are ignored."""
        values = {}
        for f in _FIELDS:
            value = data.get(f.name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidOption(f"ledger {f.name}", value, "a count (an integer >= 0)")
            values[f.name] = value
        return cls(**values)

    def line(self) -> str:
        sign = "=" if self.balanced else "!="
        return (
            f"sent {self.sent} {sign} delivered {self.delivered} + dropped {self.dropped}"
            f" + pending {self.pending} ({self.attempts} attempts, {self.retries} retries"
            f"{f', {self.interrupted} cut off by the stop' if self.interrupted else ''})"
        )


_FIELDS = fields(Ledger)


class LedgerBook:
    """The latest ledger of every worker, as the master receives them.

    Ledgers are cumulative, so a later report replaces an earlier one; ``final`` marks the
    report a worker sends after its users stopped.
    """

    def __init__(self) -> None:
        self._latest: dict[str, tuple[Ledger, bool]] = {}

    def record(self, worker: str, ledger: Ledger, *, final: bool) -> None:
        self._latest[worker] = (ledger, final)

    @property
    def workers(self) -> int:
        return len(self._latest)

    def total(self) -> Ledger:
        return Ledger.total(ledger for ledger, _ in self._latest.values())

    def missing_final(self, expected: Iterable[str] = ()) -> list[str]:
        """Workers whose last report came before they stopped, or (of ``expected``) that
        never reported (sorted)."""
        missing = {worker for worker, (_, final) in self._latest.items() if not final}
        missing.update(worker for worker in expected if worker not in self._latest)
        return sorted(missing)


@dataclass(frozen=True)
class Thresholds:
    """What a run must reach: ``min_delivered`` of the events sent delivered, and a 95th
    percentile response time of at most ``max_p95`` seconds (Ecwid's response timeout)."""

    min_delivered: float
    max_p95: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.min_delivered <= 1.0):
            raise InvalidOption("minimum delivered ratio", self.min_delivered, "between 0 and 1")
        if not (0 < self.max_p95 < math.inf):
            raise InvalidOption("maximum p95", self.max_p95, "seconds above 0")


def judge_run(
    ledger: Ledger,
    thresholds: Thresholds,
    *,
    p95: float | None,
    missing_final: Iterable[str] = (),
) -> list[str]:
    """Why the run failed, one reason a line; an empty list when it passed.

    ``p95`` is the 95th percentile response time in seconds (``None``: no attempt made).
    """
    problems = []
    missing = list(missing_final)
    if missing:
        problems.append(f"no final ledger from worker(s) {', '.join(missing)}")
    if not ledger.balanced:
        problems.append(f"ledger does not balance: {ledger.line()}")
    if ledger.sent == 0:
        problems.append("no event was sent")
    elif ledger.delivered_ratio < thresholds.min_delivered:
        problems.append(
            f"delivered {ledger.delivered} of {ledger.sent - ledger.interrupted} events"
            f" ({ledger.delivered_ratio:.1%}), below the minimum {thresholds.min_delivered:.1%}"
        )
    if p95 is not None and p95 > thresholds.max_p95:
        problems.append(f"p95 response time {p95:.3f} s is above {thresholds.max_p95:g} s")
    return problems
