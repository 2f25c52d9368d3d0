"""Store writes become webhook events: the join of the mock store and the event layer.

Ecwid fires a webhook after each write to a store, the app's own REST writes included. This
module turns a store :class:`~ecwid_mock.Change` into the signed :class:`~ecwid_mock.Event`
Ecwid would send, and performs the store write behind an event type, so that every event
``MockEcwid`` sends about a store names records its REST API serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._events.event import Event
from ._events.signing import sign
from ._schemas.catalog import event_info
from ._store import ids as _ids

if TYPE_CHECKING:
    from ._events.factory import EventFactory
    from ._servers.store import EcwidStore
    from ._store.changes import Change

__all__ = [
    "FAMILIES",
    "WebhookForwarder",
    "adopt_named",
    "event_for_change",
    "receives",
    "write_for",
]

#: The store's record family behind each event entity.
FAMILIES = {
    "order": "orders",
    "unfinished_order": "carts",
    "product": "products",
    "category": "categories",
    "customer": "customers",
    "customer_group": "customer_groups",
    "discount_coupon": "coupons",
    "promotion": "promotions",
    "product_class": "classes",
    "review": "reviews",
}


def event_for_change(change: Change, factory: EventFactory, store_id: int) -> Event:
    """The webhook Ecwid sends for ``change``: signed with the factory's secret, now."""
    info = event_info(change.event_type)
    entity_id: Any = change.entity_id
    if info.entity_id_type == "string":
        entity_id = str(entity_id)
    created = int(factory.clock.now())
    event_id = _ids.event_id(factory.rng)
    payload: dict[str, Any] = {
        "eventId": event_id,
        "eventCreated": created,
        "storeId": store_id,
        "entityId": entity_id,
        "eventType": change.event_type,
    }
    if change.data is not None:
        payload["data"] = dict(change.data)
    return Event.from_payload(payload, signature=sign(created, event_id, factory.client_secret))


def receives(store: EcwidStore, event_type: str) -> tuple[bool, str]:
    """Whether the store's app gets ``event_type``: subscribed to it and holding its scope."""
    app = store.app
    if app.events and event_type not in app.events:
        return False, f"the app did not subscribe to {event_type}"
    scope = event_info(event_type).scope
    if scope and scope not in app.scopes:
        return False, f"{event_type} needs the {scope} scope, which the app does not hold"
    return True, ""


def write_for(store: EcwidStore, event_type: str, factory: EventFactory) -> bool:
    """Make the store write that fires ``event_type``; ``False`` when no record backs it."""
    entity, _, action = event_type.partition(".")
    family = FAMILIES.get(entity)
    if family is None or action not in ("created", "updated", "deleted"):
        return False
    records = getattr(store.state, family)
    if action == "created":
        store.create(family, _new_fields(store, family, factory))
        return True
    if not records:
        store.create(family, _new_fields(store, family, factory))
    key = list(records)[-1]
    if action == "deleted":
        store.delete(family, key)
    else:
        store.update(family, key, _changed_fields(family, records[key], factory))
    return True


def adopt_named(store: EcwidStore, event: Event) -> bool:
    """Make the record a replayed ``event`` names exist in ``store`` (quietly, with its ids).

    A deletion names a record that is gone, and some families (carts, reviews) need more than
    an id: for those nothing is made. Returns whether a record backs the event now.
    """
    entity, _, action = event.event_type.partition(".")
    family = FAMILIES.get(entity)
    if family is None or action == "deleted" or family in ("carts", "reviews"):
        return False
    payload = event.payload
    entity_id = payload.get("entityId")
    if family == "orders":
        order_id = (payload.get("data") or {}).get("orderId")
        if not isinstance(order_id, str) or not isinstance(entity_id, int):
            return False
        store.state.adopt("orders", order_id, internal_id=entity_id)
        return True
    if isinstance(entity_id, bool) or not isinstance(entity_id, int):
        return False
    fields = {"name": f"{entity} {entity_id} (from a capture)"} if family == "products" else {}
    if family == "customers":
        email = (payload.get("data") or {}).get("customerEmail")
        fields = {"email": email} if isinstance(email, str) else {}
    store.state.adopt(family, entity_id, fields=fields)
    return True


def _new_fields(store: EcwidStore, family: str, factory: EventFactory) -> dict[str, Any]:
    fake = factory.faker
    if family == "products":
        return {"name": fake.catch_phrase(), "price": round(fake.pyfloat(1, 2, True), 2)}
    if family == "customers":
        return {"email": fake.email()}
    if family == "reviews":
        products = store.state.products
        if not products:
            store.create("products", _new_fields(store, "products", factory))
        return {
            "productId": list(products)[-1],
            "rating": factory.rng.randint(1, 5),
            "review": fake.sentence(),
        }
    return {}


def _changed_fields(family: str, record: dict[str, Any], factory: EventFactory) -> dict[str, Any]:
    if family == "orders":
        paid = record.get("paymentStatus") == "PAID"
        return {"paymentStatus": "AWAITING_PAYMENT" if paid else "PAID"}
    if family == "customers":
        return {"email": factory.faker.email()}
    if "name" in record:
        return {"name": f"{record['name']} (edited)"}
    return {"enabled": not record.get("enabled", True)}


class WebhookForwarder:
    """Sends the webhook of every write to ``store`` to a receiver's URL, as Ecwid does.

    Writes come from the REST server's thread; the forwarder builds each event and delivers
    it through a :class:`~ecwid_mock.Sender` (Ecwid's whole contract, retries on the real
    clock) from a thread of its own, so a slow receiver never holds a REST answer back.
    """

    def __init__(
        self,
        store: EcwidStore,
        url: str,
        *,
        client_secret: Any,
        verify: Any = True,
        insecure_http_not_ecwid: bool = False,
        on_delivery: Any = None,
        seed: int = 0,
    ) -> None:
        import queue
        import threading

        from ._clock import RealClock
        from ._delivery.sender import Sender
        from ._events.factory import EventFactory

        clock = RealClock()
        self._store = store
        self._factory = EventFactory(seed=seed, client_secret=client_secret, clock=clock)
        self._sender = Sender(
            url, verify=verify, clock=clock, insecure_http_not_ecwid=insecure_http_not_ecwid
        )
        self._on_delivery = on_delivery
        self._changes: queue.Queue[Change | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="ecwid-mock-webhooks", daemon=True)
        store.add_listener(self._changes.put)
        self._thread.start()

    def _run(self) -> None:
        import queue

        while True:
            due = self._sender.next_retry_at
            wait = None if due is None else max(0.0, due - self._factory.clock.now())
            try:
                change = self._changes.get(timeout=wait)
            except queue.Empty:
                for delivery in self._retry():
                    self._report(delivery)
                continue
            if change is None:
                return
            ok, _why = receives(self._store, change.event_type)
            if ok:
                event = event_for_change(change, self._factory, self._store.store_id)
                self._report(self._sender.send(event))

    def _retry(self) -> list[Any]:
        before = {id(d): len(d.attempts) for d in self._sender.deliveries}
        self._sender.run_pending()
        return [d for d in self._sender.deliveries if len(d.attempts) != before.get(id(d))]

    def _report(self, delivery: Any) -> None:
        if self._on_delivery is not None:
            self._on_delivery(delivery)

    def close(self) -> None:
        """Stop: no more webhooks; retries still scheduled are dropped."""
        self._store.remove_listener(self._changes.put)
        self._changes.put(None)
        self._thread.join(timeout=15)
        self._sender.close()
