"""Ecwid's signature: known-answer vectors, verify_signature, Secret, the signature modes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecwid_mock import (
    EcwidMockError,
    Event,
    InvalidOption,
    Secret,
    sign,
    validate_event,
    verify_signature,
)
from ecwid_mock._events.factory import SIGNATURE_MODES, TEST_CLIENT_SECRET, EventFactory
from ecwid_mock._events.signature_modes import ACCEPTED_MODES
from ecwid_mock._events.signing import SIGNATURE_HEADER, HmacSigner
from ecwid_mock._schemas.catalog import all_event_types

# Facts section 5, computed for the reference.
VECTORS = [
    pytest.param(
        "abcde123456789",
        1634209655,
        "95ed494f-362d-4fca-933d-f5c7064b04bb",
        "NoLsApTwIZWkNZqX2Bi85FLwQkjL6WSGBoUs7unubrM=",
        id="docs-php-sample",
    ),
    pytest.param(
        "abcde123456789",
        1234567,
        "80aece08-40e8-4145-8764-6c2f0d38678",
        "lidx/4J5L2Pp4auvwGBp6DwPkpPmyVLI3oLB440X358=",
        id="short-event-id",
    ),
    pytest.param(
        "test_client_secret",
        1725434529,
        "3f1c2a9e-7b4d-4e21-9a0b-5c6d7e8f9012",
        "lz6HCws1wvMaqlW0fagoxSVpfqD1SwLkhG8Z4UfY6OU=",
        id="own-example",
    ),
]

SECRET = "s3cr3t-never-shown"


def body_for(created: int, event_id: str) -> bytes:
    payload = {
        "eventId": event_id,
        "eventCreated": created,
        "storeId": 1003,
        "entityId": 1,
        "eventType": "product.updated",
    }
    return json.dumps(payload).encode()


@pytest.mark.parametrize(("secret", "created", "event_id", "expected"), VECTORS)
def test_sign_known_answers(secret: str, created: int, event_id: str, expected: str) -> None:
    assert sign(created, event_id, secret) == expected
    assert sign(created, event_id, secret.encode()) == expected
    assert sign(created, event_id, Secret(secret)) == expected


@pytest.mark.parametrize(("secret", "created", "event_id", "expected"), VECTORS)
def test_verify_known_answers_from_bytes_and_str(
    secret: str, created: int, event_id: str, expected: str
) -> None:
    body = body_for(created, event_id)
    assert verify_signature(body, expected, secret)
    assert verify_signature(body.decode(), expected, secret)
    assert verify_signature(bytearray(body), expected.encode(), Secret(secret))
    assert not verify_signature(body, expected, secret + "x")


def test_signature_is_standard_base64_of_32_bytes() -> None:
    value = sign(1725434529, "3f1c2a9e-7b4d-4e21-9a0b-5c6d7e8f9012", "k")
    assert len(value) == 44
    assert value.endswith("=")
    assert len(base64.b64decode(value, validate=True)) == 32


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        pytest.param(b"", "x", id="empty-body"),
        pytest.param(b"not json", "x", id="not-json"),
        pytest.param(b"\xff\xfe", "x", id="not-utf8"),
        pytest.param(b"[1, 2]", "x", id="array"),
        pytest.param(b'{"eventId": "a"}', "x", id="no-eventCreated"),
        pytest.param(b'{"eventCreated": 1}', "x", id="no-eventId"),
        pytest.param(b'{"eventCreated": "1", "eventId": "a"}', "x", id="created-as-string"),
        pytest.param(b'{"eventCreated": 1.5, "eventId": "a"}', "x", id="created-as-float"),
        pytest.param(b'{"eventCreated": true, "eventId": "a"}', "x", id="created-as-bool"),
        pytest.param(b'{"eventCreated": 1, "eventId": 7}', "x", id="id-as-number"),
        pytest.param(b'{"eventCreated": 1, "eventId": "\\ud800"}', "x", id="lone-surrogate"),
        pytest.param(b'{"eventCreated": 1, "eventId": "a"}', None, id="no-signature"),
        pytest.param(b'{"eventCreated": 1, "eventId": "a"}', "", id="empty-signature"),
        pytest.param(b'{"eventCreated": 1, "eventId": "a"}', "é" * 44, id="non-ascii-signature"),
        pytest.param(b'{"eventCreated": 1, "eventId": "a"}', 42, id="signature-not-text"),
        pytest.param(b"[" * 100_000, "x", id="deeply-nested"),
    ],
)
def test_verify_returns_false_for_malformed_input(body: bytes, signature: Any) -> None:
    assert verify_signature(body, signature, SECRET) is False


def test_verify_accepts_surrounding_whitespace_in_the_header() -> None:
    body = body_for(1634209655, "95ed494f-362d-4fca-933d-f5c7064b04bb")
    signature = sign(1634209655, "95ed494f-362d-4fca-933d-f5c7064b04bb", SECRET)
    assert verify_signature(body, f" {signature}\r\n", SECRET)


# --- Secret never shows itself ----------------------------------------------------------


def test_secret_hides_its_value() -> None:
    secret = Secret(SECRET)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}"):
        assert SECRET not in text
    assert secret.reveal() == SECRET.encode()
    assert secret == Secret(SECRET.encode())
    assert secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_factory_repr_and_attributes_never_show_the_secret() -> None:
    factory = EventFactory(seed=1, client_secret=SECRET, access_token="secret_tok3n")
    shown = [repr(factory), str(factory), repr(factory.client_secret), repr(vars(factory))]
    order = factory.order()
    shown += [repr(order), repr(order.created()), repr(factory.checkout())]
    for text in shown:
        assert SECRET not in text
        assert "tok3n" not in text


def test_errors_raised_by_a_factory_with_a_secret_never_show_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    factory = EventFactory(seed=1, client_secret=SECRET)
    calls = [
        lambda: factory.build("order.updated", overrides={"data.newPaymentStatus": "SHIPPED"}),
        lambda: factory.build("order.created", signature="nope"),
        lambda: factory.build("order.creatd"),
        lambda: factory.stream(-1),
        lambda: factory.order().updated(payment="SENT"),
    ]
    for call in calls:
        with pytest.raises(EcwidMockError) as info:
            call()
        assert SECRET not in str(info.value)
        assert SECRET not in repr(info.value.args)
    assert SECRET not in caplog.text


def test_secret_in_an_invalid_option_is_masked() -> None:
    with pytest.raises(InvalidOption) as info:
        EventFactory(seed=-1, client_secret=SECRET)
    assert SECRET not in str(info.value)


# --- signature modes --------------------------------------------------------------------


def test_every_mode_has_a_one_line_description() -> None:
    assert next(iter(SIGNATURE_MODES)) == "valid"
    for mode, text in SIGNATURE_MODES.items():
        assert text, mode
        assert "\n" not in text, mode
    assert set(SIGNATURE_MODES) >= ACCEPTED_MODES


@pytest.mark.parametrize("mode", list(SIGNATURE_MODES))
def test_signature_mode(mode: str) -> None:
    factory = EventFactory(seed=5, client_secret=SECRET)
    event = factory.build("order.updated", signature=mode)
    assert event.signature_mode == mode
    accepted = verify_signature(event.body, event.signature, SECRET)
    assert accepted is (mode in ACCEPTED_MODES)
    if mode == "missing":
        assert event.signature is None
        assert SIGNATURE_HEADER not in event.headers
    else:
        assert event.headers[SIGNATURE_HEADER] == event.signature


def test_modes_differ_in_the_way_they_claim() -> None:
    factory = EventFactory(seed=9, client_secret=SECRET, access_token="secret_abc")
    hex_event = factory.build("product.updated", signature="hex")
    assert hex_event.signature is not None
    assert len(hex_event.signature) == 64
    int(hex_event.signature, 16)

    body_event = factory.build("product.updated", signature="body")
    digest = hmac.new(SECRET.encode(), body_event.body, hashlib.sha256).digest()
    assert body_event.signature == base64.b64encode(digest).decode()

    token_event = factory.build("product.updated", signature="access-token")
    assert token_event.signature == sign(
        token_event.event_created, token_event.event_id, "secret_abc"
    )

    wrong = factory.build("product.updated", signature="wrong-secret")
    assert wrong.signature != sign(wrong.event_created, wrong.event_id, SECRET)
    assert len(base64.b64decode(wrong.signature or "")) == 32

    invalid = factory.build("product.updated", signature="invalid")
    assert len(base64.b64decode(invalid.signature or "", validate=True)) == 32


def test_stale_is_days_old_and_tampered_changes_data_after_signing() -> None:
    factory = EventFactory(seed=3, client_secret=SECRET)
    fresh = factory.build("order.created")
    stale = factory.build("order.created", signature="stale")
    assert fresh.event_created - stale.event_created >= 2 * 86_400

    twin = EventFactory(seed=3, client_secret=SECRET)
    twin.build("order.created")
    twin.build("order.created", signature="stale")
    honest = twin.build("order.created")
    tampered = factory.build("order.created", signature="tampered")
    # Same draws, same signed values: only the data differs, and the signature still verifies.
    assert tampered.event_id == honest.event_id
    assert tampered.signature == honest.signature
    assert tampered.payload["data"] != honest.payload["data"]
    assert verify_signature(tampered.body, tampered.signature, SECRET)


@pytest.mark.parametrize("event_type", all_event_types())
def test_tampered_changes_the_body_but_keeps_it_valid(event_type: str) -> None:
    honest = EventFactory(seed=13).build(event_type)
    tampered = EventFactory(seed=13).build(event_type, signature="tampered")
    assert tampered.body != honest.body
    assert tampered.signature == honest.signature
    validate_event(tampered.body, strict=True)
    entity = event_type.partition(".")[0]
    if "data" in honest.payload and entity != "profile":
        assert tampered.payload["data"] != honest.payload["data"]


def test_tampered_event_without_data_changes_its_entity_id() -> None:
    factory = EventFactory(seed=3)
    twin = EventFactory(seed=3)
    tampered = factory.build("product.updated", signature="tampered")
    honest = twin.build("product.updated")
    assert tampered.payload["entityId"] != honest.payload["entityId"]
    assert verify_signature(tampered.body, tampered.signature, TEST_CLIENT_SECRET)


def test_bad_mode_lists_the_allowed_ones() -> None:
    factory = EventFactory(seed=1)
    with pytest.raises(InvalidOption, match=r"invalid signature mode 'forged'.*valid, missing"):
        factory.build("order.created", signature="forged")


def test_an_event_signs_its_exact_body() -> None:
    event = EventFactory(seed=11).build("customer.created")
    assert isinstance(event, Event)
    payload = json.loads(event.body)
    assert event.signature == sign(payload["eventCreated"], payload["eventId"], TEST_CLIENT_SECRET)


@pytest.mark.parametrize("key_length", [0, 1, 13, 63, 64, 65, 200])
@given(key_fill=st.binary(min_size=1, max_size=1), message=st.binary(max_size=300))
@settings(max_examples=25, deadline=None)
def test_hmac_signer_is_hmac_sha256_for_any_key_and_message(
    key_length: int, key_fill: bytes, message: bytes
) -> None:
    key = (key_fill * key_length)[:key_length]
    signer = HmacSigner(key)
    expected = base64.b64encode(hmac.digest(key, message, "sha256")).decode()
    assert signer(message) == expected
    assert signer(message) == expected  # the keyed states are copied, never consumed


def test_hmac_signer_never_shows_or_pickles_its_key() -> None:
    signer = HmacSigner(SECRET.encode())
    assert SECRET not in repr(signer)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer)


@pytest.mark.parametrize("secret", ["k", "k" * 64, "k" * 65, "ключ" * 40])
def test_stream_signatures_verify_for_short_and_long_secrets(secret: str) -> None:
    events = list(EventFactory(seed=5, client_secret=secret).stream(40))
    assert all(verify_signature(e.body, e.signature, secret) for e in events)
    assert not any(verify_signature(e.body, e.signature, secret + "x") for e in events)
