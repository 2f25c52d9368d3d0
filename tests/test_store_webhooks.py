"""Events drawn from the store: every id a webhook names resolves through the REST API.

``MockEcwid(store=...)`` (and the ``ecwid`` fixture next to ``ecwid_store``) turns an event
type into the store write behind it, sends that write's webhook, and sends the webhooks of the
receiver's own REST writes too, as Ecwid does: the update loop its docs warn about.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from asgi import read_body

from ecwid_mock import DeliveryAssertionError, EcwidStore, EventFactory, MockEcwid, VirtualClock

SECRET = "store-webhooks-client-secret"


class Receiver:
    """Fetches the order each order event names; optionally writes it back (a loop)."""

    def __init__(self, store: EcwidStore, *, write_back: bool = False) -> None:
        self.store = store
        self.write_back = write_back
        self.fetched: list[tuple[str, int]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        event = json.loads(body)
        if event["eventType"].startswith("order."):
            headers = {"Authorization": f"Bearer {self.store.token}"}
            async with httpx.AsyncClient(
                transport=self.store.async_transport(), base_url=self.store.base_url
            ) as client:
                order_id = event["data"]["orderId"]
                answer = await client.get(f"/orders/{order_id}", headers=headers)
                self.fetched.append((event["eventType"], answer.status_code))
                if self.write_back and event["eventType"] == "order.updated":
                    note = {"privateAdminNotes": f"seen {event['eventId']}"}
                    await client.put(f"/orders/{order_id}", json=note, headers=headers)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def mock_for(receiver: Receiver) -> MockEcwid:
    clock = VirtualClock()
    factory = EventFactory(seed=2, client_secret=SECRET, clock=clock)
    return MockEcwid.for_app(receiver, factory=factory, clock=clock, store=receiver.store)


@pytest.fixture
def store() -> EcwidStore:
    made = EcwidStore(seed=4)
    made.seed(orders=3, products=5)
    return made


def test_an_order_event_names_an_order_the_api_serves(store: EcwidStore) -> None:
    receiver = Receiver(store)
    ecwid = mock_for(receiver)
    delivery = ecwid.send("order.created")
    delivery.assert_delivered()
    payload = delivery.event.payload
    order = store.orders[payload["data"]["orderId"]]
    assert payload["entityId"] == order["internalId"]
    assert payload["storeId"] == store.store_id
    assert receiver.fetched == [("order.created", 200)]


def test_an_update_carries_the_real_change_and_a_deletion_answers_404(store: EcwidStore) -> None:
    receiver = Receiver(store)
    ecwid = mock_for(receiver)
    order_id = ecwid.send("order.created").event.payload["data"]["orderId"]
    before = store.orders[order_id]["paymentStatus"]
    data = ecwid.send("order.updated").event.payload["data"]
    assert data["orderId"] == order_id
    assert (data["oldPaymentStatus"], data["newPaymentStatus"]) == (
        before,
        store.orders[order_id]["paymentStatus"],
    )
    assert data["oldPaymentStatus"] != data["newPaymentStatus"]
    ecwid.send("order.deleted").assert_delivered()
    assert receiver.fetched[-1] == ("order.deleted", 404)
    assert order_id not in store.orders


def test_a_receiver_writing_back_loops_and_the_detector_says_so(store: EcwidStore) -> None:
    receiver = Receiver(store, write_back=True)
    ecwid = mock_for(receiver)
    ecwid.send("order.created")
    ecwid.send("order.updated")
    looped = [kind for kind, _ in receiver.fetched if kind == "order.updated"]
    assert len(looped) > 2  # its own write fired order.updated, and again, and again
    with pytest.raises(DeliveryAssertionError, match="update loop") as caught:
        ecwid.assert_no_update_loop()
    assert "orders.update -> order.updated" in str(caught.value)


def test_a_receiver_that_does_not_write_back_passes_the_detector(store: EcwidStore) -> None:
    ecwid = mock_for(Receiver(store))
    ecwid.send("order.created")
    ecwid.send("order.updated")
    ecwid.assert_no_update_loop()
    assert ecwid.pending_changes == 0


def test_events_need_the_scope_and_subscription_of_the_app() -> None:
    store = EcwidStore(seed=1, scopes=["read_catalog"])
    ecwid = mock_for(Receiver(store))
    ecwid.send("product.created").assert_delivered()
    store.create("orders", {})
    assert ecwid.deliver_changes() == []
    (change, why), *_ = ecwid.not_sent
    assert change.event_type == "order.created"
    assert "read_orders" in why


def test_other_writes_to_the_store_fire_their_webhooks(store: EcwidStore) -> None:
    ecwid = mock_for(Receiver(store))
    key = next(iter(store.customers))
    store.update("customers", key, {"email": "new@example.com"})
    (delivery,) = ecwid.deliver_changes()
    assert delivery.event.event_type == "customer.updated"
    assert delivery.delivered


def test_a_signature_mode_still_sends_a_factory_event(store: EcwidStore) -> None:
    ecwid = mock_for(Receiver(store))
    count = len(store.orders)
    forged = ecwid.send("order.created", signature="wrong-secret")
    assert forged.event.signature_mode == "wrong-secret"
    assert len(store.orders) == count  # a forgery writes nothing


def test_the_fixtures_share_one_store(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        async def app(scope, receive, send):
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b""})

        @pytest.fixture(scope="session")
        def ecwid_app():
            return app
        """
    )
    pytester.makepyfile(
        """
        def test_events_and_rest_agree(ecwid, ecwid_store):
            delivery = ecwid.send("order.created")
            order = ecwid_store.orders[delivery.event.payload["data"]["orderId"]]
            assert delivery.event.payload["entityId"] == order["internalId"]
        """
    )
    result = pytester.runpytest("-p", "ecwid", "-p", "no:asyncio", "-p", "no:locust")
    result.assert_outcomes(passed=1)


def test_replayed_events_create_the_records_they_name(tmp_path: Any) -> None:
    from ecwid_mock import Cassette, Interaction

    captured = EventFactory(seed=9, client_secret="the-live-secret-value")
    created = captured.build("order.created")
    product = captured.build("product.updated")
    cassette = Cassette(tmp_path / "live.jsonl")
    for event in (created, product):
        cassette.append(Interaction(body=event.body, path="/webhooks/ecwid"))
    store = EcwidStore(seed=5)
    receiver = Receiver(store)
    ecwid = mock_for(receiver)
    changes_before = len(store.changes)
    deliveries = ecwid.replay(cassette.path)
    assert [d.delivered for d in deliveries] == [True, True]
    order_id = created.payload["data"]["orderId"]
    assert store.orders[order_id]["internalId"] == created.payload["entityId"]
    assert product.payload["entityId"] in store.products
    assert receiver.fetched == [("order.created", 200)]  # the fetch-back found the order
    assert len(store.changes) == changes_before  # made quietly: no webhook of their own
    assert ecwid.pending_changes == 0
