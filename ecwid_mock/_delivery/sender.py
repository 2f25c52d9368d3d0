"""The mock Ecwid sender: POSTs events the way Ecwid does and judges answers as Ecwid does.

``Sender`` (sync) and ``AsyncSender`` share everything but I/O. Both check the URL before
any traffic, send Ecwid's headers (plus custom ones), follow no redirects, apply Ecwid's
3 s / 10 s limits, accept only 200/201/202/204/209, retry on Ecwid's schedule on a clock
(a :class:`~ecwid_mock.VirtualClock` runs 24 hours of retries in milliseconds), and block
the app after two weeks of failures.

Scenarios::

    sender.send(event)                                  # one delivery
    sender.send("order.created", overrides={...})       # build it with the EventFactory
    sender.send(event, times=2)                         # the same event delivered twice
    sender.send(event, times=3, concurrently=True)      # ... three times at once
    sender.send_batch(events, shuffle=True, seed=7)     # in a seeded random order
    sender.send_batch(events, delay={0: 2})             # event 0 after the next two
    for delivery in sender.send_many(gen, concurrency=50): ...   # bulk, bounded memory
    sender.run_until_idle()                             # run every retry still scheduled
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .._clock import Clock, RealClock, VirtualClock, format_time
from .._errors import InvalidOption
from .._events.event import Event
from .._events.signing import Secret
from .._transports.inprocess import (
    Answer,
    Timeouts,
    Wire,
    async_poster_for,
    perform,
    resolve_ssl_context,
    resolve_timeouts,
    sync_transport_for,
)
from .._version import __version__
from .log import DeliveryLog
from .record import Attempt, Delivery, Outcome
from .retry import RetryPolicy
from .url import check_webhook_url, event_url

if TYPE_CHECKING:
    import ssl
    from os import PathLike

    import httpx

    from .._events.factory import EventFactory
    from .bulk import AsyncBulkRun, BulkRun

__all__ = ["DEFAULT_APP_HOST", "DEFAULT_PATH", "AsyncSender", "Sender", "Timeouts"]

DEFAULT_APP_HOST = "receiver.test"
DEFAULT_PATH = "/webhooks/ecwid"
USER_AGENT = f"ecwid-mock/{__version__} (mock Ecwid webhook sender)"
MASK = "********"

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
_SENSITIVE = re.compile(r"auth|token|secret|passw|cookie|key|session|signature-secret", re.I)

EventLike = Event | str
T = TypeVar("T")


def _resolve_secret(client_secret: object) -> Secret:
    if isinstance(client_secret, (str, bytes, Secret)):
        secret = Secret(client_secret)
        if secret:
            return secret
        raise InvalidOption("client_secret", "(empty)", "a non-empty client secret")
    raise InvalidOption(
        "client_secret", f"<{type(client_secret).__name__}>", "a str, bytes or ecwid_mock.Secret"
    )


def _resolve_custom_headers(
    headers: Mapping[str, str | Secret] | Iterable[tuple[str, str | Secret]] | None,
) -> list[tuple[str, str | Secret]]:
    if headers is None:
        return []
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    result: list[tuple[str, str | Secret]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise InvalidOption(
                "custom header", item, "a (name, value) pair", source="custom_headers"
            )
        name, value = item
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise InvalidOption(
                "custom header name",
                name,
                "an HTTP token such as 'X-App-Id'",
                source="custom_headers",
            )
        if name.lower() in _FRAMING_HEADERS:
            raise InvalidOption(
                "custom header name",
                name,
                "a header other than Host, Content-Length and Transfer-Encoding (the request's "
                "own; a second copy would make it malformed)",
                source="custom_headers",
            )
        if isinstance(value, Secret):
            text = value.reveal().decode("latin-1")
            shown: object = value
        elif isinstance(value, str):
            text = value
            shown = MASK if _SENSITIVE.search(name) else value
        else:
            raise InvalidOption(
                f"custom header {name!r} value",
                type(value).__name__,
                "a str or Secret",
                source="custom_headers",
            )
        if "\r" in text or "\n" in text or "\0" in text:
            raise InvalidOption(
                f"custom header {name!r} value",
                shown,
                "a single line (no CR, LF or NUL)",
                source="custom_headers",
            )
        if not text.isascii():
            raise InvalidOption(
                f"custom header {name!r} value",
                shown,
                "ASCII text (HTTP header values are bytes; Ecwid's are static ASCII)",
                source="custom_headers",
            )
        result.append((name, value))
    return result


def _display_value(name: str, value: str | Secret) -> str:
    if isinstance(value, Secret) or _SENSITIVE.search(name):
        return MASK
    return value


class _Core:
    """Everything but I/O: the URL, headers, clock, retry queue and block state."""

    def __init__(
        self,
        url: str,
        *,
        client_secret: object,
        custom_headers: Any,
        timeouts: object,
        retry_policy: RetryPolicy | None,
        clock: Clock | None,
        default_clock: Callable[[], Clock],
        insecure_http_not_ecwid: bool,
    ) -> None:
        self.url = check_webhook_url(url, allow_http=insecure_http_not_ecwid)
        self.secret = _resolve_secret(client_secret)
        self.custom_headers = _resolve_custom_headers(custom_headers)
        self.timeouts = resolve_timeouts(timeouts)
        self._timeout_extension = self.timeouts.extension()
        self._custom_wire = [
            (name, value.reveal().decode("latin-1") if isinstance(value, Secret) else value)
            for name, value in self.custom_headers
        ]
        self._custom_shown = [
            (name, _display_value(name, value)) for name, value in self.custom_headers
        ]
        self._urls: dict[str, tuple[str, httpx.URL, str]] = {}
        if retry_policy is None:
            retry_policy = RetryPolicy.current()
        elif isinstance(retry_policy, str):
            retry_policy = RetryPolicy.named(retry_policy)
        elif not isinstance(retry_policy, RetryPolicy):
            raise InvalidOption(
                "retry_policy", retry_policy, "a RetryPolicy or one of current, legacy, none"
            )
        self.policy = retry_policy
        if clock is not None and not isinstance(clock, Clock):
            raise InvalidOption("clock", clock, "a VirtualClock, a RealClock or None")
        self.clock: Clock = clock if clock is not None else default_clock()
        self.lock = threading.RLock()
        self.queue: list[tuple[float, int, Delivery]] = []
        self.sequence = itertools.count()
        self.failing_since: float | None = None
        self.blocked_at: float | None = None
        self.block_reason = ""
        self.history = DeliveryLog()
        self.factory: EventFactory | None = None

    # -- building ----------------------------------------------------------------------

    def build_wire(self, event: Event) -> tuple[Wire, tuple[tuple[str, str], ...]]:
        """The request for ``event``, and its header lines as shown in reports."""
        cached = self._urls.get(event.event_type)
        if cached is None:
            import httpx

            text = event_url(self.url, event.event_type)
            parsed = httpx.URL(text)
            cached = self._urls[event.event_type] = (text, parsed, parsed.netloc.decode("ascii"))
        url, parsed, host = cached
        lines = (*event.headers.items(), ("User-Agent", USER_AGENT), *self._custom_wire)
        wire = Wire(url, parsed, lines, event.body, self._timeout_extension)
        # As httpx and the HTTP/1.1 engine send them: Host first, Content-Length last.
        shown = (
            ("Host", host),
            *lines[: len(lines) - len(self._custom_wire)],
            *self._custom_shown,
            ("Content-Length", str(len(event.body))),
        )
        return wire, shown

    def open(self, event: Event) -> Delivery:
        """A new delivery, due now; already final (blocked) when the app is blocked."""
        wire, shown = self.build_wire(event)
        delivery = Delivery(
            event=event, url=wire.url, request_headers=shown, max_attempts=self.policy.max_attempts
        )
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
    ) -> None:
        """Add one attempt and move the delivery (and the app's block state) on."""
        attempt = Attempt(
            number=len(delivery.attempts) + 1,
            scheduled_at=scheduled_at,
            sent_at=sent_at,
            duration=duration,
            status_code=answer.status_code,
            error=answer.error,
            reason=answer.reason,
            response_headers=answer.headers,
            body_excerpt=answer.body_excerpt,
        )
        with self.lock:
            delivery.attempts.append(attempt)
            if attempt.accepted:
                self.failing_since = None
                self._finish(delivery, Outcome.DELIVERED)
                return
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
                return
            due = self.policy.retry_time(delivery.attempts[0].sent_at, len(delivery.attempts))
            if due is None:
                self._finish(delivery, Outcome.DROPPED)
                return
            delivery.outcome = Outcome.RETRYING
            delivery.next_retry_at = due
            heapq.heappush(self.queue, (due, next(self.sequence), delivery))

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

    def take_due(self, now: float) -> list[tuple[float, Delivery]]:
        taken: list[tuple[float, Delivery]] = []
        with self.lock:
            while self.queue and self.queue[0][0] <= now:
                due, _, delivery = heapq.heappop(self.queue)
                taken.append((due, delivery))
        return taken

    def next_due(self) -> float | None:
        with self.lock:
            return self.queue[0][0] if self.queue else None

    def advance_target(self, seconds: float, minutes: float, hours: float, days: float) -> float:
        if not isinstance(self.clock, VirtualClock):
            raise InvalidOption(
                "clock", self.clock, "a VirtualClock to advance time (a real clock only waits)"
            )
        delta = seconds + 60 * minutes + 3600 * hours + 86400 * days
        if delta < 0:
            raise InvalidOption("advance", delta, "zero or more seconds")
        return self.clock.now() + delta

    # -- events --------------------------------------------------------------------------

    def resolve_event(
        self,
        event: object,
        *,
        overrides: Mapping[str, Any] | None,
        signature: str | None,
        factory: EventFactory | None,
    ) -> Event:
        if isinstance(event, Event):
            if overrides is not None or signature is not None:
                raise InvalidOption(
                    "overrides/signature",
                    "given with an Event",
                    "used only with an event type string; an Event is sent exactly as it is",
                )
            return event
        if isinstance(event, str):
            chosen = factory or self.default_factory()
            options: dict[str, Any] = {}
            if overrides is not None:
                options["overrides"] = overrides
            if signature is not None:
                options["signature"] = signature
            built: Event = chosen.build(event, **options)
            return built
        raise InvalidOption(
            "event", event, "an ecwid_mock.Event or an event type string such as 'order.created'"
        )

    def default_factory(self) -> EventFactory:
        with self.lock:
            if self.factory is None:
                from .._events.factory import EventFactory

                self.factory = EventFactory(seed=0, client_secret=self.secret, clock=self.clock)
            return self.factory


def _check_count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidOption(name, value, f"an integer of at least {minimum}")
    return value


def order_batch(
    items: Sequence[T], *, shuffle: bool, seed: int | None, delay: Mapping[int, int] | None
) -> list[T]:
    """The order ``send_batch`` sends ``items`` in (see :meth:`Sender.send_batch`)."""
    order = list(range(len(items)))
    if shuffle:
        random.Random(0 if seed is None else seed).shuffle(order)
    for index, later in sorted((delay or {}).items()):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(items):
            raise InvalidOption(
                "delay index", index, f"an index into the batch (0 to {len(items) - 1})"
            )
        _check_count(f"delay for event {index}", later, minimum=0)
        position = order.index(index)
        order.pop(position)
        order.insert(min(position + later, len(order)), index)
    return [items[i] for i in order]


class _SenderBase:
    """Options and state shared by Sender and AsyncSender."""

    _core: _Core

    def _setup(
        self,
        url: str,
        *,
        client_secret: str | bytes | Secret,
        custom_headers: Any,
        verify: object,
        transport: object,
        app: object,
        timeouts: object,
        retry_policy: RetryPolicy | str | None,
        clock: Clock | None,
        factory: EventFactory | None,
        insecure_http_not_ecwid: bool,
    ) -> ssl.SSLContext | None:
        if app is not None and transport is not None:
            raise InvalidOption(
                "transport", transport, "None when app= is given (one or the other)"
            )
        in_process = app is not None or transport is not None
        self._core = _Core(
            url,
            client_secret=client_secret,
            custom_headers=custom_headers,
            timeouts=timeouts,
            retry_policy=retry_policy,  # type: ignore[arg-type]
            clock=clock,
            default_clock=VirtualClock if in_process else RealClock,
            insecure_http_not_ecwid=insecure_http_not_ecwid,
        )
        self._core.factory = factory
        return None if in_process else resolve_ssl_context(verify)

    @property
    def url(self) -> str:
        """The webhook URL as configured (``eventtype`` is appended per event)."""
        return self._core.url

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._core.policy

    @property
    def timeouts(self) -> Timeouts:
        return self._core.timeouts

    @property
    def factory(self) -> EventFactory:
        """The EventFactory used for event type strings (made on first use)."""
        return self._core.default_factory()

    @property
    def deliveries(self) -> DeliveryLog:
        """Deliveries made through ``send``/``send_batch`` (not ``send_many``), oldest first."""
        return self._core.history

    @property
    def pending(self) -> int:
        """How many deliveries wait for a retry."""
        with self._core.lock:
            return len(self._core.queue)

    @property
    def next_retry_at(self) -> float | None:
        return self._core.next_due()

    @property
    def blocked(self) -> bool:
        """True once the URL kept failing for the policy's ``block_after`` (two weeks)."""
        return self._core.blocked_at is not None

    def reset_block(self) -> None:
        """Unblock the app (Ecwid's support would); later events are sent again."""
        self._core.reset_block()

    def clear(self) -> None:
        """Forget history, pending retries and the block state (reuse between tests)."""
        self._core.clear()

    def _retry_or_send_time(self, delivery: Delivery) -> float:
        due = delivery.next_retry_at
        return due if due is not None else self._core.clock.now()


class Sender(_SenderBase):
    """A mock Ecwid that POSTs webhooks to ``url`` (sync API; see :class:`AsyncSender`).

    ``app=`` delivers in-process to an ASGI or WSGI app (see :meth:`for_app`);
    ``transport=`` takes any ``httpx.BaseTransport`` (e.g. ``httpx.MockTransport``);
    otherwise it uses the network, verifying TLS with ``verify`` (True, a CA file or an
    ``ssl.SSLContext``). ``clock`` defaults to a :class:`VirtualClock` in-process and to
    the :class:`RealClock` on the network.
    """

    def __init__(
        self,
        url: str,
        *,
        client_secret: str | bytes | Secret,
        custom_headers: Mapping[str, str | Secret]
        | Iterable[tuple[str, str | Secret]]
        | None = None,
        verify: bool | str | PathLike[str] | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
        app: Callable[..., Any] | None = None,
        app_kind: Literal["auto", "asgi", "wsgi"] = "auto",
        timeouts: Timeouts | httpx.Timeout | None = None,
        retry_policy: RetryPolicy | str | None = None,
        clock: Clock | None = None,
        factory: EventFactory | None = None,
        insecure_http_not_ecwid: bool = False,
    ) -> None:
        context = self._setup(
            url,
            client_secret=client_secret,
            custom_headers=custom_headers,
            verify=verify,
            transport=transport,
            app=app,
            timeouts=timeouts,
            retry_policy=retry_policy,
            clock=clock,
            factory=factory,
            insecure_http_not_ecwid=insecure_http_not_ecwid,
        )
        self._transport, self._owns_transport = sync_transport_for(
            app=app, transport=transport, ssl_context=context, app_type=app_kind
        )
        self._closed = False

    @classmethod
    def for_app(
        cls,
        app: Callable[..., Any],
        *,
        path: str = DEFAULT_PATH,
        host: str = DEFAULT_APP_HOST,
        client_secret: str | bytes | Secret,
        **options: Any,
    ) -> Sender:
        """Deliver in-process to an ASGI or WSGI app at ``https://receiver.test{path}``."""
        if not path.startswith("/"):
            raise InvalidOption("path", path, "a URL path starting with '/'")
        return cls(f"https://{host}{path}", client_secret=client_secret, app=app, **options)

    # -- sending -----------------------------------------------------------------------

    @overload
    def send(
        self,
        event: EventLike,
        *,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> Delivery: ...

    @overload
    def send(
        self,
        event: EventLike,
        *,
        times: int,
        concurrently: bool = False,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> list[Delivery]: ...

    def send(
        self,
        event: EventLike,
        *,
        times: int | None = None,
        concurrently: bool = False,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> Delivery | list[Delivery]:
        """Deliver one event (first attempt now; failures are scheduled for retry).

        ``event`` is an :class:`Event` or an event type such as ``"order.created"``, built
        with the factory (``overrides``, ``signature`` go to ``EventFactory.build``).
        ``times=n`` delivers the same event (same bytes, same eventId) n times, one after
        another or all at once with ``concurrently=True``; it returns a list.
        """
        built = self._core.resolve_event(
            event, overrides=overrides, signature=signature, factory=factory
        )
        if times is None:
            return self._send_all([built], concurrency=1)[0]
        count = _check_count("times", times)
        return self._send_all([built] * count, concurrency=count if concurrently else 1)

    def send_batch(
        self,
        events: Iterable[EventLike],
        *,
        shuffle: bool = False,
        seed: int | None = None,
        delay: Mapping[int, int] | None = None,
        concurrency: int = 1,
    ) -> list[Delivery]:
        """Deliver several events, one after another; returns deliveries in send order.

        ``shuffle=True`` sends them in a random order drawn from ``seed`` (0 by default, so
        runs repeat). ``delay={i: k}`` holds event ``i`` (its index in ``events``) back
        until ``k`` later events have gone, as Ecwid's unordered queue may. With
        ``concurrency > 1`` several are in flight at once (order then only roughly holds).
        """
        items = [
            self._core.resolve_event(e, overrides=None, signature=None, factory=None)
            for e in events
        ]
        ordered = order_batch(items, shuffle=shuffle, seed=seed, delay=delay)
        return self._send_all(ordered, concurrency=_check_count("concurrency", concurrency))

    def send_many(self, events: Iterable[EventLike], *, concurrency: int = 10) -> BulkRun:
        """Stream deliveries for many events with at most ``concurrency`` in flight.

        ``events`` (any iterable or generator) is read lazily, so memory stays flat.
        Deliveries come out as their first attempt ends (outcome delivered, retrying,
        dropped or blocked) and are not kept in :attr:`deliveries`. The returned run is an
        iterator with a live ``summary`` (a :class:`DeliverySummary`).
        """
        from .bulk import BulkRun

        limit = _check_count("concurrency", concurrency)
        return BulkRun(self._iter_many(events, limit))

    def _iter_many(self, events: Iterable[EventLike], concurrency: int) -> Iterator[Delivery]:
        from .bulk import iter_threaded

        def opened() -> Iterator[Delivery]:
            for event in events:
                yield self._core.open(
                    self._core.resolve_event(event, overrides=None, signature=None, factory=None)
                )

        return iter_threaded(opened(), self._attempt, concurrency)

    def _send_all(self, events: Sequence[Event], *, concurrency: int) -> list[Delivery]:
        self._check_open()
        deliveries = [self._core.open(e) for e in events]
        with self._core.lock:
            for delivery in deliveries:
                self._core.history.record(delivery)
        self._attempt_all([d for d in deliveries if d.outcome is Outcome.RETRYING], concurrency)
        return deliveries

    def _attempt(self, delivery: Delivery) -> Delivery:
        import time

        wire = delivery._wire
        if wire is None:  # finished meanwhile (blocked or cleared)
            return delivery
        scheduled = self._retry_or_send_time(delivery)
        sent = self._core.clock.now()
        started = time.perf_counter()
        answer = perform(self._transport, wire, self._core.timeouts)
        self._core.record(delivery, scheduled, sent, time.perf_counter() - started, answer)
        return delivery

    def _attempt_all(self, deliveries: Sequence[Delivery], concurrency: int) -> None:
        if concurrency <= 1 or len(deliveries) <= 1:
            for delivery in deliveries:
                self._attempt(delivery)
            return
        with ThreadPoolExecutor(
            max_workers=min(concurrency, len(deliveries)), thread_name_prefix="ecwid-mock-send"
        ) as pool:
            list(pool.map(self._attempt, deliveries))

    # -- retries -----------------------------------------------------------------------

    def run_pending(self, *, concurrency: int = 1) -> int:
        """Send every retry due now (at once, even if overdue); returns attempts made."""
        self._check_open()
        _check_count("concurrency", concurrency)
        made = 0
        while True:
            due = self._core.take_due(self._core.clock.now())
            if not due:
                return made
            self._attempt_all([d for _, d in due], concurrency)
            made += len(due)

    def run_until_idle(self, *, until: float | None = None, concurrency: int = 1) -> int:
        """Let time pass until no retry is left (or until ``until``); returns attempts made.

        Each retry is sent at its scheduled time: a VirtualClock jumps there at once, a
        RealClock really waits.
        """
        made = 0
        while True:
            due = self._core.next_due()
            if due is None or (until is not None and due > until):
                break
            self._core.clock.wait_until(due)
            made += self.run_pending(concurrency=concurrency)
        if until is not None:
            self._core.clock.wait_until(until)
        return made

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """Move the VirtualClock forward, sending each retry as it falls due."""
        target = self._core.advance_target(seconds, minutes, hours, days)
        return self.run_until_idle(until=target)

    # -- lifecycle ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidOption("sender", "closed", "an open Sender (it was closed)")

    def close(self) -> None:
        """Close the connections (and the background event loop of an ASGI app)."""
        if not self._closed:
            self._closed = True
            if self._owns_transport:
                self._transport.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Sender {self.url} clock={self.clock!r} retry_policy={self.retry_policy!r}>"


class AsyncSender(_SenderBase):
    """The async :class:`Sender`: same options, ``await``-able methods (asyncio)."""

    def __init__(
        self,
        url: str,
        *,
        client_secret: str | bytes | Secret,
        custom_headers: Mapping[str, str | Secret]
        | Iterable[tuple[str, str | Secret]]
        | None = None,
        verify: bool | str | PathLike[str] | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        app: Callable[..., Any] | None = None,
        app_kind: Literal["auto", "asgi", "wsgi"] = "auto",
        timeouts: Timeouts | httpx.Timeout | None = None,
        retry_policy: RetryPolicy | str | None = None,
        clock: Clock | None = None,
        factory: EventFactory | None = None,
        insecure_http_not_ecwid: bool = False,
    ) -> None:
        context = self._setup(
            url,
            client_secret=client_secret,
            custom_headers=custom_headers,
            verify=verify,
            transport=transport,
            app=app,
            timeouts=timeouts,
            retry_policy=retry_policy,
            clock=clock,
            factory=factory,
            insecure_http_not_ecwid=insecure_http_not_ecwid,
        )
        self._poster = async_poster_for(
            app=app,
            transport=transport,
            ssl_context=context,
            app_type=app_kind,
            timeouts=self._core.timeouts,
        )
        self._closed = False

    @classmethod
    def for_app(
        cls,
        app: Callable[..., Any],
        *,
        path: str = DEFAULT_PATH,
        host: str = DEFAULT_APP_HOST,
        client_secret: str | bytes | Secret,
        **options: Any,
    ) -> AsyncSender:
        """Deliver in-process to an ASGI or WSGI app at ``https://receiver.test{path}``."""
        if not path.startswith("/"):
            raise InvalidOption("path", path, "a URL path starting with '/'")
        return cls(f"https://{host}{path}", client_secret=client_secret, app=app, **options)

    @overload
    async def send(
        self,
        event: EventLike,
        *,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> Delivery: ...

    @overload
    async def send(
        self,
        event: EventLike,
        *,
        times: int,
        concurrently: bool = False,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> list[Delivery]: ...

    async def send(
        self,
        event: EventLike,
        *,
        times: int | None = None,
        concurrently: bool = False,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
        factory: EventFactory | None = None,
    ) -> Delivery | list[Delivery]:
        """See :meth:`Sender.send`."""
        built = self._core.resolve_event(
            event, overrides=overrides, signature=signature, factory=factory
        )
        if times is None:
            return (await self._send_all([built], concurrency=1))[0]
        count = _check_count("times", times)
        return await self._send_all([built] * count, concurrency=count if concurrently else 1)

    async def send_batch(
        self,
        events: Iterable[EventLike],
        *,
        shuffle: bool = False,
        seed: int | None = None,
        delay: Mapping[int, int] | None = None,
        concurrency: int = 1,
    ) -> list[Delivery]:
        """See :meth:`Sender.send_batch`."""
        items = [
            self._core.resolve_event(e, overrides=None, signature=None, factory=None)
            for e in events
        ]
        ordered = order_batch(items, shuffle=shuffle, seed=seed, delay=delay)
        return await self._send_all(ordered, concurrency=_check_count("concurrency", concurrency))

    def send_many(self, events: Iterable[EventLike], *, concurrency: int = 10) -> AsyncBulkRun:
        """See :meth:`Sender.send_many`; iterate with ``async for``."""
        from .bulk import AsyncBulkRun, aiter_tasks

        limit = _check_count("concurrency", concurrency)

        def opened() -> Iterator[Delivery]:
            for event in events:
                yield self._core.open(
                    self._core.resolve_event(event, overrides=None, signature=None, factory=None)
                )

        return AsyncBulkRun(aiter_tasks(opened(), self._attempt, limit))

    async def _send_all(self, events: Sequence[Event], *, concurrency: int) -> list[Delivery]:
        self._check_open()
        deliveries = [self._core.open(e) for e in events]
        with self._core.lock:
            for delivery in deliveries:
                self._core.history.record(delivery)
        await self._attempt_all(
            [d for d in deliveries if d.outcome is Outcome.RETRYING], concurrency
        )
        return deliveries

    async def _attempt(self, delivery: Delivery) -> Delivery:
        import time

        wire = delivery._wire
        if wire is None:
            return delivery
        scheduled = self._retry_or_send_time(delivery)
        sent = self._core.clock.now()
        started = time.perf_counter()
        answer = await self._poster.post(wire)
        self._core.record(delivery, scheduled, sent, time.perf_counter() - started, answer)
        return delivery

    async def _attempt_all(self, deliveries: Sequence[Delivery], concurrency: int) -> None:
        if concurrency <= 1 or len(deliveries) <= 1:
            for delivery in deliveries:
                await self._attempt(delivery)
            return
        from .bulk import aiter_tasks

        async for _ in aiter_tasks(iter(deliveries), self._attempt, concurrency):
            pass

    async def run_pending(self, *, concurrency: int = 1) -> int:
        """See :meth:`Sender.run_pending`."""
        self._check_open()
        _check_count("concurrency", concurrency)
        made = 0
        while True:
            due = self._core.take_due(self._core.clock.now())
            if not due:
                return made
            await self._attempt_all([d for _, d in due], concurrency)
            made += len(due)

    async def run_until_idle(self, *, until: float | None = None, concurrency: int = 1) -> int:
        """See :meth:`Sender.run_until_idle`."""
        made = 0
        while True:
            due = self._core.next_due()
            if due is None or (until is not None and due > until):
                break
            await self._core.clock.wait_until_async(due)
            made += await self.run_pending(concurrency=concurrency)
        if until is not None:
            await self._core.clock.wait_until_async(until)
        return made

    async def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """See :meth:`Sender.advance`."""
        target = self._core.advance_target(seconds, minutes, hours, days)
        return await self.run_until_idle(until=target)

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidOption("sender", "closed", "an open AsyncSender (it was closed)")

    async def aclose(self) -> None:
        """Close the connections."""
        if not self._closed:
            self._closed = True
            await self._poster.aclose()

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncSender {self.url} clock={self.clock!r} retry_policy={self.retry_policy!r}>"
