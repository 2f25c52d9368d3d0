from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ecwid_mock import DeliveryAssertionError, InvalidOption, Secret
from ecwid_mock._events.signing import SIGNATURE_HEADER, sign
from ecwid_mock._servers.reference import (
    ACCEPTED_STATUSES,
    ReceivedDelivery,
    ReferenceReceiver,
    reference_receiver,
)
from ecwid_mock._servers.tls import LocalHTTPSServer

SECRET = "test_client_secret"
PATH = "/webhooks/ecwid"


def order_created(event_id: str = "3f1c2a9e-7b4d-4e21-9a0b-5c6d7e8f9012") -> dict[str, Any]:
    return {
        "eventId": event_id,
        "eventCreated": 1725434529,
        "storeId": 61882411,
        "entityId": 516483487,
        "eventType": "order.created",
        "data": {
            "orderId": "K8XTQ",
            "newPaymentStatus": "AWAITING_PAYMENT",
            "newFulfillmentStatus": "AWAITING_PROCESSING",
        },
    }


def signed_headers(payload: dict[str, Any], secret: str = SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=UTF-8",
        "Cache-Control": "no-cache",
        SIGNATURE_HEADER: sign(payload["eventCreated"], payload["eventId"], secret),
    }


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ReferenceReceiver, LocalHTTPSServer]]:
    receiver = reference_receiver(client_secret=SECRET)
    with LocalHTTPSServer(receiver) as server:
        yield receiver, server


@pytest.fixture
def receiver(served: tuple[ReferenceReceiver, LocalHTTPSServer]) -> Iterator[ReferenceReceiver]:
    receiver = served[0]
    receiver.reset()
    yield receiver
    receiver.status, receiver.delay, receiver.on_delivery = 200, 0.0, None


@pytest.fixture
def client(served: tuple[ReferenceReceiver, LocalHTTPSServer]) -> Iterator[httpx.Client]:
    server = served[1]
    with httpx.Client(base_url=server.url, verify=server.client_ssl_context()) as client:
        yield client


def deliver(
    client: httpx.Client, payload: dict[str, Any], *, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(
        PATH,
        params={"eventtype": payload["eventType"]},
        content=json.dumps(payload).encode(),
        headers=signed_headers(payload) if headers is None else headers,
    )


def test_a_valid_delivery_is_accepted_and_recorded(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    payload = order_created()
    response = deliver(client, payload)
    assert response.status_code == 200
    record = receiver.received.last  # recorded by the time the sender has its answer
    assert record.status == 200
    assert record.accepted
    assert record.signature_valid is True
    assert record.signature_check == "valid"
    assert record.schema_valid is True
    assert record.problems == ()
    assert record.duplicate is False
    assert record.method == "POST"
    assert record.path == PATH
    assert record.query == {"eventtype": "order.created"}
    assert record.headers["cache-control"] == "no-cache"
    assert record.event_id == payload["eventId"]
    assert record.event_type == "order.created"
    assert record.payload == payload
    assert receiver.received.call_count == 1


def test_a_forged_signature_gets_401(receiver: ReferenceReceiver, client: httpx.Client) -> None:
    payload = order_created()
    response = deliver(client, payload, headers=signed_headers(payload, secret="wrong"))
    assert response.status_code == 401
    record = receiver.received.last
    assert record.signature_check == "invalid"
    assert not record.accepted
    # Refused deliveries are not "seen": Ecwid's retry of the same event is not a duplicate.
    assert deliver(client, payload).status_code == 200
    assert receiver.received.last.duplicate is False


def test_a_missing_signature_gets_401(receiver: ReferenceReceiver, client: httpx.Client) -> None:
    response = deliver(client, order_created(), headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert "missing" in response.text
    assert receiver.received.last.signature_check == "missing"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"not json", "not JSON", id="not-json"),
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\xff\xfe", "not UTF-8", id="not-utf8"),
        pytest.param(b"[1, 2]", "not an object", id="json-array"),
        pytest.param(
            b'{"eventId": "x", "eventType": "order.created"}', "eventCreated", id="no-created"
        ),
        pytest.param(
            b'{"eventId": 5, "eventType": "a", "eventCreated": 1}', "eventId", id="bad-id"
        ),
    ],
)
def test_a_body_that_is_not_an_ecwid_event_gets_400(
    receiver: ReferenceReceiver, client: httpx.Client, body: bytes, reason: str
) -> None:
    response = client.post(PATH, content=body, headers={SIGNATURE_HEADER: "c2lnbmF0dXJl"})
    assert response.status_code == 400
    assert reason in response.text
    record = receiver.received.last
    assert record.status == 400
    assert record.schema_valid is False
    assert record.signature_check == "not checked"  # nothing to check it against


def test_a_duplicate_is_answered_and_flagged(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    payload = order_created()
    first, second = deliver(client, payload), deliver(client, payload)
    assert (first.status_code, second.status_code) == (200, 200)
    records = receiver.received.wait_for(2)
    assert [r.duplicate for r in sorted(records, key=lambda r: r.number)] == [False, True]
    other = deliver(client, order_created(event_id="another-id"))
    assert other.status_code == 200
    assert receiver.received.last.duplicate is False


def test_the_configured_status_is_answered(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    payload = order_created()
    receiver.status = 503
    assert deliver(client, payload).status_code == 503
    assert not receiver.received.last.accepted
    receiver.status = 204
    response = deliver(client, payload)
    assert response.status_code == 204
    assert response.content == b""
    # The 503 was not accepted, so the retry answered 204 is the first acceptance.
    assert receiver.received.last.duplicate is False


def test_a_tiny_delay_still_answers_the_configured_status(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    receiver.delay = 0.01
    receiver.status = 202
    assert deliver(client, order_created()).status_code == 202
    assert receiver.received.last.status == 202


def test_the_delay_comes_before_the_answer() -> None:
    sent: list[str] = []
    receiver = reference_receiver(client_secret=None, delay=60)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    async def scenario() -> None:
        body = json.dumps(order_created()).encode()
        answering = asyncio.create_task(receiver(http_scope(), body_messages(body), send))
        for _ in range(50):
            await asyncio.sleep(0)  # let the receiver run as far as it can without waiting
        assert sent == []  # still waiting out its delay, not answered yet
        answering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await answering

    asyncio.run(scenario())
    assert sent == []
    assert len(receiver.received) == 0  # a request that was never answered is not recorded


def test_wrong_path_and_method(receiver: ReferenceReceiver, client: httpx.Client) -> None:
    assert client.post("/elsewhere", content=b"{}").status_code == 404
    wrong_method = client.get(PATH)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    records = receiver.received.wait_for(2)
    assert {r.status for r in records} == {404, 405}
    assert all(r.schema_valid is None for r in records)


def test_a_schema_invalid_event_is_accepted_and_its_problems_recorded(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    payload = order_created()
    payload["data"]["newPaymentStatus"] = 42
    assert deliver(client, payload).status_code == 200
    record = receiver.received.last
    assert record.schema_valid is False
    assert any(p.path == "data.newPaymentStatus" for p in record.problems)


def test_unknown_extra_fields_are_tolerated(
    receiver: ReferenceReceiver, client: httpx.Client
) -> None:
    payload = order_created()
    payload["data"]["somethingNew"] = True
    assert deliver(client, payload).status_code == 200
    assert receiver.received.last.schema_valid is True


def test_on_delivery_gets_every_record(receiver: ReferenceReceiver, client: httpx.Client) -> None:
    seen: list[ReceivedDelivery] = []
    receiver.on_delivery = seen.append
    deliver(client, order_created())
    client.get(PATH)
    receiver.received.wait_for(2)
    assert [r.status for r in sorted(seen, key=lambda r: r.number)] == [200, 405]


def test_an_oversized_body_gets_413(
    receiver: ReferenceReceiver, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ecwid_mock._servers.reference.MAX_BODY_BYTES", 64)
    response = deliver(client, order_created())
    assert response.status_code == 413
    assert receiver.received.last.status == 413


def test_without_a_secret_signatures_are_not_checked() -> None:
    receiver = reference_receiver(client_secret=None)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    body = json.dumps(order_created()).encode()
    asyncio.run(
        receiver(
            http_scope(headers=[(b"x-ecwid-webhook-signature", b"junk")]), body_messages(body), send
        )
    )
    assert sent[0]["status"] == 200
    assert receiver.received.last.signature_check == "not checked"
    assert receiver.received.last.signature == "junk"


def test_the_lifespan_protocol_is_answered() -> None:
    receiver = reference_receiver(client_secret=SECRET)
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    asyncio.run(receiver({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_wait_for_fails_clearly_when_nothing_arrives() -> None:
    receiver = reference_receiver(client_secret=SECRET)
    with pytest.raises(DeliveryAssertionError, match=r"expected 1 received deliveries.*got 0"):
        receiver.received.wait_for(1, timeout=0.01)
    with pytest.raises(DeliveryAssertionError, match="received nothing"):
        _ = receiver.received.last


def test_records_serialise_to_json(receiver: ReferenceReceiver, client: httpx.Client) -> None:
    deliver(client, order_created())
    client.post(PATH, content=b"\xffnot json", headers={SIGNATURE_HEADER: "x"})
    records = receiver.received.wait_for(2)
    for record in records:
        data = json.loads(json.dumps(record.as_dict()))
        assert data["status"] in (200, 400)
    text = next(r.as_dict() for r in records if r.status == 400)
    assert text["payload"] is None
    assert text["body"].endswith("not json")


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        pytest.param("status", 101, "200–599", id="status-1xx"),
        pytest.param("status", 600, "200–599", id="status-600"),
        pytest.param("status", "200", "200–599", id="status-str"),
        pytest.param("delay", -1, ">= 0", id="delay-negative"),
        pytest.param("delay", float("nan"), ">= 0", id="delay-nan"),
        pytest.param("path", "webhooks", "starts with '/'", id="path-relative"),
        pytest.param("client_secret", "", "non-empty", id="secret-empty"),
        pytest.param("client_secret", 123, "str, bytes, Secret", id="secret-int"),
    ],
)
def test_bad_options_are_refused(option: str, value: Any, match: str) -> None:
    options: dict[str, Any] = {"client_secret": SECRET, option: value}
    with pytest.raises(InvalidOption, match=match):
        reference_receiver(**options)


def test_the_secret_never_shows() -> None:
    receiver = reference_receiver(client_secret=Secret("hunter2-secret"))
    assert "hunter2" not in repr(receiver)
    assert "checks signatures" in repr(receiver)


def test_accepted_statuses_follow_ecwid() -> None:
    assert frozenset({200, 201, 202, 204, 209}) == ACCEPTED_STATUSES


# -- direct ASGI calls -----------------------------------------------------------------------


def http_scope(*, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": PATH,
        "query_string": b"eventtype=order.created",
        "headers": headers or [],
    }


def body_messages(body: bytes) -> Any:
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    return receive


def _received(body: bytes) -> Any:
    from ecwid_mock._servers.reference import ReceivedDelivery

    return ReceivedDelivery(
        number=1, method="POST", path="/webhooks/ecwid", query={}, headers={}, body=body,
        status=200, reason="", signature_valid=None, schema_valid=None,
    )  # fmt: skip


def test_a_received_delivery_gives_its_typed_event() -> None:
    from ecwid_mock import EventFactory

    event = EventFactory(seed=2).build("order.updated")
    typed = _received(event.body).event
    assert typed is not None
    assert typed["eventType"] == "order.updated"
    assert typed["data"]["orderId"] == event.payload["data"]["orderId"]
    assert _received(b"{not json").event is None
    assert _received(b'{"eventType": "order.created"}').event is None
