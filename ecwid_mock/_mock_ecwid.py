"""``MockEcwid``: a mock Ecwid aimed at one receiver; the pytest ``ecwid`` fixture gives one.

It joins the layers a receiver test needs: an :class:`EventFactory` (realistic signed events),
a :class:`Sender` (Ecwid's delivery contract, retries on the test's virtual clock) and, when a
test is async, an :class:`AsyncSender` sharing the same clock and record. It works without
pytest too.
"""

from __future__ import annotations

import threading
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
    from ._servers.store import EcwidStore
    from ._store.changes import Change

__all__ = ["MockEcwid"]

#: A signature mode as a cassette's record-time verdict.
_SIGNATURE_VERDICTS = {"valid": "valid", "missing": "missing"}

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
        store: EcwidStore | None = None,
        **sender_options: Any,
    ) -> None:
        self.url = url
        self.factory = factory
        self.clock = clock
        self.deliveries = DeliveryLog()
        self._options = sender_options
        self._sender: Sender | None = None
        self._async_sender: AsyncSender | None = None
        self.store: EcwidStore | None = None
        #: Store writes whose webhook the app does not get, with the reason (scope, subscription).
        self.not_sent: list[tuple[Change, str]] = []
        self._outbox: list[Change] = []
        self._outbox_lock = threading.Lock()
        #: The default cassette of :meth:`replay` and :meth:`save` (the test's, under pytest).
        self.cassette: Any = None
        if store is not None:
            self.attach_store(store)
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

    # -- the store: its writes become webhooks ------------------------------------------------

    def attach_store(self, store: EcwidStore) -> None:
        """Draw events from ``store``: event types become store writes, and every write to it
        (REST writes of the receiver included) fires the webhook Ecwid would send."""
        if self.store is store:
            return
        if self.store is not None:
            raise InvalidOption("store", store, "one store per MockEcwid (one is attached)")
        self.store = store
        store.add_listener(self._heard)

    def _heard(self, change: Change) -> None:
        with self._outbox_lock:
            self._outbox.append(change)

    def _take(self) -> list[Change]:
        with self._outbox_lock:
            taken, self._outbox = self._outbox, []
        return taken

    def _events_of(self, changes: list[Change]) -> list[Event]:
        from ._store_events import event_for_change, receives

        assert self.store is not None
        events = []
        for change in changes:
            ok, why = receives(self.store, change.event_type)
            if ok:
                events.append(event_for_change(change, self.factory, self.store.store_id))
            else:
                self.not_sent.append((change, why))
        return events

    def _store_write(self, event: EventLike, overrides: Any, signature: Any) -> list[Event]:
        """The events of the store write behind an event type ([] when none backs it)."""
        from ._store_events import write_for

        if self.store is None or not isinstance(event, str) or overrides or signature:
            return []
        with self._outbox_lock:
            before = len(self._outbox)
        if not write_for(self.store, event, self.factory):
            return []
        with self._outbox_lock:  # the write's other events stay queued and follow
            first = next((c for c in self._outbox[before:] if c.event_type == event), None)
            if first is not None:
                self._outbox.remove(first)
        return self._events_of([first]) if first is not None else []

    def deliver_changes(self, *, rounds: int = 5) -> list[Delivery]:
        """Send the webhook of every store write not sent yet, as Ecwid does after a write.

        A receiver that writes back in its handler causes more writes: they are sent too, for
        at most ``rounds`` rounds; what is still waiting then is an update loop (see
        :meth:`assert_no_update_loop`) and stays queued.
        """
        sent: list[Delivery] = []
        for _ in range(rounds):
            events = self._events_of(self._take())
            if not events:
                break
            sent.extend(self._record(self.sender.send_batch(events)))
        return sent

    async def adeliver_changes(self, *, rounds: int = 5) -> list[Delivery]:
        """The async :meth:`deliver_changes`."""
        sent: list[Delivery] = []
        for _ in range(rounds):
            events = self._events_of(self._take())
            if not events:
                break
            sent.extend(self._record(await self.async_sender.send_batch(events)))
        return sent

    @property
    def pending_changes(self) -> int:
        """Store writes whose webhook has not been sent yet."""
        with self._outbox_lock:
            return len(self._outbox)

    def assert_no_update_loop(self, *, most: int = 1) -> None:
        """Fail when the receiver's own REST writes kept firing events it receives.

        A handler may write once (e.g. mark an order processed); one that writes again for
        every event its write causes loops forever on real Ecwid. ``most`` writes are allowed.
        """
        __tracebackhide__ = True
        from ._store.changes import feedback_writes

        if self.store is None:
            raise InvalidOption("store", None, "an attached store (MockEcwid(store=...))")
        app = self.store.app
        writes = feedback_writes(self.store.changes, app.name, subscribed=app.events or None)
        if len(writes) > most:
            lines = [
                f"ecwid-mock: the receiver's own REST writes fired {len(writes)} events it "
                f"receives (at most {most} expected): an update loop; Ecwid keeps sending them",
                *(f"  {c.endpoint} -> {c.event_type} (entityId {c.entity_id})" for c in writes),
            ]
            raise DeliveryAssertionError("\n".join(lines))

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
        """Deliver an ``Event``, or an event type built with ``overrides`` and ``signature``.

        With a store attached, an event type without overrides or signature mode is a store
        write first (a new order, an update, a deletion) and the event is that write's
        webhook; the webhooks of writes the receiver made meanwhile follow.
        """
        backed = self._store_write(event, overrides, signature)
        built = backed[0] if backed else self._event(event, overrides, signature)
        delivery: Delivery = self._record(self.sender.send(built))
        if self.store is not None:
            self.deliver_changes()
        return delivery

    async def asend(
        self,
        event: EventLike,
        *,
        overrides: Mapping[str, Any] | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """The async :meth:`send`, for pytest-asyncio and anyio tests."""
        backed = self._store_write(event, overrides, signature)
        built = backed[0] if backed else self._event(event, overrides, signature)
        delivery: Delivery = self._record(await self.async_sender.send(built))
        if self.store is not None:
            await self.adeliver_changes()
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

    # -- real traffic: replay, resend, save --------------------------------------------------

    def replay(
        self,
        cassette: Any = None,
        *,
        shift_time: bool = True,
        new_ids: bool = False,
        order: str = "recorded",
        seed: int = 0,
        duplicates: int = 0,
    ) -> list[Delivery]:
        """Send a cassette's deliveries again, re-signed with this mock's secret, in order.

        ``cassette`` is a path, a :class:`~ecwid_mock.Cassette` or ``None`` for
        :attr:`cassette` (the test's default cassette under pytest). ``shift_time`` moves
        ``eventCreated`` so the last one is now, keeping every gap; ``new_ids`` draws fresh
        ``eventId`` values; ``order="shuffled"`` sends them in an order drawn from ``seed``;
        ``duplicates=n`` sends each event n more times right after it (same bytes), as Ecwid's
        redeliveries do.
        With a store attached, the records the events name are created first (with the
        captured ids), so a receiver that fetches them back finds them.
        """
        from ._replay.replay import replay_events

        source = cassette if cassette is not None else self.cassette
        if source is None:
            raise InvalidOption("cassette", None, "a cassette path or Cassette", source="replay()")
        events = replay_events(
            source,
            secret=self.factory.client_secret,
            shift_time=shift_time,
            new_ids=new_ids,
            order=order,  # type: ignore[arg-type]
            seed=seed,
            clock=self.clock,
        )
        from ._delivery.flow import check_count

        copies = 1 + check_count("duplicates", duplicates, minimum=0, maximum=100)
        events = [event for event in events for _ in range(copies)]
        if self.store is not None:  # what each event names exists for the fetch-back
            from ._store_events import adopt_named

            for event in events:
                adopt_named(self.store, event)
        result: list[Delivery] = self._record(self.sender.send_batch(events))
        return result

    def resend(self, delivery: Delivery) -> Delivery:
        """Send a logged delivery's event again: the same bytes, eventId and signature."""
        return self.send(delivery.event)

    def save(self, path: Any = None) -> int:
        """Append this mock's deliveries to a cassette (default :attr:`cassette`); returns how
        many. The signature header is not written: a replay signs again."""
        from ._replay.cassette import Cassette, Interaction
        from ._secrets import mask

        target = path if path is not None else self.cassette
        if target is None:
            raise InvalidOption("cassette", None, "a cassette path", source="save()")
        cassette = target if isinstance(target, Cassette) else Cassette(target)
        for delivery in self.deliveries:
            last = delivery.attempts[-1] if delivery.attempts else None
            path_part, _, query = delivery.url.partition("://")[2].partition("/")[2].partition("?")
            cassette.append(
                Interaction(
                    body=delivery.event.body,
                    path="/" + path_part,
                    query=mask(query),
                    headers=tuple(
                        (k, v)
                        for k, v in delivery.request_headers
                        if k.lower() != "x-ecwid-webhook-signature"
                    ),
                    received_at=last.sent_at if last is not None else 0.0,
                    status=last.status_code if last is not None else None,
                    elapsed=last.duration if last is not None else None,
                    signature=_SIGNATURE_VERDICTS.get(delivery.event.signature_mode, "invalid"),
                )
            )
        return len(self.deliveries)

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
        from ._secrets import mask

        return f"<MockEcwid {mask(self.url)} deliveries={len(self.deliveries)}>"
