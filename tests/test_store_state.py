"""The store's state: deterministic, self-consistent records in Ecwid's formats."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ecwid_mock import EcwidStore, InvalidOption, VirtualClock
from ecwid_mock._store.state import StoreState

DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$")


def _seeded(seed: int = 3, **options: Any) -> StoreState:
    return StoreState(seed=seed, **options).seed(orders=60, carts=4, reviews=8, coupons=2)


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_the_same_seed_gives_the_same_store() -> None:
    one, two = _seeded(), _seeded()
    assert one.store_id == two.store_id
    assert one.token == two.token
    for name, records in one.families.items():
        assert json.dumps(list(records.values())) == json.dumps(list(two.families[name].values()))


def test_another_seed_gives_another_store() -> None:
    assert list(_seeded(3).orders) != list(_seeded(4).orders)


def test_seeding_follows_what_orders_need() -> None:
    state = StoreState(seed=1).seed(orders=30)
    assert len(state.orders) == 30
    assert len(state.products) == 20
    assert len(state.categories) == 5
    assert len(state.customers) == 10
    assert state.profile["generalInfo"]["storeId"] == state.store_id


def test_order_lines_reference_products_of_the_store() -> None:
    state = _seeded()
    for order in state.orders.values():
        for item in order["items"]:
            product = state.products[item["productId"]]
            assert item["name"] == product["name"]
            assert item["price"] == product["price"]
            if "combinationId" in item:
                assert item["combinationId"] in {c["id"] for c in product["combinations"]}


def test_order_totals_add_up() -> None:
    state = _seeded()
    for order in state.orders.values():
        subtotal = sum(i["price"] * i["quantity"] for i in order["items"])
        assert order["subtotal"] == pytest.approx(subtotal, abs=0.01)
        shipping = order["shippingOption"]["shippingRate"]
        assert order["total"] == pytest.approx(
            order["subtotal"] + order["tax"] + shipping, abs=0.01
        )
        assert order["totalWithoutTax"] == pytest.approx(order["total"] - order["tax"], abs=0.01)


def test_buyers_are_customers_with_matching_emails_and_counts() -> None:
    state = _seeded()
    counted: dict[int, int] = {}
    for order in state.orders.values():
        if "customerId" in order:
            customer = state.customers[order["customerId"]]
            assert order["email"] == customer["email"]
            assert order["billingPerson"]["name"] == customer["name"]
            counted[customer["id"]] = counted.get(customer["id"], 0) + 1
        else:
            assert order["email"]
            assert order["customerGroup"] == "General"
    for customer in state.customers.values():
        assert customer["totalOrderCount"] == counted.get(customer["id"], 0)
    emails = [c["email"] for c in state.customers.values()]
    assert len(set(emails)) == len(emails)


def test_dates_are_ecwid_strings_beside_integer_timestamps_and_nothing_is_null() -> None:
    state = _seeded()
    for records in state.families.values():
        for record in records.values():
            for key, value in _walk(record):
                assert value is not None, key
                if key in ("createDate", "updateDate", "created", "updated", "registered"):
                    assert DATE.match(value), (key, value)
                if key.endswith("Timestamp"):
                    assert isinstance(value, int)
                    assert not isinstance(value, bool)
    order = next(iter(state.orders.values()))
    assert order["createTimestamp"] <= order["updateTimestamp"] <= state.clock.now()


def test_order_ids_are_public_and_internal_with_the_stores_affixes() -> None:
    state = StoreState(seed=2, order_prefix="SALE-", order_suffix="-X").seed(orders=5)
    order = next(iter(state.orders.values()))
    assert re.fullmatch(r"SALE-[A-Z0-9]{5}-X", order["id"])
    assert state.orders[order["internalId"]] is order
    assert state.orders[str(order["internalId"])] is order
    assert state.orders[order["id"][5:10]] is order
    assert state.profile["formatsAndUnits"]["orderNumberPrefix"] == "SALE-"


def test_unlimited_products_have_no_quantity_and_stocked_ones_agree_with_in_stock() -> None:
    state = StoreState(seed=5).seed(products=80)
    for product in state.products.values():
        if product["unlimited"]:
            assert "quantity" not in product
            assert product["inStock"]
        else:
            assert product["inStock"] == (product["quantity"] > 0)
            if product["combinations"]:
                assert product["quantity"] == sum(c["quantity"] for c in product["combinations"])


def test_categories_list_the_products_filed_in_them() -> None:
    state = StoreState(seed=5).seed(products=40)
    for category in state.categories.values():
        assert category["productCount"] == len(category["productIds"])
        for product_id in category["productIds"]:
            assert category["id"] in state.products[product_id]["categoryIds"]


def test_a_locale_gives_its_names() -> None:
    state = StoreState(seed=1, locale="de_DE").seed(customers=5)
    assert {c["billingPerson"]["countryCode"] for c in state.customers.values()} == {"DE"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"seed": "x"}, "seed", id="seed-not-int"),
        pytest.param({"search_lag": -1}, "search_lag", id="negative-lag"),
        pytest.param({"store_id": 0}, "store_id", id="store-id-zero"),
    ],
)
def test_bad_options_name_themselves(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOption, match=message):
        StoreState(**options)


def test_bad_counts_and_unknown_families_are_refused() -> None:
    state = StoreState(seed=1)
    with pytest.raises(InvalidOption, match="orders"):
        state.seed(orders=-1)
    with pytest.raises(InvalidOption, match="family"):
        state.create("invoices", {})


def test_tokens_are_masked_in_reprs() -> None:
    state = StoreState(seed=1)
    assert state.token.startswith("secret_")
    assert len(state.token) == 39
    assert state.token not in repr(state.app)
    assert state.token not in repr(state)


def test_python_writes_fill_what_ecwid_fills() -> None:
    clock = VirtualClock()
    store = EcwidStore(seed=1, clock=clock)
    clock.advance(hours=1)
    product = store.create("products", {"name": "Mug", "price": 12.5, "quantity": 3})
    assert product["unlimited"] is False
    assert product["inStock"] is True
    assert product["createTimestamp"] == int(clock.now())
    order = store.create(
        "orders",
        {
            "email": "a@example.com",
            "items": [{"productId": product["id"], "price": 12.5, "quantity": 2}],
        },
    )
    assert order["subtotal"] == 25
    assert order["paymentStatus"] == "AWAITING_PAYMENT"
    assert store.orders[order["internalId"]] is order
    with pytest.raises(InvalidOption, match="name"):
        store.create("products", {"price": 1})


def test_seeding_orders_after_a_customer_with_only_an_email_was_adopted() -> None:
    from ecwid_mock._store.state import StoreState

    state = StoreState(seed=2)
    adopted = state.adopt("customers", 123456, fields={"email": "only@example.com"})
    assert adopted["customerGroupName"] == "General"
    del adopted["customerGroupName"], adopted["customerGroupId"]  # as bare as a capture
    state.seed(orders=60, customers=0)
    theirs = [o for o in state.orders.values() if o.get("customerId") == 123456]
    assert theirs, "the adopted customer was not among the buyers"
    assert all(o["email"] == "only@example.com" for o in theirs)
    assert all("customerGroup" not in o for o in theirs)
