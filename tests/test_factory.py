"""EventFactory: validity, realism, consistency, determinism, overrides, cascades, streams."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
import subprocess
import sys
import types
import uuid
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecwid_mock import (
    Event,
    EventFactory,
    InvalidEvent,
    InvalidOption,
    InvalidOverride,
    UnknownEventType,
    VirtualClock,
    is_valid_event,
    validate_event,
    verify_signature,
)
from ecwid_mock._events.event import serialise
from ecwid_mock._events.factory import (
    DELETE,
    Checkout,
    Customer,
    Order,
    UnfinishedOrder,
    value_from_node,
)
from ecwid_mock._schemas.catalog import all_event_types, event_info, event_types
from ecwid_mock._schemas.nodes import Node
from ecwid_mock._store.lifecycles import next_order_statuses

ALL_TYPES = all_event_types()
ENVELOPE_ORDER = ["eventId", "eventCreated", "storeId", "entityId", "eventType", "data"]
LOWER_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UPPER_UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
PUBLIC_ORDER_ID = re.compile(r"^[A-Z0-9]{5}$")


def enum_of(event_type: str, field: str) -> tuple[str, ...]:
    return next(f.enum for f in event_info(event_type).data_fields if f.name == field)


# --- validity -------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_every_type_validates_strictly_under_many_seeds(event_type: str) -> None:
    for seed in range(25):
        event = EventFactory(seed=seed).build(event_type)
        validate_event(event.body, strict=True)
        assert event.event_type == event_type
        assert event.query == {"eventtype": event_type}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64), event_type=st.sampled_from(ALL_TYPES))
def test_any_seed_and_type_gives_a_strictly_valid_signed_event(seed: int, event_type: str) -> None:
    factory = EventFactory(seed=seed)
    for event in (factory.build(event_type), factory.build(event_type, signature="tampered")):
        validate_event(event.body, strict=True)


def test_aliases_build_the_canonical_type() -> None:
    event = EventFactory(seed=1).build("application.subscription_status_changed")
    assert event.event_type == "application.subscriptionStatusChanged"


def test_unknown_type_suggests_close_ones() -> None:
    with pytest.raises(UnknownEventType, match=r"'order\.creatd'; did you mean 'order\.created'"):
        EventFactory(seed=1).build("order.creatd")


# --- realism -------------------------------------------------------------------------------


def test_envelope_key_order_and_id_formats() -> None:
    factory = EventFactory(seed=2024, order_id_prefix="MYSTORE-")
    store = factory.store_id
    assert 1_000 <= store < 1_000_000_000
    for event_type in ALL_TYPES:
        event = factory.build(event_type)
        payload = event.payload
        assert list(payload) == ENVELOPE_ORDER[: len(payload)]
        assert payload["storeId"] == store
        assert LOWER_UUID.match(payload["eventId"])
        assert uuid.UUID(payload["eventId"]).version == 4
        entity, _, _ = event_type.partition(".")
        if entity == "application":
            assert payload["entityId"] == str(store)
        elif entity == "profile":
            assert payload["entityId"] == store
        data = payload.get("data", {})
        if entity in ("order", "unfinished_order"):
            assert 100_000_000 <= payload["entityId"] < 1_000_000_000
            assert data["orderId"].startswith("MYSTORE-")
            assert PUBLIC_ORDER_ID.match(data["orderId"].removeprefix("MYSTORE-"))
        if entity == "unfinished_order":
            assert UPPER_UUID.match(data["cartId"])
        if entity == "promotion":
            assert 100_000 <= payload["entityId"] < 1_000_000


def test_store_ids_have_four_to_nine_digits() -> None:
    lengths = Counter(len(str(EventFactory(seed=s).store_id)) for s in range(400))
    assert set(lengths) <= set(range(4, 10))
    assert len(lengths) >= 4


def test_given_store_id_is_used_everywhere() -> None:
    factory = EventFactory(seed=1, store_id=1003)
    assert factory.build("order.created").payload["storeId"] == 1003
    assert factory.build("application.installed").payload["entityId"] == "1003"


def test_default_clock_is_seed_derived_and_advances_a_few_seconds() -> None:
    factory = EventFactory(seed=8)
    times = [factory.build("product.updated").event_created for _ in range(50)]
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert all(1 <= step <= 5 for step in steps)
    assert 1_704_067_200 <= times[0] < 1_704_067_200 + 366 * 86_400
    assert EventFactory(seed=9).build("product.updated").event_created != times[0]


def test_any_clock_with_now_sets_event_created() -> None:
    clock = VirtualClock(1_725_434_529)
    factory = EventFactory(seed=1, clock=clock)
    assert factory.build("order.created").event_created == 1_725_434_529
    clock.advance(minutes=2)
    assert factory.build("order.created").event_created == 1_725_434_649
    assert clock.now() == 1_725_434_649  # the factory never moves a clock it was given

    plain = types.SimpleNamespace(now=lambda: 1_600_000_000.9)
    assert EventFactory(seed=1, clock=plain).build("order.created").event_created == 1_600_000_000


def test_customer_emails_come_from_faker_in_the_locale_and_never_repeat() -> None:
    factory = EventFactory(seed=4, locale="de_DE")
    emails = [factory.customer().email for _ in range(600)]
    assert len(set(emails)) == 600
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", e) for e in emails)
    assert any("+2@" in e for e in emails)  # the pool of 256 is reused with +n suffixes
    other = EventFactory(seed=4, locale="en_US")
    assert {other.customer().email for _ in range(20)} != set(emails[:20])


def test_a_locale_with_few_addresses_completes_its_email_pool_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory = EventFactory(seed=4)
    addresses = itertools.cycle(["ada@example.com", "bob@example.com"])
    monkeypatch.setattr(factory.faker, "email", lambda: next(addresses))
    emails = [factory.customer().email for _ in range(5)]
    assert emails == [
        "ada@example.com", "bob@example.com", "ada+2@example.com", "bob+2@example.com",
        "ada+3@example.com",
    ]  # fmt: skip


def test_faker_is_created_lazily_and_once() -> None:
    factory = EventFactory(seed=4)
    for event_type in ("order.created", "product.updated", "application.installed"):
        factory.build(event_type)
    assert factory._faker is None
    factory.build("customer.created")
    faker = factory.faker
    factory.build("customer.updated")
    assert factory.faker is faker


def test_bad_locale_is_reported_when_faker_is_first_needed() -> None:
    factory = EventFactory(seed=1, locale="xx_YY")
    factory.build("order.created")
    with pytest.raises(InvalidOption, match=r"invalid locale 'xx_YY' \(from EventFactory\)"):
        factory.build("customer.created")


def test_created_order_statuses_are_plausible_and_custom_ones_rare() -> None:
    factory = EventFactory(seed=12)
    created = Counter(
        (e.payload["data"]["newPaymentStatus"], e.payload["data"]["newFulfillmentStatus"])
        for e in (factory.build("order.created") for _ in range(2000))
    )
    assert created[("PAID", "AWAITING_PROCESSING")] > 800
    assert created[("AWAITING_PAYMENT", "AWAITING_PROCESSING")] > 600
    custom = sum(n for (pay, _), n in created.items() if pay.startswith("CUSTOM_"))
    assert 0 < custom < 60


def test_transition_table_uses_only_schema_statuses() -> None:
    payments = set(enum_of("order.updated", "newPaymentStatus"))
    fulfillments = set(enum_of("order.updated", "newFulfillmentStatus"))
    import random

    rng = random.Random(0)
    for pay, ful in itertools.product(sorted(payments), sorted(fulfillments)):
        for _ in range(30):
            new_pay, new_ful = next_order_statuses(rng, pay, ful)
            assert new_pay in payments
            assert new_ful in fulfillments


def test_value_from_node_fills_fields_the_lifecycles_do_not_know() -> None:
    import random

    rng = random.Random(1)
    assert value_from_node(rng, Node(enum=("A", "B")), "x") in ("A", "B")
    assert value_from_node(rng, Node(examples=("E",)), "x") == "E"
    number = value_from_node(rng, Node(types=frozenset({"integer"}), minimum=5, maximum=9), "n")
    assert 5 <= number <= 9
    text = value_from_node(rng, Node(types=frozenset({"string"}), min_length=30), "name")
    assert text.startswith("name-")
    assert len(text) == 30
    email = value_from_node(rng, Node(types=frozenset({"string"}), format="email"), "mail")
    assert "@" in email
    assert value_from_node(rng, Node(types=frozenset({"boolean"})), "b") in (True, False)
    assert value_from_node(rng, Node(types=frozenset({"object"})), "o") == {}
    assert value_from_node(rng, Node(types=frozenset({"null"})), "z") is None


# --- consistency ---------------------------------------------------------------------------


def assert_order_life(events: list[Event]) -> None:
    first = events[0].payload
    for previous, current in itertools.pairwise(e.payload for e in events):
        assert current["entityId"] == first["entityId"]
        assert current["data"]["orderId"] == first["data"]["orderId"]
        if current["eventType"] == "order.updated":
            assert current["data"]["oldPaymentStatus"] == previous["data"]["newPaymentStatus"]
            old_ful = current["data"]["oldFulfillmentStatus"]
            assert old_ful == previous["data"]["newFulfillmentStatus"]
        assert current["eventCreated"] >= previous["eventCreated"]


def test_order_life_through_a_handle() -> None:
    factory = EventFactory(seed=21)
    order = factory.order()
    events = [order.created(payment="AWAITING_PAYMENT")]
    events += [order.updated() for _ in range(6)]
    events.append(order.updated(payment="PAID", fulfillment="SHIPPED"))
    events.append(order.updated(fulfillment="DELIVERED"))
    events.append(order.deleted())
    assert_order_life(events)
    last_update = events[-2].payload["data"]
    assert last_update["newPaymentStatus"] == "PAID"
    assert last_update["newFulfillmentStatus"] == "DELIVERED"
    assert order.payment_status == "PAID"
    assert order.fulfillment_status == "DELIVERED"
    assert events[-1].payload["data"] == {"orderId": order.order_id}
    assert order.entity_id == events[0].payload["entityId"]
    assert "Order order" in repr(order)


def test_order_life_through_after() -> None:
    factory = EventFactory(seed=22)
    events = [factory.build("order.created")]
    for _ in range(5):
        events.append(factory.build("order.updated", after=events[-1]))
    events.append(factory.build("order.deleted", after=events[-1]))
    assert_order_life(events)
    # A payload dict works as well as an Event.
    again = factory.build("order.updated", after=events[-2].payload)
    assert again.payload["data"]["orderId"] == events[0].payload["data"]["orderId"]


def test_realistic_updates_mostly_move_forward() -> None:
    factory = EventFactory(seed=23)
    finals = Counter()
    for _ in range(200):
        order = factory.order()
        order.created(payment="PAID")
        for _ in range(8):
            order.updated()
        finals[order.fulfillment_status] += 1
    assert finals["DELIVERED"] + finals["RETURNED"] > 100


def test_overrides_become_the_entity_s_current_values() -> None:
    factory = EventFactory(seed=24)
    order = factory.order()
    order.created()
    order.updated(overrides={"data.newPaymentStatus": "REFUNDED"})
    assert order.updated().payload["data"]["oldPaymentStatus"] == "REFUNDED"


def test_bad_status_for_a_handle_lists_the_allowed_ones() -> None:
    order = EventFactory(seed=1).order()
    with pytest.raises(InvalidOption, match=r"invalid payment status 'SENT'.*AWAITING_PAYMENT"):
        order.updated(payment="SENT")


def test_after_must_be_about_the_same_entity() -> None:
    factory = EventFactory(seed=1)
    customer = factory.build("customer.created")
    with pytest.raises(InvalidOption, match=r"invalid after 'customer\.created'.*order\.\*"):
        factory.build("order.updated", after=customer)
    with pytest.raises(InvalidOption, match=r"invalid after"):
        factory.build("order.updated", after={"no": "event"})


def test_unfinished_order_keeps_its_cart_and_becomes_the_order() -> None:
    factory = EventFactory(seed=25)
    cart = factory.unfinished_order()
    events = [cart.created(), cart.updated(), cart.deleted()]
    datas = [e.payload["data"] for e in events]
    assert all(d == {"orderId": cart.order_id, "cartId": cart.cart_id} for d in datas)
    assert {e.payload["entityId"] for e in events} == {cart.entity_id}
    order_event = cart.order().created()
    assert order_event.payload["entityId"] == cart.entity_id
    assert order_event.payload["data"]["orderId"] == cart.order_id
    later = factory.build("order.created", after=events[0])
    assert later.payload["data"]["orderId"] == cart.order_id


def test_customer_keeps_its_email() -> None:
    factory = EventFactory(seed=26)
    customer = factory.customer()
    events = [customer.created(), customer.updated(), customer.deleted()]
    assert {e.payload["data"]["customerEmail"] for e in events} == {customer.email}
    chained = factory.build("customer.updated", after=factory.build("customer.created"))
    assert chained.payload["data"]["customerEmail"]
    given_email = factory.customer(email="jane@example.com").created()
    assert given_email.payload["data"]["customerEmail"] == "jane@example.com"
    with pytest.raises(InvalidOption, match="invalid email 'jane'"):
        factory.customer(email="jane")


def test_other_families_stay_consistent() -> None:
    factory = EventFactory(seed=27)
    review = factory.entity("review")
    created, updated, deleted = review.created(), review.updated(), review.deleted()
    assert created.payload["data"]["productId"] == deleted.payload["data"]["productId"]
    assert created.payload["data"]["status"] != updated.payload["data"]["status"]
    assert "status" not in deleted.payload["data"]

    promotion = factory.entity("promotion")
    versions = [promotion.created(), promotion.updated(), promotion.updated(), promotion.deleted()]
    assert [e.payload["data"]["version"] for e in versions] == [1, 2, 3, 3]

    app = factory.entity("application")
    changes = [app.event("subscriptionStatusChanged") for _ in range(5)]
    for before, after in itertools.pairwise(e.payload["data"] for e in changes):
        assert after["oldSubscriptionStatus"] == before["newSubscriptionStatus"]
        assert after["oldSubscriptionStatus"] != after["newSubscriptionStatus"]

    profile = factory.entity("profile")
    plans = [profile.event("subscriptionStatusChanged").payload["data"] for _ in range(3)]
    assert all(p["oldSubscriptionName"] != p["newSubscriptionName"] for p in plans)

    product = factory.entity("product")
    assert {product.created().payload["entityId"], product.deleted().payload["entityId"]} == {
        product.entity_id
    }


def test_entity_handles_by_name() -> None:
    factory = EventFactory(seed=1)
    assert isinstance(factory.entity("order"), Order)
    assert isinstance(factory.entity("unfinished_order"), UnfinishedOrder)
    assert isinstance(factory.entity("customer"), Customer)
    with pytest.raises(InvalidOption, match=r"invalid entity 'orders'.*one of application"):
        factory.entity("orders")
    with pytest.raises(UnknownEventType, match=r"invoice\.updated"):
        factory.entity("invoice").updated()


# --- determinism ---------------------------------------------------------------------------

SCRIPT = """
from ecwid_mock import EventFactory
factory = EventFactory(seed=%d)
out = [factory.build(t).body for t in %r]
order = factory.order()
out += [order.created().body, order.updated().body, order.deleted().body]
out += [e.body for e in factory.checkout()]
out += [e.body for e in factory.stream(300)]
out += [factory.build("order.created", signature=m).signature or "" for m in %r]
import sys
sys.stdout.write(repr(out))
"""


def calls(seed: int) -> list[Any]:
    from ecwid_mock._events.factory import SIGNATURE_MODES

    factory = EventFactory(seed=seed)
    out: list[Any] = [factory.build(t).body for t in ALL_TYPES]
    order = factory.order()
    out += [order.created().body, order.updated().body, order.deleted().body]
    out += [e.body for e in factory.checkout()]
    out += [e.body for e in factory.stream(300)]
    out += [factory.build("order.created", signature=m).signature or "" for m in SIGNATURE_MODES]
    return out


def test_same_seed_same_bytes_in_another_process() -> None:
    from ecwid_mock._events.factory import SIGNATURE_MODES

    code = SCRIPT % (99, list(ALL_TYPES), list(SIGNATURE_MODES))
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert result.stdout.decode() == repr(calls(99))


def test_same_seed_same_bytes_and_different_seeds_differ() -> None:
    assert calls(5) == calls(5)
    assert calls(5) != calls(6)


def test_seed_none_draws_a_seed_that_replays() -> None:
    factory = EventFactory()
    assert isinstance(factory.seed, int)
    first = [factory.build("customer.created").body for _ in range(3)]
    replay = EventFactory(seed=factory.seed)
    assert [replay.build("customer.created").body for _ in range(3)] == first


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"seed": -1}, r"invalid seed -1 \(from EventFactory\)", id="negative-seed"),
        pytest.param({"seed": "x"}, r"invalid seed 'x'", id="text-seed"),
        pytest.param({"seed": True}, r"invalid seed True", id="bool-seed"),
        pytest.param({"store_id": 0}, r"invalid store_id 0.*positive integer", id="store-zero"),
        pytest.param({"store_id": "1003"}, r"invalid store_id '1003'", id="store-text"),
        pytest.param({"locale": "english"}, r"invalid locale 'english'.*en_US", id="locale"),
        pytest.param({"order_id_prefix": "MY STORE"}, r"order_id_prefix 'MY STORE'", id="prefix"),
        pytest.param({"clock": 5}, r"invalid clock 5.*now\(\)", id="clock"),
        pytest.param({"client_secret": ""}, r"invalid client_secret ''", id="empty-secret"),
        pytest.param(
            {"client_secret": 12345}, r"invalid client_secret '<int>'.*str, bytes", id="int-secret"
        ),
        pytest.param({"access_token": b""}, r"invalid access_token ''", id="empty-token"),
    ],
)
def test_bad_factory_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOption, match=message):
        EventFactory(**options)


def test_default_secret_is_the_documented_test_secret() -> None:
    from ecwid_mock import verify_signature
    from ecwid_mock._events.factory import TEST_CLIENT_SECRET

    assert TEST_CLIENT_SECRET == "ecwid-mock-test-client-secret"
    event = EventFactory(seed=1).build("order.created")
    assert verify_signature(event.body, event.signature, TEST_CLIENT_SECRET)


# --- overrides -----------------------------------------------------------------------------


def test_overrides_by_dotted_path() -> None:
    factory = EventFactory(seed=31)
    event = factory.build(
        "order.updated", overrides={"data.newPaymentStatus": "PAID", "entityId": 42}
    )
    assert event.payload["data"]["newPaymentStatus"] == "PAID"
    assert event.payload["entityId"] == 42
    assert list(event.payload) == ENVELOPE_ORDER
    whole = factory.build("invoice.created", overrides={"data": {"orderId": "GH781"}})
    assert whole.payload["data"] == {"orderId": "GH781"}


def test_overriding_signed_fields_signs_the_new_values() -> None:
    from ecwid_mock import sign
    from ecwid_mock._events.factory import TEST_CLIENT_SECRET

    event = EventFactory(seed=1).build(
        "order.created", overrides={"eventId": "my-id", "eventCreated": 1234567}
    )
    assert (event.event_id, event.event_created) == ("my-id", 1234567)
    assert event.signature == sign(1234567, "my-id", TEST_CLIENT_SECRET)


@pytest.mark.parametrize(
    ("event_type", "overrides", "message"),
    [
        pytest.param(
            "order.updated",
            {"data.newPaymentStatus": "SHIPPED"},
            r"^override 'data\.newPaymentStatus': 'SHIPPED' is not one of AWAITING_PAYMENT, "
            r"PAID, CANCELLED, REFUNDED, PARTIALLY_REFUNDED, INCOMPLETE, CUSTOM_PAYMENT_STATUS_1",
            id="enum",
        ),
        pytest.param(
            "order.updated",
            {"data.foo": 1},
            r"^override 'data\.foo': unknown field; order\.updated data has orderId, "
            r"oldPaymentStatus, newPaymentStatus, oldFulfillmentStatus, newFulfillmentStatus$",
            id="unknown-data-field",
        ),
        pytest.param(
            "order.updated",
            {"data.newPaymentStatu": "PAID"},
            r"; did you mean 'data\.newPaymentStatus'\?$",
            id="typo-suggestion",
        ),
        pytest.param(
            "order.updated",
            {"foo": 1},
            r"^override 'foo': unknown field; order\.updated events have eventId, eventCreated, "
            r"storeId, entityId, eventType, data$",
            id="unknown-top-field",
        ),
        pytest.param(
            "product.created",
            {"data.x": 1},
            r"^override 'data\.x': unknown field; product\.created data has no fields$",
            id="no-data-fields",
        ),
        pytest.param(
            "order.updated",
            {"data.orderId.x": 1},
            r"^override 'data\.orderId\.x': unknown field; order\.updated data\.orderId is a "
            r"string, with no fields$",
            id="below-a-string",
        ),
        pytest.param(
            "order.updated",
            {"entityId": "abc"},
            r"^override 'entityId': must be an integer, but got string 'abc'$",
            id="type",
        ),
        pytest.param(
            "application.installed",
            {"entityId": 1003},
            r"^override 'entityId': must be a string, but got integer 1003$",
            id="application-entity-id-type",
        ),
        pytest.param(
            "order.updated",
            {"entityId": True},
            r"^override 'entityId': must be an integer, but got boolean True$",
            id="bool-is-not-int",
        ),
        pytest.param(
            "order.updated",
            {"entityId": 0},
            r"^override 'entityId': must be at least 1, but got 0$",
            id="minimum",
        ),
        pytest.param(
            "order.updated",
            {"data.orderId": ""},
            r"^override 'data\.orderId': must have at least 1 character, but got ''$",
            id="min-length",
        ),
        pytest.param(
            "unfinished_order.created",
            {"data.cartId": "abc"},
            r"^override 'data\.cartId': must match \^\[0-9A-F\]",
            id="pattern",
        ),
        pytest.param(
            "customer.created",
            {"data.customerEmail": "nope"},
            r"^override 'data\.customerEmail': must be an email address, but got 'nope'$",
            id="email",
        ),
        pytest.param(
            "order.updated",
            {"eventType": "order.created"},
            r"^override 'eventType': must be 'order\.updated', but got 'order\.created'$",
            id="const",
        ),
        pytest.param(
            "order.updated",
            {"data": None},
            r"^override 'data': must be an object, but got null; pass validate=False",
            id="null-data",
        ),
        pytest.param(
            "order.updated",
            {"data.orderId": DELETE},
            r"^override 'data\.orderId': cannot delete a required field of order\.updated; "
            r"pass validate=False",
            id="delete-required",
        ),
        pytest.param(
            "invoice.created",
            {"data": {}},
            r"^override 'data': missing required field orderId of invoice\.created",
            id="missing-required",
        ),
        pytest.param(
            "invoice.created",
            {"data": {"orderId": "A", "extra": 1}},
            r"^override 'data\.extra': unknown field; invoice\.created data has orderId$",
            id="unknown-inside-object",
        ),
        pytest.param(
            "invoice.created",
            {"data": {"orderId": DELETE}},
            r"^override 'data\.orderId': DELETE can only be the whole value of an override$",
            id="nested-delete",
        ),
        pytest.param(
            "order.updated",
            {"data..x": 1},
            r"^override 'data\.\.x': a path is field names joined by dots",
            id="empty-path-part",
        ),
        pytest.param(
            "order.updated",
            {7: 1},
            r"^override '7': a path is field names joined by dots",
            id="path-not-text",
        ),
    ],
)
def test_override_errors(event_type: str, overrides: dict[Any, Any], message: str) -> None:
    with pytest.raises(InvalidOverride, match=message):
        EventFactory(seed=1).build(event_type, overrides=overrides)


def test_overrides_must_be_a_mapping() -> None:
    with pytest.raises(InvalidOverride, match="overrides must be a mapping"):
        EventFactory(seed=1).build("order.updated", overrides=[("entityId", 1)])  # type: ignore[arg-type]


def test_delete_and_null_where_the_schema_allows_them() -> None:
    factory = EventFactory(seed=1)
    assert (
        "data"
        not in factory.build("order.deleted", overrides={"data": DELETE}, validate=False).payload
    )
    for event_type in ("product.created", "application.installed"):
        assert factory.build(event_type, overrides={"data": None}).payload["data"] is None
        assert factory.build(event_type, overrides={"data": {}}).payload["data"] == {}
    assert EventFactory.DELETE is DELETE
    assert repr(DELETE) == "DELETE"


def test_validate_false_builds_deliberately_broken_payloads() -> None:
    factory = EventFactory(seed=1)
    broken = factory.build(
        "order.updated",
        overrides={
            "data": None,
            "entityId": "not-a-number",
            "extra.deep.field": [1, 2],
            "eventId": DELETE,
        },
        validate=False,
    )
    payload = broken.payload
    assert payload["data"] is None
    assert payload["extra"] == {"deep": {"field": [1, 2]}}
    assert "eventId" not in payload
    assert not is_valid_event(broken.body)
    assert broken.event_type == "order.updated"

    renamed = factory.build(
        "order.updated", overrides={"eventType": "order.shipped"}, validate=False
    )
    assert renamed.query == {"eventtype": "order.shipped"}

    with pytest.raises(
        InvalidOverride, match=r"^override 'data\.orderId\.x': 'data\.orderId' holds"
    ):
        factory.build("order.updated", overrides={"data.orderId.x": 1}, validate=False)
    with pytest.raises(InvalidOverride, match=r"^override 'data': .* cannot be sent as JSON"):
        factory.build("order.updated", overrides={"data": object()}, validate=False)


def test_failed_builds_leave_the_entity_unchanged() -> None:
    factory = EventFactory(seed=2)
    order = factory.order()
    order.created(payment="PAID")
    with pytest.raises(InvalidOverride):
        order.updated(overrides={"data.newPaymentStatus": "SHIPPED"})
    assert order.payment_status == "PAID"


def test_validation_catches_what_the_override_checker_cannot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ecwid_mock._events.factory as factory_module

    monkeypatch.setattr(
        factory_module, "apply_overrides", lambda payload, *a, **k: payload.pop("data")
    )
    with pytest.raises(InvalidEvent, match=r"invalid order\.updated event in build"):
        EventFactory(seed=1).build("order.updated", overrides={"data.orderId": "X"})


# --- cascades and streams ------------------------------------------------------------------


def test_checkout_produces_a_realistic_cascade() -> None:
    factory = EventFactory(seed=41)
    checkout = factory.checkout(abandoned=True, products=2, payment="PAID")
    assert isinstance(checkout, Checkout)
    assert checkout.event_types == [
        "unfinished_order.created",
        "order.created",
        "product.updated",
        "product.updated",
        checkout[-1].event_type,
    ]
    assert checkout[-1].event_type in ("customer.created", "customer.updated")
    cart, order = checkout[0].payload, checkout[1].payload
    assert order["entityId"] == cart["entityId"]
    assert order["data"]["orderId"] == cart["data"]["orderId"]
    assert order["data"]["newPaymentStatus"] == "PAID"
    assert order["eventCreated"] - cart["eventCreated"] >= 120
    assert len(checkout) == 5
    assert list(checkout) == list(checkout.events)
    assert checkout.order.order_id == order["data"]["orderId"]
    for event in checkout:
        validate_event(event.body, strict=True)


def test_checkout_defaults_vary_and_returning_customers_are_updated() -> None:
    factory = EventFactory(seed=42)
    shapes = Counter(tuple(factory.checkout().event_types) for _ in range(200))
    assert any(s[0] == "unfinished_order.created" for s in shapes)
    assert any(s[0] == "order.created" for s in shapes)
    assert any(s.count("product.updated") == 0 for s in shapes)  # unlimited stock
    regular = factory.customer()
    regular.created()
    again = factory.checkout(customer=regular, products=[66722483], abandoned=False)
    assert again.event_types == ["order.created", "product.updated", "customer.updated"]
    assert again[1].payload["entityId"] == 66722483
    assert again[-1].payload["data"]["customerEmail"] == regular.email


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"products": 0}, r"invalid products 0", id="no-products"),
        pytest.param({"products": ["x"]}, r"invalid product id 'x'", id="bad-product-id"),
        pytest.param({"payment": "FREE"}, r"invalid payment status 'FREE'", id="payment"),
        pytest.param({"signature": "nope"}, r"invalid signature mode 'nope'", id="mode"),
    ],
)
def test_checkout_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOption, match=message):
        EventFactory(seed=1).checkout(abandoned=False, **options)


def test_stream_is_lazy_and_mixed() -> None:
    factory = EventFactory(seed=51)
    stream = factory.stream()
    assert isinstance(stream, types.GeneratorType)
    events = list(itertools.islice(stream, 3000))
    seen = Counter(e.event_type for e in events)
    assert set(seen) <= set(event_types())
    assert len(seen) > 30
    assert seen.most_common(1)[0][0].startswith(("order.", "product."))
    for event in events[:500]:
        validate_event(event.body, strict=True)


def test_stream_continues_entities_it_created() -> None:
    factory = EventFactory(seed=52)
    created: dict[int, str] = {}
    continued = 0
    for event in factory.stream(2000, types=["order.created", "order.updated", "order.deleted"]):
        data = event.payload["data"]
        entity_id = event.payload["entityId"]
        if event.event_type == "order.created":
            created[entity_id] = data["orderId"]
        elif entity_id in created:
            assert created[entity_id] == data["orderId"]
            continued += 1
    assert continued > 1000


def test_stream_types_and_weights() -> None:
    factory = EventFactory(seed=53)
    only = Counter(e.event_type for e in factory.stream(200, types=["review.created"]))
    assert only == {"review.created": 200}
    weighted = Counter(
        e.event_type
        for e in factory.stream(400, weights={"order.created": 3, "customer.created": 1})
    )
    assert set(weighted) == {"order.created", "customer.created"}
    assert weighted["order.created"] > weighted["customer.created"]
    listed = Counter(
        e.event_type
        for e in factory.stream(100, types=["order.created", "product.created"], weights=[0, 1])
    )
    assert listed == {"product.created": 100}
    assert list(factory.stream(0)) == []
    assert next(factory.stream(types="profile.updated")).event_type == "profile.updated"
    missing = factory.stream(5, signature="missing")
    assert all(e.signature is None for e in missing)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"n": -1}, r"invalid n -1", id="negative-n"),
        pytest.param({"types": []}, r"invalid types \[\]", id="no-types"),
        pytest.param({"types": ["order.creatd"]}, r"did you mean 'order\.created'", id="typo"),
        pytest.param(
            {"types": ["order.created"], "weights": [1, 2]},
            r"invalid weights \[1, 2\].*1 numbers",
            id="length",
        ),
        pytest.param({"types": ["order.created"], "weights": [-1]}, r"invalid weight -1", id="neg"),
        pytest.param(
            {"types": ["order.created"], "weights": [float("nan")]}, r"invalid weight nan", id="nan"
        ),
        pytest.param(
            {"types": ["order.created"], "weights": ["1"]}, r"invalid weight '1'", id="text"
        ),
        pytest.param({"types": ["order.created"], "weights": [0]}, r"positive sum", id="zero"),
        pytest.param(
            {"types": ["order.created"], "weights": {"customer.created": 1}},
            r"invalid weights 'customer\.created'.*a key of types",
            id="mapping-key",
        ),
        pytest.param({"signature": "x"}, r"invalid signature mode 'x'", id="mode"),
    ],
)
def test_stream_bad_options_fail_at_the_call(options: dict[str, Any], message: str) -> None:
    with pytest.raises((InvalidOption, UnknownEventType), match=message):
        EventFactory(seed=1).stream(**options)


def test_stream_without_validation_is_the_same_events() -> None:
    checked = [e.body for e in EventFactory(seed=60).stream(300)]
    unchecked = [e.body for e in EventFactory(seed=60).stream(300, validate=False)]
    assert checked == unchecked


@pytest.mark.parametrize("store_id", [None, 7, 123_456_789])
@pytest.mark.parametrize("signature", ["valid", "stale", "missing", "tampered"])
def test_every_body_is_its_payload_serialised(store_id: int | None, signature: str) -> None:
    # The factory writes the envelope of a body from per-type parts; it must be the bytes
    # serialise() writes for the same payload, for every type (entityId int or str).
    factory = EventFactory(seed=62, store_id=store_id, locale="ja_JP")
    events = [factory.build(t, signature=signature) for t in all_event_types()]
    events += factory.stream(400, signature=signature)
    for event in events:
        assert serialise(event.payload) == event.body, event.event_type
    assert {type(e.payload["entityId"]) for e in events} == {int, str}


def test_an_event_is_a_frozen_value() -> None:
    fields = (b'{"a":1}', "order.created", "e-1", 1_700_000_000, "sig")
    event = Event(*fields)
    same = Event(
        body=fields[0],
        event_type=fields[1],
        event_id=fields[2],
        event_created=fields[3],
        signature=fields[4],
        signature_mode="valid",
    )
    assert event == same
    assert hash(event) == hash(same)
    assert [f.name for f in dataclasses.fields(Event)] == [*dataclasses.asdict(event)]
    assert dataclasses.astuple(event) == (*fields, "valid")
    changed = dataclasses.replace(event, signature=None, signature_mode="missing")
    assert (changed.signature, changed.signature_mode, changed.body) == (None, "missing", fields[0])
    assert changed != event
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.body = b"{}"  # type: ignore[misc]


def test_events_json_round_trip() -> None:
    event = EventFactory(seed=61).build("order.updated")
    assert json.loads(event.body) == event.payload
    assert event.payload is not event.payload


def test_nothing_follows_a_deletion() -> None:
    factory = EventFactory(seed=3)
    deleted = factory.build("order.deleted", after=factory.build("order.created"))
    for event_type in ("order.updated", "order.created", "order.deleted"):
        with pytest.raises(InvalidOption, match="that still exists"):
            factory.build(event_type, after=deleted)


@pytest.mark.parametrize("seed", range(25))
def test_tamper_changes_the_body_keeps_the_signature_and_stays_valid(seed: int) -> None:
    factory = EventFactory(seed=seed, client_secret="tamper-secret")
    for event_type in event_types():
        event = factory.build(event_type)
        tampered = factory.tamper(event)
        assert tampered.body != event.body, event_type
        assert (tampered.event_id, tampered.signature) == (event.event_id, event.signature)
        assert tampered.signature_mode == "tampered"
        assert verify_signature(tampered.body, tampered.signature or "", "tamper-secret")
        validate_event(tampered.body)  # tolerant: a receiver cannot refuse it by schema
        built = factory.build(event_type, signature="tampered")
        validate_event(built.body)


def test_tamper_of_an_unknown_event_type_changes_the_entity_id() -> None:
    factory = EventFactory(seed=1)
    payload = factory.build("order.created").payload
    payload["eventType"] = "size_chart.created"
    event = Event.from_payload(payload, signature="x")
    assert factory.tamper(event).payload["entityId"] != payload["entityId"]


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=20), min_size=2, max_size=5),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_a_weighted_status_draws_what_random_choices_draws(weights: list[int], seed: int) -> None:
    from ecwid_mock._store.lifecycles import _weighted

    options = tuple((f"S{i}", w) for i, w in enumerate(weights))
    ours, theirs = random.Random(seed), random.Random(seed)
    for _ in range(20):  # the same value, and the generator left in the same state
        assert _weighted(ours, options) == theirs.choices([n for n, _ in options], weights)[0]


@given(seed=st.integers(min_value=0, max_value=2**32), prefix=st.sampled_from(["", "MY-"]))
def test_a_public_order_id_draws_what_random_choices_draws(seed: int, prefix: str) -> None:
    from ecwid_mock._store import ids

    ours, theirs = random.Random(seed), random.Random(seed)
    for _ in range(20):  # the same id, and the generator left in the same state
        drawn = "".join(theirs.choices(ids.PUBLIC_ORDER_ID_ALPHABET, k=5))
        assert ids.public_order_id(ours, prefix, "-X") == f"{prefix}{drawn}-X"
    assert ours.random() == theirs.random()
