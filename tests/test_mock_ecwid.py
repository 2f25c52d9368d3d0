"""``MockEcwid``: every documented method, sync and async, over one shared delivery core."""

from __future__ import annotations

from typing import Any

import pytest
from asgi import read_body

from ecwid_mock import (
    DeliveryAssertionError,
    EventFactory,
    InvalidOption,
    MockEcwid,
    Outcome,
    UnknownEventType,
    VirtualClock,
    verify_signature,
)

SECRET = "mock-ecwid-test-client-secret"


class Receiver:
    """An ASGI receiver answering ``status``; keeps the bodies and signatures it got."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[bytes, bytes | None]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        self.received.append((body, dict(scope["headers"]).get(b"x-ecwid-webhook-signature")))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def ecwid(receiver: Receiver) -> MockEcwid:
    clock = VirtualClock()
    factory = EventFactory(seed=3, client_secret=SECRET, clock=clock)
    return MockEcwid.for_app(receiver, factory=factory, clock=clock)


def test_send_builds_an_event_type_with_overrides_and_signature(
    ecwid: MockEcwid, receiver: Receiver
) -> None:
    delivery = ecwid.send("order.created", overrides={"data.newPaymentStatus": "PAID"})
    delivery.assert_delivered()
    assert delivery.event.payload["data"]["newPaymentStatus"] == "PAID"
    body, signature = receiver.received[0]
    assert verify_signature(body, signature, SECRET)
    forged = ecwid.send("order.created", signature="wrong-secret")
    assert not verify_signature(*receiver.received[1], SECRET)
    assert forged.delivered  # this receiver does not check: the test's own assertion would
    assert ecwid.deliveries.call_count == 2


def test_send_an_event_exactly_as_built(ecwid: MockEcwid, receiver: Receiver) -> None:
    event = ecwid.build("product.updated")
    assert ecwid.send(event).event is event
    assert receiver.received[0][0] == event.body
    with pytest.raises(InvalidOption, match="only with an event type string"):
        ecwid.send(event, signature="missing")
    with pytest.raises(InvalidOption, match=r"an ecwid_mock\.Event or an event type"):
        ecwid.send(42)
    with pytest.raises(UnknownEventType, match=r"order\.creatd"):
        ecwid.send("order.creatd")


def test_duplicate_sends_the_same_bytes(ecwid: MockEcwid, receiver: Receiver) -> None:
    first, second, third = ecwid.duplicate("order.created", times=3, concurrently=True)
    assert first.event is second.event is third.event
    assert len({body for body, _ in receiver.received}) == 1
    assert ecwid.deliveries.call_count == 3


def test_batches_shuffle_and_delay_are_seeded(ecwid: MockEcwid) -> None:
    events = [ecwid.build("customer.updated") for _ in range(6)]
    ids = [e.event_id for e in events]
    assert [d.event.event_id for d in ecwid.send_batch(events)] == ids
    shuffled = [d.event.event_id for d in ecwid.shuffle(events, seed=4)]
    assert sorted(shuffled) == sorted(ids)
    assert shuffled == [d.event.event_id for d in ecwid.shuffle(events, seed=4)]
    held = [d.event.event_id for d in ecwid.delay(events, held={0: 2})]
    assert held == [ids[1], ids[2], ids[0], *ids[3:]]


def test_send_many_streams_without_keeping(ecwid: MockEcwid) -> None:
    summary = ecwid.send_many(["order.created"] * 30, concurrency=4).run()
    assert summary.total == summary.delivered == 30
    assert ecwid.deliveries.call_count == 0


def test_advance_runs_retries_on_the_virtual_clock(ecwid: MockEcwid, receiver: Receiver) -> None:
    receiver.status = 503
    delivery = ecwid.send("order.updated")
    assert delivery.outcome is Outcome.RETRYING
    assert ecwid.advance(minutes=20) == 1  # the 15-minute retry
    receiver.status = 200
    assert ecwid.run_until_idle() == 1
    assert delivery.delivered
    assert [round(a.sent_at - delivery.attempts[0].sent_at) for a in delivery.attempts] == [
        0,
        900,
        1800,
    ]


def test_assert_all_delivered_lists_what_failed(ecwid: MockEcwid, receiver: Receiver) -> None:
    ecwid.send("order.created")
    ecwid.assert_all_delivered()
    receiver.status = 401
    ecwid.send("order.updated")
    with pytest.raises(DeliveryAssertionError, match="401"):
        ecwid.assert_all_delivered()


def test_assert_valid_checks_what_a_handler_stored(ecwid: MockEcwid) -> None:
    payload = ecwid.build("order.created").payload
    assert ecwid.assert_valid(payload, "order.created") == payload
    with pytest.raises(DeliveryAssertionError, match=r"expected a product\.created event"):
        ecwid.assert_valid(payload, "product.created")
    with pytest.raises(DeliveryAssertionError, match="ecwid-mock"):
        ecwid.assert_valid({"eventType": "order.created"})


def test_a_bad_path_is_refused() -> None:
    with pytest.raises(InvalidOption, match="starting with '/'"):
        MockEcwid.for_app(Receiver(), path="hook", factory=EventFactory(), clock=VirtualClock())


@pytest.mark.asyncio
async def test_the_async_methods_share_the_core_with_the_sync_ones(
    ecwid: MockEcwid, receiver: Receiver
) -> None:
    receiver.status = 500
    delivery = await ecwid.asend("order.created")
    assert ecwid.async_sender.pending == ecwid.sender.pending == 1
    receiver.status = 200
    assert await ecwid.aadvance(minutes=15) == 1
    assert delivery.delivered
    pair = await ecwid.aduplicate("order.updated")
    assert [d.delivered for d in pair] == [True, True]
    batch = await ecwid.asend_batch(["customer.created", "customer.updated"], shuffle=True)
    assert len(batch) == 2
    streamed = [d async for d in ecwid.asend_many(["product.created"] * 5, concurrency=2)]
    assert all(d.delivered for d in streamed)
    receiver.status = 503
    await ecwid.asend("order.deleted")
    receiver.status = 200
    assert await ecwid.arun_until_idle() == 1
    await ecwid.aclose()
    ecwid.close()


def test_an_app_that_raises_shows_its_traceback_in_the_failure() -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raise KeyError("newPaymentStatus")

    clock = VirtualClock()
    ecwid = MockEcwid.for_app(broken, factory=EventFactory(seed=1, clock=clock), clock=clock)
    delivery = ecwid.send("order.created")
    assert delivery.status_code == 500
    text = delivery.explain("to be delivered")
    assert "the app raised:" in text
    assert "KeyError: 'newPaymentStatus'" in text
    assert "in broken" in text
