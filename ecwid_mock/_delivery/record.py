"""What happened to a webhook: its attempts, its outcome, and assertions that explain it.

Verdicts follow docs.ecwid.com "How to process webhooks": only 200, 201, 202, 204 and
209 count as delivered. 203, 208, any other 2xx, any 3xx (redirects are not followed),
4xx, 5xx, and every network failure are failed attempts, each with its reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .._clock import format_time
from .._errors import DeliveryAssertionError
from .._events.event import Event
from .._schemas.contract import contract
from .._transports.wire import Answer
from .verdict import ERROR_KINDS, Judgement, judge

__all__ = [
    "ACCEPTED_STATUSES",
    "ERROR_KINDS",
    "RESPONSE_BUDGET",
    "Attempt",
    "Delivery",
    "DeliverySummary",
    "Outcome",
    "status_failure",
]

#: The status codes Ecwid treats as delivered (from schemas/delivery-contract.json).
ACCEPTED_STATUSES = contract().accepted_statuses

#: How much of an answer body an attempt shows as text.
BODY_EXCERPT_CHARS = 300

#: Ecwid waits this long (seconds) for the whole response.
RESPONSE_BUDGET = contract().response_timeout


class Outcome(str, Enum):
    """Where a delivery stands: delivered, retrying (a retry is scheduled), dropped, blocked."""

    DELIVERED = "delivered"
    RETRYING = "retrying"
    DROPPED = "dropped"
    BLOCKED = "blocked"

    def __str__(self) -> str:
        return self.value


def status_failure(status_code: int, location: str | None = None) -> str | None:
    """Why Ecwid would count this status as not delivered; ``None`` when it is accepted."""
    verdict = judge(status_code, location=location)
    return None if verdict.accepted else verdict.reason


@dataclass(frozen=True, init=False)
class Attempt:
    """One POST of the event: when it was due and sent, what came back, and Ecwid's verdict.

    ``answer`` is the raw answer (status, headers, the first 64 KiB of the body, or the
    failure below HTTP); ``verdict`` is :func:`ecwid_mock.judge` of it, decided once when
    the attempt was recorded. Times are UNIX seconds on the sender's clock; ``duration``
    is real elapsed seconds.
    """

    number: int
    scheduled_at: float
    sent_at: float
    duration: float
    answer: Answer
    verdict: Judgement

    def __init__(
        self,
        number: int,
        scheduled_at: float,
        sent_at: float,
        duration: float,
        answer: Answer,
        verdict: Judgement,
    ) -> None:
        # The new instance's own dict filled, not a frozen __setattr__ per field (as Event does).
        fields = self.__dict__
        fields["number"] = number
        fields["scheduled_at"] = scheduled_at
        fields["sent_at"] = sent_at
        fields["duration"] = duration
        fields["answer"] = answer
        fields["verdict"] = verdict

    @classmethod
    def of(
        cls, number: int, scheduled_at: float, sent_at: float, duration: float, answer: Answer
    ) -> Attempt:
        """The attempt for ``answer``, judged as Ecwid judges it."""
        status = answer.status_code
        location = answer.location if status is not None and 300 <= status < 400 else None
        verdict = judge(status, error=answer.error, detail=answer.detail, location=location)
        return cls(number, scheduled_at, sent_at, duration, answer, verdict)

    @property
    def accepted(self) -> bool:
        return self.verdict.accepted

    @property
    def status_code(self) -> int | None:
        return self.answer.status_code

    @property
    def error(self) -> str | None:
        """The failure kind below HTTP (see :data:`ERROR_KINDS`), ``None`` when answered."""
        return self.answer.error

    @property
    def reason(self) -> str:
        """Why the attempt failed, in words (empty if accepted)."""
        return self.verdict.reason

    @property
    def response_headers(self) -> tuple[tuple[str, str], ...]:
        return self.answer.headers

    @property
    def body_excerpt(self) -> str:
        """The start of the answer's body as text (300 characters at most)."""
        body = self.answer.body
        excerpt = body[: BODY_EXCERPT_CHARS * 4].decode("utf-8", "replace")[:BODY_EXCERPT_CHARS]
        if self.answer.body_truncated or len(body) > len(excerpt.encode("utf-8")):
            excerpt += "…"
        return excerpt

    @property
    def app_error(self) -> str:
        """The traceback of an in-process app that raised while answering (else empty)."""
        return self.answer.app_error

    def describe(self, first_sent_at: float | None = None) -> str:
        """One line: number, due and sent times, duration, result, body excerpt."""
        base = self.sent_at if first_sent_at is None else first_sent_at
        due = _offset(self.scheduled_at - base)
        result = f"status {self.status_code} (accepted)" if self.accepted else self.reason
        excerpt = self.body_excerpt
        body = f"; body {excerpt!r}" if excerpt else ""
        return (
            f"#{self.number} due {due} ({format_time(self.scheduled_at)}), "
            f"sent {format_time(self.sent_at)}, {_duration(self.duration)}: {result}{body}"
        )


@dataclass(eq=False, slots=True)
class Delivery:
    """One event's journey to the receiver: every attempt and the current outcome.

    Retries add attempts to the same object. ``request_headers`` are the header lines
    sent (signature shown; custom header values that hold secrets are masked).
    """

    event: Event
    url: str
    request_headers: tuple[tuple[str, str], ...]
    max_attempts: int
    attempts: list[Attempt] = field(default_factory=list)
    outcome: Outcome = Outcome.RETRYING
    next_retry_at: float | None = None
    blocked_reason: str = ""
    # The request (a _transports.wire.Wire), kept while retries may resend it: same bytes.
    _wire: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.DELIVERED

    @property
    def last_attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def status_code(self) -> int | None:
        """The status of the last attempt (``None`` if it got no HTTP answer)."""
        last = self.last_attempt
        return None if last is None else last.status_code

    @property
    def reason(self) -> str:
        """Why it is not delivered (empty when it is)."""
        if self.outcome is Outcome.BLOCKED and self.blocked_reason:
            return self.blocked_reason
        last = self.last_attempt
        return "" if last is None or last.accepted else last.reason

    # -- assertions ---------------------------------------------------------------------

    def assert_delivered(self) -> None:
        """Pass if the receiver accepted the event (200, 201, 202, 204 or 209)."""
        __tracebackhide__ = True
        if not self.delivered:
            raise DeliveryAssertionError(self.explain("to be delivered"))

    def assert_rejected(self) -> None:
        """Pass if the receiver answered, and never with a code Ecwid accepts.

        For forged or missing signatures: a receiver should answer 401 or 403. A
        connection failure is not a rejection, so it fails this assertion too.
        """
        __tracebackhide__ = True
        answered = [a for a in self.attempts if a.status_code is not None]
        if self.delivered or not answered:
            raise DeliveryAssertionError(
                self.explain("to be rejected by the receiver with an HTTP answer (e.g. 401)")
            )

    def assert_status(self, code: int) -> None:
        """Pass if the last attempt got HTTP status ``code``."""
        __tracebackhide__ = True
        if self.status_code != code:
            raise DeliveryAssertionError(self.explain(f"to get status {code}"))

    def explain(self, expectation: str) -> str:
        """A readable account: what was expected, the request, and every attempt."""
        event = self.event
        lines = [
            f"ECWID-MOCK: expected {event.event_type} event {event.event_id} {expectation}, "
            f"but it {self._verdict()}",
            f"  URL: POST {self.url}",
            "  request headers:",
        ]
        lines += [f"    {name}: {value}" for name, value in self.request_headers]
        if event.signature_mode != "valid":
            lines.append(f"    (signature mode: {event.signature_mode})")
        if not self.attempts:
            lines.append("  attempts: none")
        else:
            lines.append(f"  attempts ({len(self.attempts)} of at most {self.max_attempts}):")
            first = self.attempts[0].sent_at
            for attempt in self.attempts:
                lines.append(f"    {attempt.describe(first)}")
                if attempt.app_error:  # an in-process app raised: its traceback, indented
                    lines.append("      the app raised:")
                    lines += [f"        {line}" for line in attempt.app_error.rstrip().splitlines()]
        if self.next_retry_at is not None:
            lines.append(f"  next retry at {format_time(self.next_retry_at)}")
        return "\n".join(lines)

    def _verdict(self) -> str:
        count = len(self.attempts)
        plural = "s" if count != 1 else ""
        if self.outcome is Outcome.DELIVERED:
            return f"was delivered on attempt {count} (status {self.status_code})"
        if self.outcome is Outcome.BLOCKED:
            return f"was blocked after {count} attempt{plural}: {self.reason}"
        if self.outcome is Outcome.DROPPED:
            return f"was dropped after {count} attempt{plural}: {self.reason}"
        return f"is still retrying after {count} attempt{plural}: {self.reason}"

    def __repr__(self) -> str:
        event = self.event
        short_id = event.event_id[:8] + ("…" if len(event.event_id) > 8 else "")
        count = len(self.attempts)
        plural = "s" if count != 1 else ""
        if self.outcome is Outcome.DELIVERED:
            tail = f"delivered on attempt {count}: status {self.status_code}"
        elif self.outcome is Outcome.RETRYING:
            when = format_time(self.next_retry_at) if self.next_retry_at is not None else "?"
            tail = f"retrying after {count} attempt{plural}: {self.reason}; next at {when}"
        else:
            tail = f"{self.outcome.value} after {count} attempt{plural}: {self.reason}"
        return f"<Delivery {event.event_type} {short_id} → {tail}>"


class _LogHistogram:
    """Fixed log buckets (2% wide) from 1 µs to ~3 h: percentiles in constant memory."""

    GROWTH = 1.02
    LOW = 1e-6

    def __init__(self) -> None:
        self._log_growth = math.log(self.GROWTH)
        self._counts = [0] * (int(math.log(1e4 / self.LOW) / self._log_growth) + 2)
        self.count = 0
        self.max = 0.0

    def add(self, value: float) -> None:
        index = 0 if value <= self.LOW else int(math.log(value / self.LOW) / self._log_growth) + 1
        self._counts[min(index, len(self._counts) - 1)] += 1
        self.count += 1
        self.max = max(self.max, value)

    def merge(self, other: _LogHistogram) -> None:
        self._counts = [a + b for a, b in zip(self._counts, other._counts)]
        self.count += other.count
        self.max = max(self.max, other.max)

    def percentile(self, q: float) -> float | None:
        """Upper edge of the bucket holding the q-quantile (never above the maximum)."""
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for index, n in enumerate(self._counts):
            seen += n
            if seen >= rank:
                return min(self.LOW * self.GROWTH**index, self.max)
        return self.max


class DeliverySummary:
    """Counts by outcome and response-time percentiles, in bounded memory.

    Add deliveries as they finish (``summary.add(d)``); ``p50``/``p95``/``p99`` are
    attempt durations in seconds, to 2%, measured against Ecwid's 10 s budget.
    """

    MAX_REASONS = 50

    def __init__(self, deliveries: Iterable[Delivery] = ()) -> None:
        self.by_outcome: dict[str, int] = {o.value: 0 for o in Outcome}
        self.total = 0
        self.attempts = 0
        self.over_budget = 0
        self.reasons: dict[str, int] = {}
        self.elapsed: float | None = None
        self._durations = _LogHistogram()
        for delivery in deliveries:
            self.add(delivery)

    def add(self, delivery: Delivery) -> None:
        """Count one delivery (in its current outcome) and its attempts."""
        self.total += 1
        self.by_outcome[delivery.outcome.value] += 1
        for attempt in delivery.attempts:
            self.attempts += 1
            self._durations.add(attempt.duration)
            if attempt.duration >= RESPONSE_BUDGET:
                self.over_budget += 1
        if not delivery.delivered:
            reason = _reason_key(delivery.reason)
            if reason in self.reasons or len(self.reasons) < self.MAX_REASONS:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1
            else:
                self.reasons["(other)"] = self.reasons.get("(other)", 0) + 1

    @property
    def delivered(self) -> int:
        return self.by_outcome[Outcome.DELIVERED.value]

    @property
    def all_delivered(self) -> bool:
        return self.delivered == self.total

    def percentile(self, q: float) -> float | None:
        return self._durations.percentile(q)

    @property
    def p50(self) -> float | None:
        return self._durations.percentile(0.50)

    @property
    def p95(self) -> float | None:
        return self._durations.percentile(0.95)

    @property
    def p99(self) -> float | None:
        return self._durations.percentile(0.99)

    @property
    def rate(self) -> float | None:
        """Deliveries per second of wall time, when the sender measured ``elapsed``."""
        if not self.elapsed:
            return None
        return self.total / self.elapsed

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "outcomes": dict(self.by_outcome),
            "attempts": self.attempts,
            "p50_s": self.p50,
            "p95_s": self.p95,
            "p99_s": self.p99,
            "max_s": self._durations.max if self._durations.count else None,
            "budget_s": RESPONSE_BUDGET,
            "over_budget": self.over_budget,
            "elapsed_s": self.elapsed,
            "per_second": self.rate,
            "failure_reasons": dict(self.reasons),
        }

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a two-column table."""
        rows = [(o.value, str(n)) for o, n in zip(Outcome, self.by_outcome.values())]
        rows.append(("total", str(self.total)))
        rows.append(("attempts", str(self.attempts)))
        for label, value in (("p50", self.p50), ("p95", self.p95), ("p99", self.p99)):
            rows.append((f"time to response {label}", _duration(value)))
        rows.append((f"over the {RESPONSE_BUDGET:g} s budget", str(self.over_budget)))
        if self.rate is not None:
            rows.append(("deliveries per second", f"{self.rate:,.0f}"))
        for reason, count in sorted(self.reasons.items(), key=lambda item: -item[1]):
            rows.append((f"failed: {reason}", str(count)))
        return rows

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.by_outcome.items() if v)
        return f"<DeliverySummary total={self.total} {counts or 'empty'} p95={_duration(self.p95)}>"


def _reason_key(reason: str) -> str:
    # "redirect 301 not followed (Location: …)" varies by Location: keep the stable head.
    return reason.split(" (Location:", 1)[0] if reason else "(no attempt)"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _offset(seconds: float) -> str:
    if seconds < 0.0005:
        return "+0"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "+" + ("".join(parts) or f"{seconds:.3f}s")


def describe_all(deliveries: Sequence[Delivery]) -> str:
    """Several deliveries, each as its repr, one per line (for assertion messages)."""
    return "\n".join(f"  {d!r}" for d in deliveries) or "  (none)"
