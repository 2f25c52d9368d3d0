"""The app's public token (``public_...``): storefront data only, as Ecwid gives it.

Facts (``ecwid-rest.md``, "Public token", [H]): read-only storefront data (a limited store
profile, enabled products, categories and variations, product types, the update and
deletion stats), and it may create orders (statuses forced) and call order calculate.
Everything else is 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidStore


@pytest.fixture
def public(store: Any) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.public_token}"},
    ) as http:
        yield http


def test_the_installed_app_has_a_public_token_from_the_seed() -> None:
    one, two = EcwidStore(seed=3), EcwidStore(seed=3)
    assert one.public_token == two.public_token != EcwidStore(seed=4).public_token
    assert one.public_token.startswith("public_")
    assert len(one.public_token) == 7 + 32
    assert one.public_token[7:] != one.token[7:]
    assert one.public_token not in repr(one.app)


def test_an_app_without_the_public_storefront_scope_has_no_public_token(store: Any) -> None:
    app = store.add_app("backoffice", scopes=["read_orders"])
    assert app.public_token is None


def test_products_and_categories_are_the_enabled_ones_only(
    store: Any, public: httpx.Client, client: httpx.Client
) -> None:
    hidden = next(iter(store.products.values()))
    store.update("products", hidden["id"], {"enabled": False})
    all_ids = {p["id"] for p in client.get("/products").json()["items"]}
    enabled = {p["id"] for p in store.products.values() if p.get("enabled") is not False}
    seen = public.get("/products").json()
    assert hidden["id"] in all_ids
    assert hidden["id"] not in enabled
    assert {p["id"] for p in seen["items"]} == enabled < all_ids
    assert seen["total"] == len(enabled)
    assert public.get(f"/products/{hidden['id']}").status_code == 404
    assert client.get(f"/products/{hidden['id']}").status_code == 200
    shown = next(p for p in store.products.values() if p["id"] != hidden["id"])
    assert public.get(f"/products/{shown['id']}").json()["id"] == shown["id"]
    assert public.get(f"/products/{hidden['id']}/combinations").status_code == 404
    category = next(iter(store.categories.values()))
    store.update("categories", category["id"], {"enabled": False})
    categories = public.get("/categories").json()["items"]
    assert categories
    assert category["id"] not in {c["id"] for c in categories}
    assert public.get(f"/categories/{category['id']}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/orders", id="orders"),
        pytest.param("GET", "/customers", id="customers"),
        pytest.param("GET", "/discount_coupons", id="coupons"),
        pytest.param("PUT", "/profile", id="profile-write"),
    ],
)
def test_everything_else_is_403(public: httpx.Client, method: str, path: str) -> None:
    answer = public.request(method, path, json={} if method == "PUT" else None)
    assert answer.status_code == 403
    assert answer.json()["errorCode"] == "INSUFFICIENT_APP_SCOPE"
    assert "public token" in answer.json()["errorMessage"]


def test_a_product_write_is_403(store: Any, public: httpx.Client) -> None:
    product = next(iter(store.products.values()))
    answer = public.put(f"/products/{product['id']}", json={"price": 1})
    assert answer.status_code == 403
    assert store.products[product["id"]]["price"] == product["price"]


def test_the_profile_is_readable_but_limited(public: httpx.Client, client: httpx.Client) -> None:
    full, limited = client.get("/profile").json(), public.get("/profile").json()
    assert limited["generalInfo"]["storeId"] == full["generalInfo"]["storeId"]
    assert set(limited) < set(full)
    assert "account" not in limited  # the owner's name and email are not storefront data


def test_an_order_it_creates_gets_the_forced_statuses(store: Any, public: httpx.Client) -> None:
    body = {
        "email": "buyer@example.com",
        "paymentStatus": "PAID",
        "fulfillmentStatus": "SHIPPED",
        "privateAdminNotes": "ship it today",
        "items": [{"name": "Mug", "price": 9.5, "quantity": 2, "sku": "MUG-1"}],
    }
    answer = public.post("/orders", json=body)
    assert answer.status_code == 200, answer.text
    order = store.orders[answer.json()["orderId"]]
    assert order["paymentStatus"] == "AWAITING_PAYMENT"
    assert order["fulfillmentStatus"] == "AWAITING_PROCESSING"
    assert "privateAdminNotes" not in order
    assert store.changes[-1].event_type == "order.created"


def test_an_unfinished_order_stays_unfinished(store: Any, public: httpx.Client) -> None:
    body = {"paymentStatus": "INCOMPLETE", "items": [{"name": "Mug", "price": 1, "quantity": 1}]}
    order_id = public.post("/orders", json=body).json()["orderId"]
    assert store.orders[order_id]["paymentStatus"] == "INCOMPLETE"


def test_the_public_token_is_masked_in_the_call_log(store: Any, public: httpx.Client) -> None:
    public.get("/products")
    assert store.public_token not in repr(store.calls.last)
    assert store.public_token not in str(store.calls.last.headers)
