"""Scrubbing: deterministic per key, idempotent, consistent across events, and fail-closed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from replay_helpers import (
    SECRET,
    SeenRequest,
    asgi_app,
    call_asgi,
    call_wsgi,
    customer_body,
    order_body,
    signed_headers,
    wsgi_app,
)

from ecwid_mock import (
    CaptureMiddleware,
    Interaction,
    Scrubber,
    ScrubError,
    WSGICaptureMiddleware,
    is_valid_event,
    scrub,
)


def record(body: bytes, **fields: object) -> Interaction:
    return Interaction(body=body, **fields)  # type: ignore[arg-type]


def test_personal_data_and_ids_are_replaced_and_the_result_still_validates() -> None:
    scrubbed = Scrubber("key-1").scrub(record(customer_body("Jane.Doe@corp.test")))
    payload = json.loads(scrubbed.body)
    assert "Jane" not in scrubbed.body.decode()
    assert "corp.test" not in scrubbed.body.decode()
    assert re.fullmatch(r"[^@]+@example\.(com|org|net)", payload["data"]["customerEmail"])
    assert payload["storeId"] != 61882411
    assert len(str(payload["storeId"])) == 8
    assert payload["entityId"] != 77
    assert len(str(payload["entityId"])) == 2
    assert is_valid_event(scrubbed.body, strict=True)
    assert scrubbed.scrubbed


def test_same_key_same_output_other_key_other_output() -> None:
    body = order_body()
    first = Scrubber("key-1").scrub(record(body)).body
    again = Scrubber("key-1").scrub(record(body)).body
    other = Scrubber("key-2").scrub(record(body)).body
    assert first == again
    assert first != other


def test_scrubbing_twice_changes_nothing() -> None:
    scrubber = Scrubber("key-1")
    once = scrubber.scrub(record(order_body(), headers=(("x-token", "t"), ("accept", "*/*"))))
    assert scrubber.scrub(once) == once


def test_the_same_customer_gets_the_same_fake_in_every_event() -> None:
    scrubber = Scrubber("key-1")
    created = json.loads(
        scrubber.scrub_body(customer_body("jane@corp.test", event_type="customer.created"))
    )
    updated = json.loads(scrubber.scrub_body(customer_body(" JANE@corp.test ")))
    someone_else = json.loads(scrubber.scrub_body(customer_body("john@corp.test")))
    assert created["data"]["customerEmail"] == updated["data"]["customerEmail"]
    assert created["data"]["customerEmail"] != someone_else["data"]["customerEmail"]


def test_the_same_store_maps_to_the_same_id_as_number_and_as_string() -> None:
    scrubber = Scrubber("key-1")
    order = json.loads(scrubber.scrub_body(order_body(store_id=1003)))
    installed = {
        "eventId": "e",
        "eventCreated": 1,
        "storeId": 1003,
        "entityId": "1003",
        "eventType": "application.installed",
    }
    app = json.loads(scrubber.scrub_body(json.dumps(installed).encode()))
    assert app["entityId"] == str(app["storeId"]) == str(order["storeId"])
    assert isinstance(app["entityId"], str)
    assert isinstance(app["storeId"], int)
    assert len(app["entityId"]) == 4


@pytest.mark.parametrize(
    ("order_id", "shape"),
    [
        pytest.param("DQYG7", r"[A-Z0-9]{5}", id="plain"),
        pytest.param("MYSHOP-X8UYE", r"MYSHOP-[A-Z0-9]{5}", id="prefix"),
        pytest.param("X8UYE-2024", r"[A-Z0-9]{5}-2024", id="suffix"),
        pytest.param("10045", r"[1-9][0-9]{4}", id="numeric"),
    ],
)
def test_a_public_order_id_keeps_its_shape(order_id: str, shape: str) -> None:
    payload = json.loads(Scrubber("key-1").scrub_body(order_body(order_id=order_id)))
    new = payload["data"]["orderId"]
    assert re.fullmatch(shape, new)
    assert new != order_id


def test_a_cart_id_stays_an_upper_case_uuid() -> None:
    cart = "320AB5DE-5EA6-4419-A4CF-0B04D2913190"
    body = {
        "eventId": "e",
        "eventCreated": 1,
        "storeId": 1003,
        "entityId": 5,
        "eventType": "unfinished_order.created",
        "data": {"orderId": "ABCDE", "cartId": cart},
    }
    new = json.loads(Scrubber("k").scrub_body(json.dumps(body).encode()))["data"]["cartId"]
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", new)
    assert new != cart


def test_a_field_the_schema_does_not_know_is_refused_without_showing_its_value() -> None:
    body = order_body(shippingPerson="Jane Doe")
    with pytest.raises(ScrubError, match=r"data\.shippingPerson") as caught:
        Scrubber("k").scrub(record(body))
    assert "Jane" not in str(caught.value)
    assert caught.value.fields == ("data.shippingPerson",)


def test_an_allowed_unknown_field_is_kept_as_captured() -> None:
    body = order_body(channel="pos")
    scrubbed = Scrubber("k", allow=["data.*"]).scrub_body(body)
    assert json.loads(scrubbed)["data"]["channel"] == "pos"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"eventType": "order.exploded", "eventId": "e"}', id="unknown-type"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(order_body()[:-1] + b',"storeId":5}', id="duplicate-key"),
    ],
)
def test_what_cannot_be_understood_is_refused(body: bytes) -> None:
    with pytest.raises(ScrubError):
        Scrubber("k").scrub(record(body))


def test_a_scrub_hook_can_remove_what_only_the_app_knows_about() -> None:
    def drop_person(payload: dict[str, object]) -> dict[str, object]:
        data = dict(payload["data"])  # type: ignore[call-overload]
        data.pop("shippingPerson")
        return {**payload, "data": data}

    scrubbed = Scrubber("k", scrub=drop_person).scrub_body(order_body(shippingPerson="Jane"))
    assert "shippingPerson" not in json.loads(scrubbed)["data"]


def test_headers_and_query_keep_only_what_is_safe() -> None:
    scrubbed = scrub(
        record(
            order_body(),
            query="eventtype=order.created&token=abc&sig=1",
            headers=(
                ("x-ecwid-webhook-signature", "sig"),
                ("authorization", "Bearer x"),
                ("x-internal", "drop-me"),
                ("user-agent", "Ecwid"),
            ),
        ),
        key="k",
        drop_headers=["X-Internal"],
    )
    assert scrubbed.query == "eventtype=order.created"
    assert scrubbed.headers == (("user-agent", "Ecwid"),)


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ScrubError, match="key is empty"):
        Scrubber("")


def test_the_key_never_shows_in_a_repr() -> None:
    assert "sekrit-key" not in repr(Scrubber("sekrit-key"))


# -- the canary: distinctive secrets never reach a cassette byte ------------------------------

CANARIES = {
    "client secret": SECRET,
    "header token": "secret_CANARYHEADER0123456789",
    "query token": "public_CANARYQUERY0123456789",
    "body token": "secret_CANARYBODY0123456789",
    "custom header": "canary-custom-header-value-31337",
}


def canary_requests() -> list[tuple[bytes, list[tuple[bytes, bytes]], bytes]]:
    body = order_body()
    headers = [
        *signed_headers(body),
        (b"authorization", f"Bearer {CANARIES['header token']}".encode()),
        (b"x-app-secret", CANARIES["custom header"].encode()),
        (b"x-forwarded-for", CANARIES["header token"].encode()),
    ]
    query = f"eventtype=order.created&token={CANARIES['query token']}".encode()
    with_token = order_body(note=CANARIES["body token"])  # allowed, yet holds a token
    with_secret = order_body(note=f"x{SECRET}x")
    return [(body, headers, query), (with_token, headers, query), (with_secret, headers, query)]


def assert_no_canary(path: Path) -> None:
    data = path.read_bytes() if path.exists() else b""
    for name, value in CANARIES.items():
        assert value.encode() not in data, name


def test_no_secret_reaches_an_asgi_cassette(tmp_path: Path) -> None:
    path = tmp_path / "asgi.jsonl"
    app = CaptureMiddleware(
        asgi_app(SeenRequest()),
        path,
        scrubber=Scrubber("k", allow=["data.note"], drop_headers=["x-app-secret"]),
        client_secret=SECRET,
    )
    for body, headers, query in canary_requests():
        call_asgi(app, body, headers=headers, query=query, path=f"/hook/{SECRET}")
    assert len(app.cassette) == 1  # the clean delivery; the two with a secret in the body refused
    assert app.cassette[0].path == "/hook/REDACTED"
    assert len(app.refused) == 2
    assert_no_canary(path)
    assert all(value not in " ".join(app.refused) for value in CANARIES.values())


def test_no_secret_reaches_a_wsgi_cassette(tmp_path: Path) -> None:
    path = tmp_path / "wsgi.jsonl"
    app = WSGICaptureMiddleware(
        wsgi_app(SeenRequest()),
        path,
        scrubber=Scrubber("k", allow=["data.note"]),
        client_secret=SECRET,
    )
    for body, headers, query in canary_requests():
        call_wsgi(
            app,
            body,
            headers=[(k.decode(), v.decode()) for k, v in headers if k != b"content-type"],
            query=query.decode(),
            path=f"/hook/{CANARIES['header token']}",
        )
    assert len(app.cassette) == 1
    assert_no_canary(path)


def test_fakes_stay_deterministic_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    emails = [f"user{n}@corp.test" for n in range(40)]
    expected = [Scrubber("key-1").fake("email", e) for e in emails]
    shared = Scrubber("key-1")
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(lambda e: shared.fake("email", e), emails)) == expected


def test_every_id_and_email_field_of_every_schema_is_marked() -> None:
    """A new schema cannot forget a mark: ids and emails would otherwise be kept as captured."""
    from ecwid_mock._replay.fields import locate
    from ecwid_mock._schemas.catalog import all_event_types, event_info

    for event_type in all_event_types():
        for path in (("storeId",), ("entityId",)):
            location = locate(event_type, path)
            assert location is not None
            assert "id" in location.marks, (event_type, path)
        for field in event_info(event_type).data_fields:
            location = locate(event_type, ("data", field.name))
            assert location is not None
            if field.name.endswith("Id"):
                assert "id" in location.marks, (event_type, field.name)
            if "email" in field.name.lower():
                assert location.marks.get("pii") == "email", (event_type, field.name)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            order_body()[:-2] + b',"note":"\\u0073ecret_CANARYESCAPED0123"}}',
            id="unicode-escaped-token",
        ),
        pytest.param(order_body(note='quo"te-secret'), id="secret-with-a-quote"),
    ],
)
def test_escaped_secrets_are_caught(body: bytes) -> None:
    assert json.loads(body)["data"]["note"]  # a valid body: the secret check must catch it
    scrubber = Scrubber("k", allow=["data.note"], secrets=['quo"te-secret'])
    with pytest.raises(ScrubError, match="secret or token"):
        scrubber.scrub(record(body))
