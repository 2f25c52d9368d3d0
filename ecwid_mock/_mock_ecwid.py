"""``MockEcwid``: a mock Ecwid aimed at one receiver; the pytest ``ecwid`` fixture gives one.

It joins the layers a receiver test needs: an :class:`EventFactory` (realistic signed events),
a :class:`Sender` (Ecwid's delivery contract, retries on the test's virtual clock) and, when a
test is async, an :class:`AsyncSender` sharing the same clock and record. It works without
pytest too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._delivery.log import DeliveryLog
from ._errors import DeliveryAssertionError, InvalidEvent, InvalidOption

if TYPE_CHECKING:
    from ._clock import Clock
    from ._delivery.bulk import AsyncBulkRun, BulkRun
    from ._delivery.record import Delivery
    from ._delivery.sender import AsyncSender, Sender
    from ._events.app import EcwidApp
    from ._events.event import Event
    from ._events.factory import EventFactory

__all__ = ["MockEcwid"]

EventLike = Any  # an Event, or an event type such as "order.created"


class MockEcwid:
    """Sends events to the receiver under test and records every delivery.

    ``url`` is the receiver's webhook URL; give ``app=`` to deliver in-process to an ASGI or
    WSGI app instead of over the network (see :meth:`for_app`). Other keyword options are
    those of :class:`Sender`. Event types (``"order.created"``) are built here with the
    factory; the sync and async methods share one sender core, so retries scheduled by
    ``asend`` are run by ``advance`` and the other way round.
    """

    def __init__(
        self,
        url: str,
        *,
        factory: EventFactory,
        clock: Clock,
        **sender_options: Any,
    ) -> None:
        self.url = url
        self.factory = factory
        self.clock = clock
        self.deliveries = DeliveryLog()
        self._options = sender_options
        self._sender: Sender | None = None
        self._async_sender: AsyncSender | None = None
        self.app: EcwidApp | None = None  # set on the views made by as_app()
        self._views: list[MockEcwid] = []

    @classmethod
    def for_app(
        cls,
        app: Any,
        *,
        path: str | None = None,
        factory: EventFactory,
        clock: Clock,
        **sender_options: Any,
    ) -> MockEcwid:
        """Deliver in-process to an ASGI or WSGI app, at ``https://receiver.test{path}``."""
        from ._delivery.sender import DEFAULT_APP_HOST, DEFAULT_PATH

        path = DEFAULT_PATH if path is None else path
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidOption("path", path, "a URL path starting with '/'", source="path=")
        return cls(
            f"https://{DEFAULT_APP_HOST}{path}",
            factory=factory,
            clock=clock,
            app=app,
            **sender_options,
        )

    def as_app(self, app: EcwidApp) -> MockEcwid:
        """This mock Ecwid delivering for another app at the same URL, as Ecwid does when
        several apps register one webhook URL: events signed with ``app``'s client secret,
        sent with its custom headers, only of the types it subscribes to. Same store, clock
        and delivery log; its own senders (Ecwid retries and blocks each app on its own).
        Closed with this one."""
        import hashlib

        from ._events.app import EcwidApp
        from ._events.factory import EventFactory

        if not isinstance(app, EcwidApp):
            raise InvalidOption(
                "app", type(app).__name__, "an ecwid_mock.EcwidApp", source="as_app()"
            )
        digest = hashlib.sha256(f"{self.factory.seed}:{app.name}".encode()).digest()
        factory = EventFactory(
            seed=int.from_bytes(digest[:4], "big"),
            store_id=self.factory.store_id,
            client_secret=app.client_secret,
            clock=self.factory.clock,
        )
        options = {**self._options, "custom_headers": app.custom_headers}
        view = MockEcwid(self.url, factory=factory, clock=self.clock, **options)
        view.deliveries = self.deliveries
        view.app = app
        self._views.append(view)
        return view

    # -- the senders, created on first use and sharing one core ------------------------------

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            from ._delivery.sender import Sender

            self._sender = Sender(self.url, clock=self.clock, **self._options)
            if self._async_sender is not None:
                self._sender._share_core(self._async_sender)
        return self._sender

    @property
    def async_sender(self) -> AsyncSender:
        if self._async_sender is None:
            from ._delivery.sender import AsyncSender

            self._async_sender = AsyncSender(self.url, clock=self.clock, **self._options)
            if self._sender is not None:
                self._async_sender._share_core(self._sender)
        return self._async_sender

    def _record(self, result: Delivery | list[Delivery]) -> Any:
        for delivery in result if isinstance(result, list) else [result]:
            self.deliveries.record(delivery)
        return result

    def _event(
        self, event: EventLike, overrides: Mapping[str, Any] | None, signature: str | None
    ) -> Event:
        from ._events.event import Event

        if isinstance(event, Event):
            if overrides is not None or signature is not None:
                raise InvalidOption(
                    "overrides/signature",
                    "given with an Event",
                    "used only with an event type string; an Event is sent exactly as it is",
                )
            return event
        if isinstance(event, str):
            if self.app is not None and not self.app.subscribes(event):
                raise InvalidOption(
                    "event type",
                    event,
                    f"one that app {self.app.name!r} subscribes to (Ecwid sends it no other)",
                    source="as_app()",
                )
            options: dict[str, Any] = {}
            if overrides is not None:
                options["overrides"] = overrides
            if signature is not None:
                options["signature"] = signature
            return self.factory.build(event, **options)
        raise InvalidOption(
            "event", event, "an ecwid_mock.Event or an event type string such as 'order.created'"
        )

    def _events(self, events: Iterable[EventLike]) -> Iterator[Event]:
        return (self._event(e, None, None) for e in events)

    # -- sending ----------------------------------------------------------------------------

    def build(self, event_type: str, **options: Any) -> Event:
        """Build an event without sending it (``EventFactory.build`` options)."""
        return self.factory.build(event_type, **options)

    def send(
        self,
        event: EventLike,
        *,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Deliver an ``Event``, or an event type built with ``overrides`` and ``signature``."""
        delivery: Delivery = self._record(
            self.sender.send(self._event(event, overrides, signature))
        )
        return delivery

    async def asend(
        self,
        event: EventLike,
        *,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """The async :meth:`send`, for pytest-asyncio and anyio tests."""
        delivery: Delivery = self._record(
            await self.async_sender.send(self._event(event, overrides, signature))
        )
        return delivery

    def duplicate(
        self, event: EventLike, *, times: int = 2, concurrently: bool = False
    ) -> list[Delivery]:
        """Deliver the same event (same bytes, same eventId) ``times`` times, as Ecwid may."""
        built = self._event(event, None, None)
        result: list[Delivery] = self._record(
            self.sender.send(built, times=times, concurrently=concurrently)
        )
        return result

    async def aduplicate(
        self, event: EventLike, *, times: int = 2, concurrently: bool = False
    ) -> list[Delivery]:
        """The async :meth:`duplicate`."""
        built = self._event(event, None, None)
        result: list[Delivery] = self._record(
            await self.async_sender.send(built, times=times, concurrently=concurrently)
        )
        return result

    def send_batch(
        self,
        events: Iterable[EventLike],
        *,
        shuffle: bool = False,
        seed: int | None = None,
        delay: Mapping[int, int] | None = None,
    ) -> list[Delivery]:
        """Deliver several events in order, shuffled (seeded), or with some held back."""
        result: list[Delivery] = self._record(
            self.sender.send_batch(
                list(self._events(events)), shuffle=shuffle, seed=seed, delay=delay
            )
        )
        return result

    async def asend_batch(
        self,
        events: Iterable[EventLike],
        *,
        shuffle: bool = False,
        seed: int | None = None,
        delay: Mapping[int, int] | None = None,
    ) -> list[Delivery]:
        """The async :meth:`send_batch`."""
        result: list[Delivery] = self._record(
            await self.async_sender.send_batch(
                list(self._events(events)), shuffle=shuffle, seed=seed, delay=delay
            )
        )
        return result

    def shuffle(self, events: Iterable[EventLike], *, seed: int | None = None) -> list[Delivery]:
        """Deliver ``events`` in a random order drawn from ``seed`` (repeatable)."""
        return self.send_batch(events, shuffle=True, seed=seed)

    def delay(self, events: Iterable[EventLike], *, held: Mapping[int, int]) -> list[Delivery]:
        """Deliver ``events`` with event ``i`` held back behind the next ``held[i]`` ones."""
        return self.send_batch(events, delay=held)

    def send_many(self, events: Iterable[EventLike], *, concurrency: int = 10) -> BulkRun:
        """Stream many deliveries (not kept in :attr:`deliveries`); see ``Sender.send_many``."""
        return self.sender.send_many(self._events(events), concurrency=concurrency)

    def asend_many(self, events: Iterable[EventLike], *, concurrency: int = 10) -> AsyncBulkRun:
        """The async :meth:`send_many` (``async for``)."""
        return self.async_sender.send_many(self._events(events), concurrency=concurrency)

    # -- time -------------------------------------------------------------------------------

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """Move the virtual clock on, sending each retry as it falls due; returns attempts made."""
        return self.sender.advance(seconds, minutes=minutes, hours=hours, days=days)

    async def aadvance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> int:
        """The async :meth:`advance`."""
        return await self.async_sender.advance(seconds, minutes=minutes, hours=hours, days=days)

    def run_until_idle(self) -> int:
        """Let virtual time pass until every pending retry was sent (delivered or dropped)."""
        return self.sender.run_until_idle()

    async def arun_until_idle(self) -> int:
        """The async :meth:`run_until_idle`."""
        return await self.async_sender.run_until_idle()

    # -- assertions -------------------------------------------------------------------------

    def assert_all_delivered(self) -> None:
        """Fail, listing every delivery, unless all were accepted by the receiver."""
        __tracebackhide__ = True
        self.deliveries.assert_all_delivered()

    def assert_valid(self, payload: Any, event_type: str | None = None) -> dict[str, Any]:
        """Assert that a payload a handler stores or forwards is a valid Ecwid event (tolerant)."""
        __tracebackhide__ = True
        from ._schemas.validate import validate_event

        try:
            value = validate_event(payload)
        except InvalidEvent as exc:
            raise DeliveryAssertionError(f"ecwid-mock: {exc}") from None
        if event_type is not None and value.get("eventType") != event_type:
            raise DeliveryAssertionError(
                f"ecwid-mock: expected a {event_type} event, got {value.get('eventType')!r}"
            )
        return value

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync sender's connections (an async sender is closed by :meth:`aclose`)."""
        for view in self._views:
            view.close()
        if self._sender is not None:
            self._sender.close()

    async def aclose(self) -> None:
        """Close the async sender's connections."""
        for view in self._views:
            await view.aclose()
        if self._async_sender is not None:
            await self._async_sender.aclose()

    def __enter__(self) -> MockEcwid:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<MockEcwid {self.url} deliveries={len(self.deliveries)}>"
