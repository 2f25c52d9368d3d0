"""Changes as data: each write names the webhook Ecwid would fire, with its entityId and data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ecwid_mock import Change, EcwidStore, feedback_writes, validate_event
from ecwid_mock._schemas.catalog import event_info


def _first(records: Any) -> Any:
    return next(iter(records.values()))


@pytest.fixture
def heard(store: EcwidStore) -> list[Change]:
    changes: list[Change] = []
    store.add_listener(changes.append)
    return changes


def _as_event(store: EcwidStore, change: Change) -> dict[str, Any]:
    """The webhook body a sender would make of ``change`` (what the lead's MockEcwid will do)."""
    info = event_info(change.event_type)
    entity_id: Any = change.entity_id
    if info.entity_id_type == "string":
        entity_id = str(entity_id)
    body: dict[str, Any] = {
        "eventId": "95ed494f-362d-4fca-933d-f5c7064b04bb",
        "eventCreated": int(change.timestamp),
        "storeId": store.store_id,
        "entityId": entity_id,
        "eventType": change.event_type,
    }
    if change.data is not None:
        body["data"] = dict(change.data)
    return body


def test_order_update_names_old_and_new_statuses(
    store: EcwidStore, client: httpx.Client, heard: list[Change]
) -> None:
    order = _first(store.orders)
    old = (order["paymentStatus"], order["fulfillmentStatus"])
    client.put(f"/orders/{order['id']}", json={"paymentStatus": "REFUNDED"})
    (change,) = heard
    assert change.event_type == "order.updated"
    assert change.entity_id == order["internalId"]
    assert change.data == {
        "orderId": order["id"],
        "oldPaymentStatus": old[0],
        "newPaymentStatus": "REFUNDED",
        "oldFulfillmentStatus": old[1],
        "newFulfillmentStatus": old[1],
    }
    assert change.actor == store.app.name
    assert change.endpoint == "orders.update"


def test_python_writes_fire_too_with_the_store_as_actor(
    store: EcwidStore, heard: list[Change]
) -> None:
    customer = store.create("customers", {"email": "ann@example.com"})
    store.update("customers", customer["id"], {"name": "Ann"})
    store.delete("customers", customer["id"])
    assert [(c.event_type, c.entity_id, c.actor) for c in heard] == [
        ("customer.created", customer["id"], "store"),
        ("customer.updated", customer["id"], "store"),
        ("customer.deleted", customer["id"], "store"),
    ]
    assert all(c.data == {"customerEmail": "ann@example.com"} for c in heard)


WRITES = [
    pytest.param(
        "POST", "/products", {"name": "P", "price": 1}, "product.created", id="product-create"
    ),
    pytest.param(
        "PUT", "/products/{product}", {"price": 2}, "product.updated", id="product-update"
    ),
    pytest.param(
        "PUT",
        "/products/{product}/inventory",
        {"quantityDelta": 1},
        "product.updated",
        id="product-inventory",
    ),
    pytest.param("DELETE", "/products/{product}", None, "product.deleted", id="product-delete"),
    pytest.param("POST", "/categories", {"name": "C"}, "category.created", id="category-create"),
    pytest.param(
        "PUT", "/categories/{category}", {"name": "D"}, "category.updated", id="category-update"
    ),
    pytest.param(
        "DELETE", "/categories/{category}", None, "category.deleted", id="category-delete"
    ),
    pytest.param(
        "POST",
        "/categories/{category}/assignProducts",
        {"productIds": ["{product}"]},
        "category.updated",
        id="category-assign",
    ),
    pytest.param(
        "POST",
        "/orders",
        {"email": "x@example.com", "items": []},
        "order.created",
        id="order-create",
    ),
    pytest.param("DELETE", "/orders/{order}", None, "order.deleted", id="order-delete"),
    pytest.param(
        "PUT", "/carts/{cart}", {"hidden": True}, "unfinished_order.updated", id="cart-update"
    ),
    pytest.param("POST", "/carts/{cart}/place", None, "order.created", id="cart-place"),
    pytest.param(
        "POST",
        "/orders/{order}/invoices/create-invoice",
        None,
        "invoice.created",
        id="invoice-create",
    ),
    pytest.param(
        "POST", "/customers", {"email": "c@example.com"}, "customer.created", id="customer-create"
    ),
    pytest.param(
        "POST", "/customer_groups", {"name": "G"}, "customer_group.created", id="group-create"
    ),
    pytest.param(
        "POST", "/discount_coupons", {"code": "X1"}, "discount_coupon.created", id="coupon-create"
    ),
    pytest.param(
        "PUT",
        "/discount_coupons/{coupon}",
        {"discount": 3},
        "discount_coupon.updated",
        id="coupon-update",
    ),
    pytest.param("POST", "/promotions", {"name": "P"}, "promotion.created", id="promotion-create"),
    pytest.param(
        "PUT", "/promotions/{promotion}", {"amount": 3}, "promotion.updated", id="promotion-update"
    ),
    pytest.param(
        "DELETE", "/promotions/{promotion}", None, "promotion.deleted", id="promotion-delete"
    ),
    pytest.param("POST", "/classes", {"name": "K"}, "product_class.created", id="class-create"),
    pytest.param(
        "PUT", "/reviews/{review}", {"status": "moderated"}, "review.updated", id="review-update"
    ),
    pytest.param("DELETE", "/reviews/{review}", None, "review.deleted", id="review-delete"),
    pytest.param(
        "PUT", "/profile", {"settings": {"closed": True}}, "profile.updated", id="profile-update"
    ),
    pytest.param("POST", "/storage/k", {"a": 1}, "application.storageChanged", id="storage-create"),
    pytest.param("DELETE", "/application", None, "application.uninstalled", id="app-delete"),
]


def _fill(text: Any, ids: dict[str, Any]) -> Any:
    if isinstance(text, str):
        for name, value in ids.items():
            if text == "{" + name + "}":
                return value
            text = text.replace("{" + name + "}", str(value))
        return text
    if isinstance(text, dict):
        return {k: _fill(v, ids) for k, v in text.items()}
    if isinstance(text, list):
        return [_fill(v, ids) for v in text]
    return text


@pytest.mark.parametrize(("method", "path", "body", "event_type"), WRITES)
def test_each_write_fires_the_webhook_of_the_facts(
    store: EcwidStore,
    client: httpx.Client,
    heard: list[Change],
    method: str,
    path: str,
    body: Any,
    event_type: str,
) -> None:
    ids = {
        "product": _first(store.products)["id"],
        "category": _first(store.categories)["id"],
        "order": _first(store.orders)["id"],
        "cart": _first(store.carts)["cartId"],
        "coupon": _first(store.coupons)["id"],
        "promotion": _first(store.promotions)["id"],
        "review": _first(store.reviews)["id"],
    }
    answer = client.request(method, _fill(path, ids), json=_fill(body, ids))
    assert answer.status_code == 200, answer.text
    assert [c.event_type for c in heard] == [event_type]
    validate_event(_as_event(store, heard[0]), strict=True)  # raises InvalidEvent if not


def test_reads_fire_nothing(store: EcwidStore, client: httpx.Client, heard: list[Change]) -> None:
    client.get("/orders")
    client.get(f"/products/{_first(store.products)['id']}")
    assert heard == []
    assert store.changes == []


def test_a_failed_write_fires_nothing(
    store: EcwidStore, client: httpx.Client, heard: list[Change]
) -> None:
    assert client.put("/orders/NOPE1", json={"paymentStatus": "PAID"}).status_code == 404
    assert heard == []


def test_listeners_can_be_removed(store: EcwidStore) -> None:
    heard: list[Change] = []
    listener = store.add_listener(heard.append)
    store.create("classes", {"name": "A"})
    store.remove_listener(listener)
    store.create("classes", {"name": "B"})
    assert len(heard) == 1
    assert len(store.changes) == 2


def test_feedback_writes_find_a_handler_that_writes_back_what_it_receives(
    store: EcwidStore, client: httpx.Client
) -> None:
    order = _first(store.orders)
    store.update("orders", order["id"], {"paymentStatus": "PAID"})  # the merchant's change
    for _ in range(3):  # a handler answering each order.updated with another update
        client.put(f"/orders/{order['id']}", json={"privateAdminNotes": "seen"})
    loops = feedback_writes(store.changes, store.app.name, subscribed=["order.updated"])
    assert len(loops) == 3
    assert all(c.event_type == "order.updated" for c in loops)
    assert feedback_writes(store.changes, store.app.name, subscribed=["product.updated"]) == []


def test_promotion_events_count_versions(store: EcwidStore, heard: list[Change]) -> None:
    promotion = _first(store.promotions)
    store.update("promotions", promotion["id"], {"amount": 7})
    store.update("promotions", promotion["id"], {"amount": 8})
    store.delete("promotions", promotion["id"])
    assert [c.data for c in heard] == [{"version": 2}, {"version": 3}, {"version": 4}]


def test_calls_keep_headers_with_the_token_masked(store: EcwidStore, client: httpx.Client) -> None:
    client.get("/profile")
    assert store.calls.last.headers["authorization"] == "***"
    assert store.token not in repr(store.calls.last)


def test_an_unfinished_order_fires_its_own_events(store: EcwidStore, heard: list[Change]) -> None:
    order = store.create("orders", {"paymentStatus": "INCOMPLETE", "cartId": "C1", "items": []})
    store.delete("orders", order["id"])
    assert [c.event_type for c in heard] == ["unfinished_order.created", "unfinished_order.deleted"]
    assert heard[0].data == {"orderId": order["id"], "cartId": "C1"}
