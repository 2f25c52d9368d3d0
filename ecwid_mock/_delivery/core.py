"""The delivery core: everything about a delivery except I/O.

It builds the request once per event (Ecwid's headers, custom headers, the exact bytes),
keeps the retry queue on a clock, records each attempt with Ecwid's verdict, moves a
delivery to its outcome and the app to blocked after two weeks of failures. The drivers
(:mod:`.flow`, used by ``Sender`` and ``AsyncSender``) only carry wires to a poster and
hand the answers back here.
"""

from __future__ import annotations

import heapq
import itertools
import re
import threading
from collections.abc import Iterable, Mapping

from .._checks import MAX_HEADER_LENGTH
from .._clock import Clock, VirtualClock, format_time
from .._errors import InvalidOption
from .._events.event import Event
from .._events.signing import Secret
from .._secrets import generation, mask
from .._transports.wire import Answer, HeaderLines, Target, Timeouts, Wire, parse_target
from .._version import __version__
from .log import DeliveryLog
from .record import Attempt, Delivery, Outcome
from .retry import RetryPolicy
from .url import event_url

__all__ = ["USER_AGENT", "DeliveryCore", "resolve_custom_headers"]

USER_AGENT = f"ecwid-mock/{__version__} (mock Ecwid webhook sender)"
MASK = "********"

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
#: Headers Ecwid itself sets on every webhook: a custom copy would contradict them.
_ECWID_HEADERS = {
    "content-type": "Content-Type",
    "cache-control": "Cache-Control",
    "x-ecwid-webhook-signature": "X-Ecwid-Webhook-Signature",
    "user-agent": "User-Agent",
}
_SENSITIVE = re.compile(r"auth|token|secret|passw|cookie|key|session|signature-secret", re.I)

HeaderValue = str | Secret


def resolve_custom_headers(
    headers: Mapping[str, HeaderValue] | Iterable[tuple[str, HeaderValue]] | None,
    *,
    source: str = "custom_headers=",
) -> list[tuple[str, HeaderValue]]:
    """Checked custom headers: HTTP tokens for names, one line of ASCII for values.

    None of Ecwid's own headers; a malformed value is described, never shown. ``source``
    names where they came from in the caller's words (``--header`` on the command line).
    """
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        items = list(headers.items())
    elif isinstance(headers, Iterable) and not isinstance(headers, (str, bytes)):
        items = list(headers)
    else:
        raise InvalidOption(
            "custom_headers",
            f"<{type(headers).__name__}>",
            "a mapping or (name, value) pairs",
            source=source,
        )
    result: list[tuple[str, HeaderValue]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise InvalidOption(
                "custom header",
                f"<{type(item).__name__}>",
                "a (name, value) pair",
                source=source,
            )
        name, value = item
        if not isinstance(name, str) or len(name) > 256 or not _TOKEN.match(name):
            raise InvalidOption(
                "custom header name",
                name[:60] if isinstance(name, str) else f"<{type(name).__name__}>",
                "an HTTP token such as 'X-App-Id' (letters, digits, -, at most 256)",
                source=source,
            )
        if name.lower() in _ECWID_HEADERS:
            raise InvalidOption(
                "custom header name",
                name,
                f"a header Ecwid does not set itself ({_ECWID_HEADERS[name.lower()]} is Ecwid's "
                "own on every webhook; a custom copy would contradict it)",
                source=source,
            )
        if name.lower() in _FRAMING_HEADERS:
            raise InvalidOption(
                "custom header name",
                name,
                "a header other than Host, Content-Length and Transfer-Encoding (the request's "
                "own; a second copy would make it malformed)",
                source=source,
            )
        if isinstance(value, Secret):
            text = value.reveal().decode("latin-1")
        elif isinstance(value, str):
            text = value
        else:
            raise InvalidOption(
                f"custom header {name!r} value",
                type(value).__name__,
                "a str or Secret",
                source=source,
            )
        # A malformed value is described, never echoed: it may be a credential whatever
        # its header is called.
        shown = f"<{len(text)} characters>"
        if len(text) > MAX_HEADER_LENGTH:
            raise InvalidOption(
                f"custom header {name!r} value",
                shown,
                f"at most {MAX_HEADER_LENGTH} characters",
                source=source,
            )
        if _CONTROL.search(text):
            raise InvalidOption(
                f"custom header {name!r} value",
                shown,
                "a single line of text (no CR, LF, NUL or other control characters)",
                source=source,
            )
        if not text.isascii():
            raise InvalidOption(
                f"custom header {name!r} value",
                shown,
                "ASCII text (HTTP header values are bytes; Ecwid's are static ASCII)",
                source=source,
            )
        result.append((name, value))
    return result


def _shown(name: str, value: HeaderValue) -> str:
    if isinstance(value, Secret) or _SENSITIVE.search(name):
        return MASK
    return value


class DeliveryCore:
    """Requests, the retry queue, verdicts and the block state of one webhook URL."""

    def __init__(
        self,
        url: str,
        *,
        custom_headers: list[tuple[str, HeaderValue]],
        timeouts: Timeouts,
        retry_policy: RetryPolicy,
        clock: Clock,
    ) -> None:
        self.url = url
        self.timeouts = timeouts
        self.policy = retry_policy
        self.clock = clock
        self._timeout_extension = timeouts.extension()
        custom_wire = tuple(
            (name, value.reveal().decode("latin-1") if isinstance(value, Secret) else value)
            for name, value in custom_headers
        )
        custom_shown = tuple((name, _shown(name, value)) for name, value in custom_headers)
        #: What follows each event's own headers: Ecwid's User-Agent, then the custom ones.
        self._then = HeaderLines((("User-Agent", USER_AGENT), *custom_wire))
        self._then_shown = (("User-Agent", USER_AGENT), *custom_shown)
        #: Per event type: the target, its URL as reports show it, and the secrets
        #: generation that mask was made in (a secret registered later makes it stale).
        self._targets: dict[str, tuple[Target, str, int]] = {}
        self.lock = threading.RLock()
        self.queue: list[tuple[float, int, Delivery]] = []
        self._sequence = itertools.count()
        self.failing_since: float | None = None
        self.blocked_at: float | None = None
        self.block_reason = ""
        self.history = DeliveryLog()

    # -- building ----------------------------------------------------------------------

    def _target(self, event_type: str) -> tuple[Target, str, int]:
        entry = self._targets.get(event_type)
        current = generation()
        if entry is None or entry[2] != current:
            target = entry[0] if entry else parse_target(event_url(self.url, event_type))
            # a ?token= in the URL is not shown in reports
            entry = self._targets[event_type] = (target, mask(target.url), current)
        return entry

    def build_wire(self, event: Event, target: Target) -> tuple[Wire, tuple[tuple[str, str], ...]]:
        """The request for ``event`` to ``target``, and its header lines as shown in reports."""
        body = event.body
        own = tuple(event.headers.items())
        wire = Wire.build(target, own, body, self._timeout_extension, then=self._then)
        shown = (
            ("Host", target.host_header),
            *own,
            *self._then_shown,
            ("Content-Length", str(len(body))),
        )
        return wire, shown

    def open(self, event: Event) -> Delivery:
        """A new delivery, due now; already final (blocked) when the app is blocked."""
        if not isinstance(event, Event):
            raise InvalidOption(
                "event",
                f"<{type(event).__name__}>" if not isinstance(event, str) else event,
                "an ecwid_mock.Event (build one with EventFactory, or send event types "
                "through MockEcwid / the ecwid fixture)",
            )
        target, shown_url, _ = self._target(event.event_type)
        wire, shown = self.build_wire(event, target)
        delivery = Delivery(
            event=event,
            url=shown_url,
            request_headers=shown,
            max_attempts=self.policy.max_attempts,
        )
        if self.blocked_at is not None:  # read again under the lock, with its reason
            with self.lock:
                if self.blocked_at is not None:
                    delivery.outcome = Outcome.BLOCKED
                    delivery.blocked_reason = self.block_reason
                    return delivery
        delivery._wire = wire
        delivery.next_retry_at = self.clock.now()
        return delivery

    # -- recording ---------------------------------------------------------------------

    def record(
        self,
        delivery: Delivery,
        scheduled_at: float,
        sent_at: float,
        duration: float,
        answer: Answer,
    ) -> Attempt:
        """Add one attempt with Ecwid's verdict and move the delivery (and the app) on."""
        attempt = Attempt.of(len(delivery.attempts) + 1, scheduled_at, sent_at, duration, answer)
        with self.lock:
            delivery.attempts.append(attempt)
            if attempt.accepted:
                self.failing_since = None
                self._finish(delivery, Outcome.DELIVERED)
                return attempt
            if self.failing_since is None:
                self.failing_since = sent_at
            block_after = self.policy.block_after
            if (
                self.blocked_at is None
                and block_after is not None
                and sent_at - self.failing_since >= block_after
            ):
                self._block(sent_at)
            if self.blocked_at is not None:
                delivery.blocked_reason = self.block_reason
                self._finish(delivery, Outcome.BLOCKED)
                return attempt
            due = self.policy.retry_time(delivery.attempts[0].sent_at, len(delivery.attempts))
            if due is None:
                self._finish(delivery, Outcome.DROPPED)
                return attempt
            delivery.outcome = Outcome.RETRYING
            delivery.next_retry_at = due
            heapq.heappush(self.queue, (due, next(self._sequence), delivery))
        return attempt

    def _finish(self, delivery: Delivery, outcome: Outcome) -> None:
        delivery.outcome = outcome
        delivery.next_retry_at = None
        delivery._wire = None

    def _block(self, now: float) -> None:
        assert self.failing_since is not None
        days = (self.policy.block_after or 0) / 86400
        self.blocked_at = now
        self.block_reason = (
            f"webhooks for this app are blocked: the URL kept failing from "
            f"{format_time(self.failing_since)} to {format_time(now)} (Ecwid blocks after "
            f"{days:g} days of failures); call reset_block() to resume"
        )
        for _, _, queued in self.queue:
            queued.blocked_reason = self.block_reason
            self._finish(queued, Outcome.BLOCKED)
        self.queue.clear()

    def reset_block(self) -> None:
        with self.lock:
            self.blocked_at = None
            self.block_reason = ""
            self.failing_since = None

    def clear(self) -> None:
        with self.lock:
            for _, _, queued in self.queue:
                queued.next_retry_at = None
                queued._wire = None
            self.queue.clear()
            self.history.clear()
        self.reset_block()

    # -- the retry queue -----------------------------------------------------------------

    def take_due(self, now: float) -> list[Delivery]:
        taken: list[Delivery] = []
        with self.lock:
            while self.queue and self.queue[0][0] <= now:
                taken.append(heapq.heappop(self.queue)[2])
        return taken

    def next_due(self) -> float | None:
        with self.lock:
            return self.queue[0][0] if self.queue else None

    def advance_target(self, seconds: float, minutes: float, hours: float, days: float) -> float:
        import math

        if not isinstance(self.clock, VirtualClock):
            raise InvalidOption(
                "clock", self.clock, "a VirtualClock to advance time (a real clock only waits)"
            )
        for name, value in (
            ("seconds", seconds),
            ("minutes", minutes),
            ("hours", hours),
            ("days", days),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise InvalidOption(f"advance {name}", value, "a finite number")
        delta = seconds + 60 * minutes + 3600 * hours + 86400 * days
        if delta < 0:
            raise InvalidOption("advance", delta, "zero or more seconds")
        return self.clock.now() + delta
