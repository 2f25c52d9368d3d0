"""The mock Ecwid sender: POSTs events the way Ecwid does and judges answers as Ecwid does.

``AsyncSender`` awaits the delivery flow (:mod:`.flow`); ``Sender`` runs the very same
coroutines on a private event loop, so both share every line of delivery logic and the one
network engine. Both check the URL before any traffic, send Ecwid's headers (plus custom
ones), follow no redirects, apply Ecwid's 3 s / 10 s limits, accept only
200/201/202/204/209, retry on Ecwid's schedule on a clock (a
:class:`~ecwid_mock.VirtualClock` runs 24 hours of retries in milliseconds), and block the
app after two weeks of failures. The sender takes :class:`~ecwid_mock.Event` values; build
them with :class:`~ecwid_mock.EventFactory` (or send event types through ``MockEcwid``).

Scenarios::

    sender.send(event)                                  # one delivery
    sender.send(event, times=2)                         # the same event delivered twice
    sender.send(event, times=3, concurrently=True)      # ... three times at once
    sender.send_batch(events, shuffle=True, seed=7)     # in a seeded random order
    sender.send_batch(events, delay={0: 2})             # event 0 after the next two
    for delivery in sender.send_many(gen, concurrency=50): ...   # bulk, bounded memory
    sender.run_until_idle()                             # run every retry still scheduled
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from .._clock import Clock, RealClock, VirtualClock
from .._errors import InvalidOption
from .._events.event import Event
from .._events.signing import Secret
from .._schemas.contract import contract
from .._transports.apps import app_kind as detect_app_kind
from .._transports.inprocess import Poster
from .._transports.wire import Timeouts, resolve_timeouts
from .bulk import AsyncBulkRun, BulkRun
from .core import DeliveryCore, resolve_custom_headers
from .flow import MAX_CONCURRENCY, DeliveryFlow, check_count, order_batch
from .log import DeliveryLog
from .record import Delivery
from .retry import RetryPolicy
from .runner import LoopRunner
from .url import check_webhook_url

if TYPE_CHECKING:
    import ssl
    from os import PathLike

    import httpx

    from .._transports.engine import Resolver

__all__ = ["DEFAULT_APP_HOST", "DEFAULT_PATH", "AsyncSender", "Sender", "Timeouts"]

DEFAULT_APP_HOST = "receiver.test"
DEFAULT_PATH = contract().default_path

HeaderValue = str | Secret
CustomHeaders = Mapping[str, HeaderValue] | Iterable[tuple[str, HeaderValue]] | None


def resolve_ssl_context(verify: object) -> ssl.SSLContext:
    """The client context for ``verify=``: True (system CAs), a CA file path, or a context.

    There is no way to switch verification off: Ecwid requires a trusted certificate.
    """
    import os
    import ssl

    if verify is True:
        return _system_context()
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, (str, os.PathLike)) and not isinstance(verify, bool):
        path = os.fspath(verify)
        try:
            return ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
            raise InvalidOption(
                "CA file",
                path,
                f"a readable PEM file of trusted CA certificates ({reason})",
                source="verify=",
            ) from None
    raise InvalidOption(
        "verify",
        verify,
        "True, a CA file path or an ssl.SSLContext (certificate checks cannot be turned off: "
        "Ecwid only calls URLs with a trusted certificate; trust a test CA instead)",
    )


@functools.cache
def _system_context() -> ssl.SSLContext:
    """httpx's context of the system CAs, made once: loading the bundle takes ~20 ms, and a
    context is shared safely by any number of connections."""
    import httpx

    context: ssl.SSLContext = httpx.create_ssl_context()
    return context


def _resolve_policy(value: object) -> RetryPolicy:
    if value is None:
        return RetryPolicy.current()
    if isinstance(value, str):
        return RetryPolicy.named(value)
    if isinstance(value, RetryPolicy):
        return value
    raise InvalidOption("retry_policy", value, "a RetryPolicy or one of current, legacy, none")


def _build(
    url: str,
    *,
    sync: bool,
    custom_headers: CustomHeaders,
    verify: object,
    transport: object,
    app: object,
    app_kind: str,
    timeouts: object,
    retry_policy: object,
    clock: object,
    insecure_http_not_ecwid: bool,
    resolver: Resolver | None,
) -> DeliveryFlow:
    """Check every option, then the core and the poster that carries its requests."""
    if app is not None and transport is not None:
        raise InvalidOption("transport", transport, "None when app= is given (one or the other)")
    checked_url = check_webhook_url(url, allow_http=insecure_http_not_ecwid)
    resolved_timeouts = resolve_timeouts(timeouts)
    if clock is not None and not isinstance(clock, Clock):
        raise InvalidOption("clock", clock, "a VirtualClock, a RealClock or None")
    in_process = app is not None or transport is not None
    core = DeliveryCore(
        checked_url,
        custom_headers=resolve_custom_headers(custom_headers),
        timeouts=resolved_timeouts,
        retry_policy=_resolve_policy(retry_policy),
        clock=clock if clock is not None else (VirtualClock() if in_process else RealClock()),
    )
    return DeliveryFlow(
        core, _poster(sync, app, app_kind, transport, verify, resolved_timeouts, resolver)
    )


def _poster(
    sync: bool,
    app: object,
    app_kind: str,
    transport: object,
    verify: object,
    timeouts: Timeouts,
    resolver: Resolver | None,
) -> Poster:
    from .._transports import inprocess

    if app is not None:
        kind = detect_app_kind(app, app_kind)
        return inprocess.app_poster(app, kind, timeouts)  # type: ignore[arg-type]
    if transport is not None:
        import httpx

        if not sync and isinstance(transport, httpx.AsyncBaseTransport):
            return inprocess.AsyncTransportPoster(transport, timeouts, owned=False)
        if sync and isinstance(transport, httpx.BaseTransport):
            return inprocess.SyncTransportPoster(transport, timeouts, owned=False)
        hint = (
            "an httpx.BaseTransport for Sender (e.g. httpx.MockTransport); use AsyncSender "
            "for an async transport"
            if sync
            else "an httpx.AsyncBaseTransport for AsyncSender (e.g. httpx.MockTransport); "
            "use Sender for a sync transport"
        )
        raise InvalidOption("transport", transport, hint, source="transport=")
    from .._transports.engine import NetworkEngine

    return NetworkEngine(resolve_ssl_context(verify), timeouts, resolver=resolver)


class _SenderBase:
    """Options and state shared by Sender and AsyncSender (both drive one flow)."""

    _flow: DeliveryFlow
    _closed: bool

    @property
    def _core(self) -> DeliveryCore:
        return self._flow.core

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

    def _share_core(self, other: _SenderBase) -> None:
        """Use ``other``'s core (queue, clock, block state, log) with this driver's poster."""
        self._flow = DeliveryFlow(other._flow.core, self._flow.poster)

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidOption(
                "sender", "closed", f"an open {type(self).__name__} (it was closed)"
            )

    @staticmethod
    def _events(event: Event, times: int | None, concurrently: bool) -> tuple[list[Event], int]:
        if times is None:
            return [event], 1
        count = check_count("times", times, maximum=MAX_CONCURRENCY)
        return [event] * count, count if concurrently else 1

    def _batch(
        self,
        events: Iterable[Event],
        shuffle: bool,
        seed: int | None,
        delay: Mapping[int, int] | None,
        concurrency: int,
    ) -> tuple[list[Event], int]:
        items = list(events)
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return order_batch(items, shuffle=shuffle, seed=seed, delay=delay), limit

    def __repr__(self) -> str:
        from .._secrets import mask

        return (
            f"<{type(self).__name__} {mask(self.url)} clock={self.clock!r} "
            f"retry_policy={self.retry_policy!r}>"
        )


def _app_url(path: str, host: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidOption("path", path, "a URL path starting with '/'", source="path=")
    return f"https://{host}{path}"


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
        custom_headers: CustomHeaders = None,
        verify: bool | str | PathLike[str] | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
        app: Callable[..., Any] | None = None,
        app_kind: Literal["auto", "asgi", "wsgi"] = "auto",
        timeouts: Timeouts | httpx.Timeout | None = None,
        retry_policy: RetryPolicy | str | None = None,
        clock: Clock | None = None,
        insecure_http_not_ecwid: bool = False,
        resolver: Resolver | None = None,
    ) -> None:
        self._flow = _build(
            url,
            sync=True,
            custom_headers=custom_headers,
            verify=verify,
            transport=transport,
            app=app,
            app_kind=app_kind,
            timeouts=timeouts,
            retry_policy=retry_policy,
            clock=clock,
            insecure_http_not_ecwid=insecure_http_not_ecwid,
            resolver=resolver,
        )
        self._runner = LoopRunner()
        self._closed = False

    @classmethod
    def for_app(
        cls,
        app: Callable[..., Any],
        *,
        path: str = DEFAULT_PATH,
        host: str = DEFAULT_APP_HOST,
        **options: Any,
    ) -> Sender:
        """Deliver in-process to an ASGI or WSGI app at ``https://receiver.test{path}``."""
        return cls(_app_url(path, host), app=app, **options)

    @overload
    def send(self, event: Event) -> Delivery: ...

    @overload
    def send(self, event: Event, *, times: int, concurrently: bool = False) -> list[Delivery]: ...

    def send(
        self, event: Event, *, times: int | None = None, concurrently: bool = False
    ) -> Delivery | list[Delivery]:
        """Deliver one event (first attempt now; failures are scheduled for retry).

        ``times=n`` delivers the same event (same bytes, same eventId) n times, one after
        another or all at once with ``concurrently=True``; it returns a list.
        """
        self._check_open()
        events, concurrency = self._events(event, times, concurrently)
        deliveries = self._runner.run(self._flow.send_all(events, concurrency))
        return deliveries if times is not None else deliveries[0]

    def send_batch(
        self,
        events: Iterable[Event],
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
        self._check_open()
        ordered, limit = self._batch(events, shuffle, seed, delay, concurrency)
        return self._runner.run(self._flow.send_all(ordered, limit))

    def send_many(self, events: Iterable[Event], *, concurrency: int = 10) -> BulkRun:
        """Stream deliveries for many events with at most ``concurrency`` in flight.

        ``events`` (any iterable or generator) is read lazily, so memory stays flat.
        Deliveries come out as their first attempt ends (outcome delivered, retrying,
        dropped or blocked) and are not kept in :attr:`deliveries`. The returned run is an
        iterator with a live ``summary``; stop early with ``run.close()`` (or ``with``):
        attempts in flight then finish into ``run.unread``.
        """
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return BulkRun(self._runner, lambda unread: self._flow.stream(events, limit, unread))

    def run_pending(self, *, concurrency: int = 1) -> int:
        """Send every retry due now (at once, even if overdue); returns attempts made."""
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return self._runner.run(self._flow.run_pending(limit))

    def run_until_idle(self, *, until: float | None = None, concurrency: int = 1) -> int:
        """Let time pass until no retry is left (or until ``until``); returns attempts made.

        Each retry is sent at its scheduled time: a VirtualClock jumps there at once, a
        RealClock really waits.
        """
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return self._runner.run(self._flow.run_until_idle(until, limit))

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """Move the VirtualClock forward, sending each retry as it falls due."""
        target = self._core.advance_target(seconds, minutes, hours, days)
        return self.run_until_idle(until=target)

    def close(self) -> None:
        """Close the connections and the private event loop."""
        if not self._closed:
            self._closed = True
            try:
                self._runner.run(self._flow.poster.aclose())
            finally:
                self._runner.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncSender(_SenderBase):
    """The async :class:`Sender`: same options, ``await``-able methods (asyncio)."""

    def __init__(
        self,
        url: str,
        *,
        custom_headers: CustomHeaders = None,
        verify: bool | str | PathLike[str] | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | httpx.BaseTransport | None = None,
        app: Callable[..., Any] | None = None,
        app_kind: Literal["auto", "asgi", "wsgi"] = "auto",
        timeouts: Timeouts | httpx.Timeout | None = None,
        retry_policy: RetryPolicy | str | None = None,
        clock: Clock | None = None,
        insecure_http_not_ecwid: bool = False,
        resolver: Resolver | None = None,
    ) -> None:
        self._flow = _build(
            url,
            sync=False,
            custom_headers=custom_headers,
            verify=verify,
            transport=transport,
            app=app,
            app_kind=app_kind,
            timeouts=timeouts,
            retry_policy=retry_policy,
            clock=clock,
            insecure_http_not_ecwid=insecure_http_not_ecwid,
            resolver=resolver,
        )
        self._closed = False

    @classmethod
    def for_app(
        cls,
        app: Callable[..., Any],
        *,
        path: str = DEFAULT_PATH,
        host: str = DEFAULT_APP_HOST,
        **options: Any,
    ) -> AsyncSender:
        """Deliver in-process to an ASGI or WSGI app at ``https://receiver.test{path}``."""
        return cls(_app_url(path, host), app=app, **options)

    @overload
    async def send(self, event: Event) -> Delivery: ...

    @overload
    async def send(
        self, event: Event, *, times: int, concurrently: bool = False
    ) -> list[Delivery]: ...

    async def send(
        self, event: Event, *, times: int | None = None, concurrently: bool = False
    ) -> Delivery | list[Delivery]:
        """See :meth:`Sender.send`."""
        self._check_open()
        events, concurrency = self._events(event, times, concurrently)
        deliveries = await self._flow.send_all(events, concurrency)
        return deliveries if times is not None else deliveries[0]

    async def send_batch(
        self,
        events: Iterable[Event],
        *,
        shuffle: bool = False,
        seed: int | None = None,
        delay: Mapping[int, int] | None = None,
        concurrency: int = 1,
    ) -> list[Delivery]:
        """See :meth:`Sender.send_batch`."""
        self._check_open()
        ordered, limit = self._batch(events, shuffle, seed, delay, concurrency)
        return await self._flow.send_all(ordered, limit)

    def send_many(self, events: Iterable[Event], *, concurrency: int = 10) -> AsyncBulkRun:
        """See :meth:`Sender.send_many`; iterate with ``async for``."""
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return AsyncBulkRun(lambda unread: self._flow.stream(events, limit, unread))

    async def run_pending(self, *, concurrency: int = 1) -> int:
        """See :meth:`Sender.run_pending`."""
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return await self._flow.run_pending(limit)

    async def run_until_idle(self, *, until: float | None = None, concurrency: int = 1) -> int:
        """See :meth:`Sender.run_until_idle`."""
        self._check_open()
        limit = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
        return await self._flow.run_until_idle(until, limit)

    async def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """See :meth:`Sender.advance`."""
        target = self._core.advance_target(seconds, minutes, hours, days)
        return await self.run_until_idle(until=target)

    async def aclose(self) -> None:
        """Close the connections."""
        if not self._closed:
            self._closed = True
            await self._flow.poster.aclose()

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
