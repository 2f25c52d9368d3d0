"""The store's REST API: what a webhook receiver's calls get back, endpoint family by family.

Every answer here also validates against its schemas/rest schema (the ``store`` fixture checks).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidStore, VirtualClock


def _first(records: Any) -> Any:
    return next(iter(records.values()))


# --- orders ---------------------------------------------------------------------------------


def test_get_order_by_public_and_internal_id(store: Any, client: httpx.Client) -> None:
    order = _first(store.orders)
    by_public = client.get(f"/orders/{order['id']}")
    by_internal = client.get(f"/orders/{order['internalId']}")
    assert by_public.status_code == by_internal.status_code == 200
    assert by_public.json() == by_internal.json()
    assert by_public.json()["items"][0]["productId"] == order["items"][0]["productId"]
    assert by_public.headers["content-type"] == "application/json; charset=utf-8"


def test_search_finds_orders_by_ids_public_or_internal(store: Any, client: httpx.Client) -> None:
    one, two = list(store.orders.values())[:2]
    found = client.get("/orders", params={"ids": f"{one['id']},{two['internalId']}"}).json()
    assert found["total"] == 2
    assert {o["id"] for o in found["items"]} == {one["id"], two["id"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, (40, 40, 0, 100), id="defaults"),
        pytest.param({"limit": 10}, (40, 10, 0, 10), id="first-page"),
        pytest.param({"limit": 10, "offset": 35}, (40, 5, 35, 10), id="last-page-short"),
        pytest.param({"offset": 40}, (40, 0, 40, 100), id="offset-at-end"),
        pytest.param({"offset": 500}, (40, 0, 500, 100), id="offset-past-end"),
        pytest.param({"limit": 1000}, (40, 40, 0, 100), id="limit-capped-at-100"),
        pytest.param({"limit": 0}, (40, 0, 0, 0), id="limit-zero"),
    ],
)
def test_search_envelope_and_paging(
    client: httpx.Client, params: dict[str, int], expected: tuple[int, ...]
) -> None:
    page = client.get("/orders", params=params).json()
    assert (page["total"], page["count"], page["offset"], page["limit"]) == expected
    assert len(page["items"]) == page["count"]


def test_paging_through_a_search_sees_every_order_once(store: EcwidStore) -> None:
    store.seed(orders=85)
    seen: list[str] = []
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as http:
        offset = 0
        while True:
            page = http.get("/orders", params={"offset": offset, "limit": 50}).json()
            seen += [o["id"] for o in page["items"]]
            if page["count"] < page["limit"]:
                break
            offset += page["count"]
    assert sorted(seen) == sorted(store.orders)
    assert len(seen) == 125


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_a_bad_paging_parameter_is_a_400(client: httpx.Client, param: str) -> None:
    answer = client.get("/orders", params={param: "ten"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "WRONG_PARAMETER"


def test_search_filters_by_status_email_total_and_date(store: Any, client: httpx.Client) -> None:
    paid = client.get("/orders", params={"paymentStatus": "PAID"}).json()
    assert (
        paid["total"] == sum(1 for o in store.orders.values() if o["paymentStatus"] == "PAID") > 0
    )
    order = _first(store.orders)
    by_email = client.get("/orders", params={"email": order["email"]}).json()["items"]
    assert by_email
    assert all(o["email"] == order["email"] for o in by_email)
    rich = client.get("/orders", params={"totalFrom": 100}).json()["items"]
    assert all(o["total"] >= 100 for o in rich)
    stamp = order["createTimestamp"]
    after = client.get("/orders", params={"createdFrom": stamp}).json()["items"]
    assert order["id"] in {o["id"] for o in after}
    assert all(o["createTimestamp"] >= stamp for o in after)
    by_product = client.get("/orders", params={"productId": order["items"][0]["productId"]}).json()[
        "items"
    ]
    assert order["id"] in {o["id"] for o in by_product}


def test_update_is_partial_and_delete_answers_404_after(store: Any, client: httpx.Client) -> None:
    order = _first(store.orders)
    email = order["email"]
    answer = client.put(f"/orders/{order['id']}", json={"fulfillmentStatus": "SHIPPED"})
    assert answer.json() == {"updateCount": 1}
    fetched = client.get(f"/orders/{order['id']}").json()
    assert fetched["fulfillmentStatus"] == "SHIPPED"
    assert fetched["email"] == email
    assert client.delete(f"/orders/{order['id']}").json() == {"deleteCount": 1}
    gone = client.get(f"/orders/{order['id']}")
    assert gone.status_code == 404
    assert gone.json() == {
        "errorMessage": f"Order #{order['id']} not found",
        "errorCode": "ORDER_NOT_FOUND",
    }
    deleted = client.get("/orders/deleted").json()["items"]
    assert deleted == [
        {"id": order["internalId"], "date": deleted[0]["date"], "orderId": order["id"]}
    ]


def test_create_order_answers_both_ids(store: Any, client: httpx.Client) -> None:
    product = _first(store.products)
    answer = client.post(
        "/orders",
        json={
            "email": "new@example.com",
            "items": [
                {
                    "productId": product["id"],
                    "price": 10,
                    "quantity": 3,
                    "name": product["name"],
                    "sku": product["sku"],
                }
            ],
        },
    ).json()
    assert set(answer) == {"id", "orderId"}
    created = client.get(f"/orders/{answer['orderId']}").json()
    assert created["internalId"] == answer["id"]
    assert created["subtotal"] == 30


def test_last_order_and_invoices(store: Any, client: httpx.Client) -> None:
    newest = max(store.orders.values(), key=lambda o: o["createTimestamp"])
    assert client.get("/orders/last").json()["id"] == newest["id"]
    made = client.post(f"/orders/{newest['id']}/invoices/create-invoice").json()
    invoices = client.get(f"/orders/{newest['id']}/invoices").json()["invoices"]
    assert [i["internalId"] for i in invoices] == [made["id"]]
    page = client.get(f"/orders/{newest['id']}/invoice")
    assert page.headers["content-type"].startswith("text/html")
    assert newest["id"] in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/orders/NOPE1/invoices",
        "/orders/NOPE1/invoice",
        "/carts/NOPE/place",
        "/products/1/combinations",
    ],
)
def test_unknown_ids_in_any_path_answer_404(client: httpx.Client, path: str) -> None:
    method = "POST" if path.endswith("/place") else "GET"
    answer = client.request(method, path)
    assert answer.status_code == 404
    assert answer.json()["errorMessage"].endswith("not found")


def test_response_fields_select_nested_fields(store: Any, client: httpx.Client) -> None:
    order = _first(store.orders)
    answer = client.get(
        "/orders", params={"ids": order["id"], "responseFields": "total,items(id,email)"}
    ).json()
    assert answer == {"total": 1, "items": [{"id": order["id"], "email": order["email"]}]}


# --- carts, catalogue, customers, marketing, reviews -----------------------------------------


def test_carts_get_update_and_place(store: Any, client: httpx.Client) -> None:
    cart = _first(store.carts)
    assert client.get(f"/carts/{cart['cartId']}").json()["total"] == cart["total"]
    assert client.get("/carts").json()["total"] == len(store.carts)
    assert client.put(f"/carts/{cart['cartId']}", json={"hidden": True}).json() == {
        "updateCount": 1
    }
    placed = client.post(f"/carts/{cart['cartId']}/place").json()
    order = client.get(f"/orders/{placed['id']}").json()
    assert order["items"] == cart["items"]
    assert placed["cartId"] == cart["cartId"]
    assert client.get(f"/carts/{cart['cartId']}").json()["recoveredOrderId"] == order["internalId"]


def test_products_search_get_create_update_inventory_delete(
    store: Any, client: httpx.Client
) -> None:
    created = client.post(
        "/products", json={"name": "Blue mug", "price": 9.5, "quantity": 4, "sku": "MUG-1"}
    ).json()
    product = client.get(f"/products/{created['id']}").json()
    assert (product["name"], product["quantity"], product["inStock"]) == ("Blue mug", 4, True)
    assert (
        client.get("/products", params={"sku": "MUG-1"}).json()["items"][0]["id"] == created["id"]
    )
    assert client.get("/products", params={"keyword": "blue mug"}).json()["total"] >= 1
    client.put(f"/products/{created['id']}/inventory", json={"quantityDelta": -4})
    assert client.get(f"/products/{created['id']}").json()["inStock"] is False
    client.put(f"/products/{created['id']}", json={"price": 11})
    assert client.get(f"/products/{created['id']}").json()["price"] == 11
    client.delete(f"/products/{created['id']}")
    missing = client.get(f"/products/{created['id']}")
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "PRODUCT_NOT_FOUND"
    assert client.get("/products/deleted").json()["items"][-1]["id"] == created["id"]


def test_products_sort_and_price_filters(client: httpx.Client) -> None:
    prices = [
        p["price"] for p in client.get("/products", params={"sortBy": "PRICE_DESC"}).json()["items"]
    ]
    assert prices == sorted(prices, reverse=True)
    cheap = client.get("/products", params={"priceTo": 20}).json()["items"]
    assert all(p["price"] <= 20 for p in cheap)
    assert client.get("/products", params={"sortBy": "NOPE"}).status_code == 400


def test_variations(store: Any, client: httpx.Client) -> None:
    product = client.post("/products", json={"name": "Shirt", "price": 20}).json()
    base = f"/products/{product['id']}/combinations"
    made = client.post(
        base, json={"options": [{"name": "Size", "value": "M"}], "quantity": 2}
    ).json()
    assert [c["id"] for c in client.get(base).json()] == [made["id"]]
    client.put(f"{base}/{made['id']}/inventory", json={"quantityDelta": 3})
    assert client.get(f"{base}/{made['id']}").json()["quantity"] == 5
    client.put(f"{base}/{made['id']}", json={"sku": "SHIRT-M"})
    assert client.get(f"{base}/{made['id']}").json()["sku"] == "SHIRT-M"
    client.delete(f"{base}/{made['id']}")
    assert client.get(f"{base}/{made['id']}").json()["errorCode"] == "COMBINATION_NOT_FOUND"


def test_categories_and_product_assignment(store: Any, client: httpx.Client) -> None:
    category = client.post("/categories", json={"name": "Mugs"}).json()
    product = _first(store.products)
    client.post(
        f"/categories/{category['id']}/assignProducts", json={"productIds": [product["id"]]}
    )
    assert client.get(f"/categories/{category['id']}").json()["productIds"] == [product["id"]]
    assert category["id"] in client.get(f"/products/{product['id']}").json()["categoryIds"]
    found = client.get("/products", params={"category": category["id"]}).json()["items"]
    assert [p["id"] for p in found] == [product["id"]]
    client.post(
        f"/categories/{category['id']}/unassignProducts", json={"productIds": [product["id"]]}
    )
    assert client.get(f"/categories/{category['id']}").json()["productIds"] == []
    client.delete(f"/categories/{category['id']}")
    assert client.get(f"/categories/{category['id']}").json()["errorCode"] == "CATEGORIES_NOT_FOUND"


def test_customers_and_groups(store: Any, client: httpx.Client) -> None:
    customer = _first(store.customers)
    assert client.get(f"/customers/{customer['id']}").json()["email"] == customer["email"]
    assert client.get("/customers", params={"email": customer["email"]}).json()["total"] == 1
    group = client.post("/customer_groups", json={"name": "Gold"}).json()
    client.put(f"/customers/{customer['id']}", json={"customerGroupId": group["id"]})
    assert client.get("/customers", params={"customerGroupIds": group["id"]}).json()["total"] == 1
    assert client.get(f"/customer_groups/{group['id']}").json()["name"] == "Gold"
    client.delete(f"/customers/{customer['id']}")
    assert client.get(f"/customers/{customer['id']}").status_code == 404
    assert client.get("/customers/deleted").json()["items"][-1]["id"] == customer["id"]


def test_coupons_by_id_or_code(store: Any, client: httpx.Client) -> None:
    made = client.post(
        "/discount_coupons",
        json={"name": "Ten off", "code": "TEN", "discountType": "ABS", "discount": 10},
    ).json()
    assert made["code"] == "TEN"
    assert client.get("/discount_coupons/TEN").json()["id"] == made["id"]
    assert client.get(f"/discount_coupons/{made['id']}").json()["code"] == "TEN"
    client.delete("/discount_coupons/TEN")
    gone = client.get("/discount_coupons/TEN").json()
    assert gone == {"errorMessage": "Coupon is not found", "errorCode": "DISCOUNT_COUPON_NOT_FOUND"}


def test_promotions_classes_reviews(store: Any, client: httpx.Client) -> None:
    promotion = _first(store.promotions)
    items = client.get("/promotions").json()["items"]
    assert promotion["id"] in {p["id"] for p in items}
    classes = client.get("/classes").json()
    assert isinstance(classes, list)
    assert len(classes) == len(store.classes)
    review = _first(store.reviews)
    assert (
        client.get("/reviews", params={"reviewId": review["id"]}).json()["items"][0]["id"]
        == review["id"]
    )
    client.put(f"/reviews/{review['id']}", json={"status": "moderated"})
    assert client.get(f"/reviews/{review['id']}").json()["status"] == "moderated"
    stats = client.get("/reviews/filters_data").json()
    assert stats["allCount"] == len(store.reviews)


def test_profile_stats_application_and_storage(store: Any, client: httpx.Client) -> None:
    assert client.get("/profile").json()["generalInfo"]["storeId"] == store.store_id
    client.put("/profile", json={"settings": {"closed": True, "storeName": "Shut"}})
    assert client.get("/profile").json()["settings"]["closed"] is True
    assert client.get("/latest-stats").json()["productCountRequired"] == len(store.products)
    assert client.get("/application").json() == {"subscriptionStatus": "ACTIVE"}
    assert client.get("/storage").json() == []
    client.post("/storage/config", json={"mode": "live"})
    assert client.get("/storage/config").json() == {"key": "config", "value": '{"mode": "live"}'}
    client.delete("/storage/config")
    assert client.get("/storage/config").json()["errorMessage"] == "Key not found"
    assert client.delete("/application").json() == {"deleteCount": 1}
    assert client.get("/profile").json()["errorCode"] == "INVALID_API_TOKEN"


def test_order_calculate_adds_up_without_storing(store: Any, client: httpx.Client) -> None:
    before = len(store.orders)
    answer = client.post(
        "/order/calculate", json={"items": [{"price": 10, "quantity": 2, "tax": 2}]}
    ).json()
    assert (answer["subtotal"], answer["tax"], answer["total"]) == (20, 2, 22)
    assert len(store.orders) == before


def test_unknown_paths_and_methods_answer_ecwid_errors(client: httpx.Client) -> None:
    assert client.get("/nope").json()["errorCode"] == "WRONG_URL"
    wrong = client.patch("/orders")
    assert wrong.status_code == 405
    assert wrong.json()["errorCode"] == "METHOD_NOT_ALLOWED"


def test_a_body_that_is_not_json_is_refused(store: Any, client: httpx.Client) -> None:
    order = _first(store.orders)
    assert (
        client.put(
            f"/orders/{order['id']}", content=b"x", headers={"Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    assert (
        client.put(
            f"/orders/{order['id']}", content=b"{", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )


# --- auth, scopes, rate limit, faults, search lag ---------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer secret_wrong"}, id="unknown-token"),
        pytest.param({"Authorization": "Basic abc"}, id="not-bearer"),
    ],
)
def test_a_missing_or_wrong_token_is_a_403(store: Any, headers: dict[str, str]) -> None:
    with httpx.Client(
        transport=store.transport(), base_url=store.base_url, headers=headers
    ) as http:
        answer = http.get("/orders")
    assert answer.status_code == 403
    assert answer.json()["errorCode"] == "INVALID_API_TOKEN"


def test_the_query_token_is_refused_unless_legacy(store: Any) -> None:
    with httpx.Client(transport=store.transport(), base_url=store.base_url) as http:
        assert http.get("/orders", params={"token": store.token}).status_code == 403
        store.api.legacy_query_token = True
        assert http.get("/orders", params={"token": store.token}).status_code == 200
    assert store.token not in repr(store.calls.last)
    assert store.calls.last.query["token"] == "***"


def test_a_token_of_another_store_is_a_403(store: Any) -> None:
    with httpx.Client(
        transport=store.transport(), headers={"Authorization": f"Bearer {store.token}"}
    ) as http:
        assert http.get("https://app.ecwid.com/api/v3/42/orders").status_code == 403


def test_a_missing_scope_is_insufficient_app_scope(store: Any) -> None:
    app = store.add_app("reader", scopes=["read_catalog"])
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {app.token}"},
    ) as http:
        assert http.get("/products").status_code == 200
        denied = http.get("/orders")
        assert denied.status_code == 403
        assert denied.json() == {
            "errorMessage": "Access token doesn't have `read_orders` scope",
            "errorCode": "INSUFFICIENT_APP_SCOPE",
        }
        assert http.get("/profile").status_code == 200  # read_store_profile is always granted
    assert store.calls.last.app == "reader"


def test_the_rate_limit_answers_429_with_retry_after_until_the_minute_passes() -> None:
    clock = VirtualClock()
    store = EcwidStore(seed=1, clock=clock, rate_limit=5)
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as http:
        assert [http.get("/profile").status_code for _ in range(5)] == [200] * 5
        clock.advance(20)
        limited = http.get("/profile")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "40"
        assert limited.json()["errorCode"] == "RATE_LIMITED"
        clock.advance(40)
        assert http.get("/profile").status_code == 200


def test_the_default_limit_is_600_a_minute() -> None:
    store = EcwidStore(seed=1)
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as http:
        codes = [http.get("/application").status_code for _ in range(601)]
    assert codes.count(200) == 600
    assert codes[-1] == 429


def test_forced_faults(store: Any, client: httpx.Client) -> None:
    store.fail_next(429, retry_after=7)
    store.fail_next(503, count=2, path="/profile")
    first = client.get("/orders")
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "7"
    assert client.get("/orders").status_code == 200
    assert [client.get("/profile").status_code for _ in range(3)] == [503, 503, 200]


def test_search_lags_writes_but_get_does_not() -> None:
    clock = VirtualClock()
    store = EcwidStore(seed=1, clock=clock, search_lag=3)
    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as http:
        made = http.post("/products", json={"name": "Late", "price": 1}).json()
        assert http.get(f"/products/{made['id']}").status_code == 200
        assert http.get("/products", params={"productId": made["id"]}).json()["total"] == 0
        clock.advance(3)
        assert http.get("/products", params={"productId": made["id"]}).json()["total"] == 1


def test_calls_log_what_happened_and_fails_with_the_list(store: Any, client: httpx.Client) -> None:
    order = _first(store.orders)
    client.get(f"/orders/{order['id']}")
    client.get("/orders/NOPE1")
    assert store.calls.called
    assert store.calls.call_count == 2
    assert [c.status for c in store.calls.of("GET", f"/orders/{order['id']}")] == [200]
    assert store.calls.last.status == 404
    assert store.calls.last.endpoint == "orders.get"
    store.calls.assert_called("GET", "/orders/NOPE1", times=1)
    with pytest.raises(
        AssertionError, match=r"(?s)expected PUT /orders/X.*GET /orders/NOPE1 -> 404"
    ):
        store.calls.assert_called("PUT", "/orders/X")


# --- documented alternatives where the sources conflict ----------------------------------------


def _client(store: EcwidStore) -> httpx.Client:
    auth = {"Authorization": f"Bearer {store.token}"}
    return httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth)


def test_g1_default_limit_of_10_on_demand() -> None:
    store = EcwidStore(seed=1, default_limit=10).seed(orders=15)
    with _client(store) as http:
        page = http.get("/orders").json()
        assert (page["limit"], page["count"]) == (10, 10)
        assert http.get("/orders", params={"limit": 15}).json()["count"] == 15


def test_internal_order_ids_can_be_refused() -> None:
    store = EcwidStore(seed=1, internal_order_ids=False).seed(orders=1)
    order = _first(store.orders)
    with _client(store) as http:
        assert http.get(f"/orders/{order['id']}").status_code == 200
        assert http.get(f"/orders/{order['internalId']}").status_code == 404


def test_review_statuses_in_upper_case_on_demand() -> None:
    from ecwid_mock._schemas.rest import validate_rest

    store = EcwidStore(seed=1, review_status_case="upper").seed(reviews=3)
    review = _first(store.reviews)
    with _client(store) as http:
        http.put(f"/reviews/{review['id']}", json={"status": "PUBLISHED"})
        answer = http.get(f"/reviews/{review['id']}").json()
        assert answer["status"] == "PUBLISHED"
        assert {r["status"] for r in http.get("/reviews").json()["items"]} <= {
            "PUBLISHED",
            "MODERATED",
        }
    assert store.reviews[review["id"]]["status"] == "published"
    assert validate_rest(answer, "product-review", strict=False) == []
    assert validate_rest(answer, "product-review", strict=True) != []


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"default_limit": 0}, id="limit-zero"),
        pytest.param({"default_limit": 101}, id="limit-over-100"),
        pytest.param({"review_status_case": "title"}, id="case-unknown"),
        pytest.param({"rate_limit": 0}, id="rate-limit-zero"),
    ],
)
def test_bad_store_options_name_themselves(options: dict[str, Any]) -> None:
    from ecwid_mock import InvalidOption

    with pytest.raises(InvalidOption, match=next(iter(options))):
        EcwidStore(**options)


def test_search_shows_old_versions_and_deleted_records_until_the_lag_passes() -> None:
    clock = VirtualClock()
    store = EcwidStore(seed=1, clock=clock, search_lag=5).seed(orders=3)
    order = _first(store.orders)
    old = order["fulfillmentStatus"]
    with _client(store) as http:
        search = {"ids": order["id"]}
        http.put(f"/orders/{order['id']}", json={"fulfillmentStatus": "RETURNED"})
        assert http.get(f"/orders/{order['id']}").json()["fulfillmentStatus"] == "RETURNED"
        assert http.get("/orders", params=search).json()["items"][0]["fulfillmentStatus"] == old
        clock.advance(2)
        http.delete(f"/orders/{order['id']}")
        assert http.get(f"/orders/{order['id']}").status_code == 404
        assert http.get("/orders", params=search).json()["items"][0]["fulfillmentStatus"] == old
        clock.advance(3)
        assert (
            http.get("/orders", params=search).json()["items"][0]["fulfillmentStatus"] == "RETURNED"
        )
        clock.advance(2)
        assert http.get("/orders", params=search).json()["total"] == 0
        assert http.get("/orders").json()["total"] == 2


def test_a_record_made_and_deleted_within_the_lag_shows_in_between() -> None:
    clock = VirtualClock()
    store = EcwidStore(seed=1, clock=clock, search_lag=5)
    made = store.create("products", {"name": "Brief"})
    clock.advance(1)
    store.delete("products", made["id"])
    with _client(store) as http:
        seen = []
        for _ in range(7):
            seen.append(http.get("/products").json()["total"])
            clock.advance(1)
    assert seen == [0, 0, 0, 0, 1, 0, 0]


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        pytest.param("/products", {"price": 3}, "product name", id="product-without-name"),
        pytest.param(
            "/orders", {"items": [{"name": "a", "price": "x"}]}, "wrong type", id="bad-price"
        ),
    ],
)
def test_a_write_the_store_cannot_take_is_400_wrong_parameter(
    store: EcwidStore, client: httpx.Client, path: str, body: dict[str, Any], says: str
) -> None:
    before = len(store.changes)
    answer = client.post(path, json=body)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "WRONG_PARAMETER"
    assert says in answer.json()["errorMessage"]
    assert len(store.changes) == before  # nothing written, no webhook
    assert store.calls.last.status == 400  # the call is logged like any other
