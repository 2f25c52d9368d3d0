"""``EcwidStore(order_cascade=True)``: an order created through the API also does what a
storefront checkout does beside ``order.created`` (stock, the customer). Ecwid does not document
it for API orders [L], so it is off by default."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidStore, InvalidOption


def _post_order(store: EcwidStore, body: dict[str, Any]) -> str:
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as client:
        answer = client.post("/orders", json=body)
    assert answer.status_code == 200, answer.text
    order_id: str = answer.json()["orderId"]
    return order_id


def _tracked(store: EcwidStore) -> dict[str, Any]:
    product = next(p for p in store.products.values() if not p.get("unlimited"))
    store.update("products", product["id"], {"quantity": 10, "unlimited": False})
    return product


def _body(product: dict[str, Any], email: str, quantity: int = 3) -> dict[str, Any]:
    item = {"productId": product["id"], "name": "x", "price": 1, "quantity": quantity}
    return {"email": email, "items": [item]}


@pytest.fixture
def cascading() -> EcwidStore:
    return EcwidStore(seed=5, order_cascade=True).seed(orders=3, products=10, customers=4)


def test_off_by_default_an_api_order_changes_nothing_else() -> None:
    store = EcwidStore(seed=5).seed(orders=3, products=10, customers=4)
    product = _tracked(store)
    before = len(store.changes)
    _post_order(store, _body(product, "new.buyer@example.com"))
    assert [c.event_type for c in store.changes[before:]] == ["order.created"]
    assert store.products[product["id"]]["quantity"] == 10


def test_an_api_order_takes_its_items_from_stock_and_creates_the_customer(
    cascading: EcwidStore,
) -> None:
    product = _tracked(cascading)
    before = len(cascading.changes)
    _post_order(cascading, _body(product, "new.buyer@example.com"))
    fired = [(c.event_type, c.actor) for c in cascading.changes[before:]]
    app = cascading.app.name
    assert fired == [
        ("order.created", app),
        ("product.updated", app),
        ("customer.created", app),
    ]
    assert cascading.products[product["id"]]["quantity"] == 7
    emails = [c.get("email") for c in cascading.customers.values()]
    assert emails.count("new.buyer@example.com") == 1


def test_a_returning_customer_is_updated_and_stock_stops_at_zero(cascading: EcwidStore) -> None:
    product = _tracked(cascading)
    email = next(iter(cascading.customers.values()))["email"]
    before = len(cascading.changes)
    _post_order(cascading, _body(product, email, quantity=25))
    fired = [c.event_type for c in cascading.changes[before:]]
    assert fired == ["order.created", "product.updated", "customer.updated"]
    assert cascading.products[product["id"]]["quantity"] == 0
    assert cascading.products[product["id"]]["inStock"] is False


def test_unlimited_products_are_left_alone(cascading: EcwidStore) -> None:
    product = next(iter(cascading.products.values()))
    cascading.update("products", product["id"], {"unlimited": True})
    before = len(cascading.changes)
    _post_order(cascading, {"items": [{"productId": product["id"], "name": "x", "price": 1}]})
    assert [c.event_type for c in cascading.changes[before:]] == ["order.created"]


def test_order_cascade_must_be_a_bool() -> None:
    with pytest.raises(InvalidOption, match="order_cascade"):
        EcwidStore(order_cascade="yes")  # type: ignore[arg-type]
