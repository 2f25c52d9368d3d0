"""What each REST endpoint does with the store: get, create, update, delete and the rest.

Pure functions of ``(state, app, endpoint id, path, query, body)``: no HTTP here. Endpoints are
the ids of ``schemas/rest/api.json``; a family's ``search``/``get``/``create``/``update``/
``delete``/``deleted`` share one implementation each (searches: ``_store_search``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._schemas.rest import api_facts
from .._store import writes
from .._store.records.pools import ecwid_date
from .._store.state import FAMILIES, App, StoreState
from ._store_errors import Answer, ApiError
from ._store_search import envelope, parse_time, public, search, stamp

__all__ = ["RouteOptions", "handle"]


_BY_ENDPOINT = {family.endpoint: family.name for family in FAMILIES.values()}


def _create_answer(family: str, record: Mapping[str, Any]) -> dict[str, Any]:
    if family == "orders":
        return {"id": record["internalId"], "orderId": record["id"]}
    if family == "coupons":
        return {"id": record["id"], "code": record["code"]}
    if family == "carts":
        return {"id": record["cartId"]}
    return {"id": record["id"]}


def _object_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "WRONG_PARAMETER", "Request body must be a JSON object")
    return body


def _family_endpoint(
    state: StoreState,
    app: App,
    family: str,
    action: str,
    key: str,
    params: Mapping[str, str],
    body: Any,
    options: RouteOptions,
) -> Answer:
    actor = app.name
    if action == "search":
        found = search(state, family, params)
        if app.public_of is not None:
            found = [record for record in found if not _hidden(family, record)]
        return Answer(200, envelope(found, params))
    if action == "list":
        return Answer(200, [public(r) for r in search(state, family, params)])
    if action == "deleted":
        records = state.families[family]
        log = list(records.deleted)
        low, high = parse_time(params, "from_date"), parse_time(params, "to_date")
        if low is not None or high is not None:
            log = [
                e
                for e in log
                if (s := stamp(e, "date")) is not None
                and (low is None or s >= low)
                and (high is None or s <= high)
            ]
        return Answer(200, envelope(log, params))
    if action == "get":
        records = state.families[family]
        if records.resolve(key) is None:
            raise writes.StoreKeyError(records, key)
        return Answer(200, writes.public(records[key]))
    if action == "create":
        record = state.create(family, _object_body(body), actor=actor)
        if family == "orders" and options.order_cascade:
            _checkout_cascade(state, record, actor)
        return Answer(200, _create_answer(family, record))
    if action in ("update", "updateStatus"):
        state.update(family, key, _object_body(body), actor=actor)
        return Answer(200, {"updateCount": 1})
    if action == "delete":
        state.delete(family, key, actor=actor)
        return Answer(200, {"deleteCount": 1})
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement {family}.{action} yet")


def _checkout_cascade(state: StoreState, order: Mapping[str, Any], actor: str) -> None:
    """What a storefront checkout does beside ``order.created``: stock and the customer."""
    taken: dict[object, int] = {}
    for item in order.get("items", []):
        product_id = item.get("productId")
        if product_id in state.products:
            taken[product_id] = taken.get(product_id, 0) + int(item.get("quantity", 1))
    for product_id, quantity in taken.items():
        product = state.products[product_id]
        if not product.get("unlimited"):
            left = max(0, int(product.get("quantity", 0)) - quantity)
            state.update("products", product_id, {"quantity": left}, actor=actor)
    email = order.get("email")
    if not email:
        return
    known = next((c for c in state.customers.values() if c.get("email") == email), None)
    if known is None:
        name = order.get("billingPerson", {}).get("name", "")
        state.create("customers", {"email": email, "name": name}, actor=actor)
    else:
        state.update("customers", known["id"], {"email": email}, actor=actor)


def _inventory(state: StoreState, app: App, key: str, body: Any) -> Answer:
    fields = _object_body(body)
    product = state.products[key]
    if "quantityDelta" not in fields:
        raise ApiError(400, "WRONG_PARAMETER", "quantityDelta is required")
    quantity = max(0, int(product.get("quantity", 0)) + int(fields["quantityDelta"]))
    state.update(
        "products", product["id"], {"quantity": quantity, "unlimited": False}, actor=app.name
    )
    return Answer(200, {"updateCount": 1})


def _variation(
    state: StoreState, app: App, action: str, product_key: str, combination: str, body: Any
) -> Answer:
    product = state.products[product_key]
    combos: list[dict[str, Any]] = product.get("combinations", [])
    if action == "list":
        return Answer(200, combos)
    found = next((c for c in combos if str(c["id"]) == combination), None)
    if action == "get":
        if found is None:
            raise ApiError(404, "COMBINATION_NOT_FOUND", f"Combination #{combination} not found")
        return Answer(200, found)
    if action == "deleteAll":
        state.update(
            "products", product["id"], {"combinations": []}, actor=app.name, endpoint=_V + action
        )
        return Answer(200, {"deleteCount": len(combos)})
    if action == "create":
        fields = _object_body(body)
        new = {
            "unlimited": "quantity" not in fields,
            **fields,
            "id": max([c["id"] for c in combos] + [product["id"]]) + 1,
            "combinationNumber": len(combos) + 1,
        }
        new.setdefault("options", [])
        new["inStock"] = bool(new["unlimited"]) or int(new.get("quantity", 0)) > 0
        state.update(
            "products",
            product["id"],
            {"combinations": [*combos, new]},
            actor=app.name,
            endpoint=_V + action,
        )
        return Answer(200, {"id": new["id"]})
    if found is None:
        raise ApiError(404, "COMBINATION_NOT_FOUND", f"Combination #{combination} not found")
    if action == "delete":
        state.update(
            "products",
            product["id"],
            {"combinations": [c for c in combos if c is not found]},
            actor=app.name,
            endpoint=_V + action,
        )
        return Answer(200, {"deleteCount": 1})
    changed = dict(found)
    if action == "update":
        changed.update(
            {k: v for k, v in _object_body(body).items() if k not in ("id", "combinationNumber")}
        )
    elif action == "inventory":
        delta = _object_body(body).get("quantityDelta")
        if not isinstance(delta, int):
            raise ApiError(400, "WRONG_PARAMETER", "quantityDelta must be an integer")
        changed["quantity"] = max(0, int(changed.get("quantity", 0)) + delta)
        changed["unlimited"] = False
    if not changed.get("unlimited"):
        changed["inStock"] = int(changed.get("quantity", 0)) > 0
    state.update(
        "products",
        product["id"],
        {"combinations": [changed if c is found else c for c in combos]},
        actor=app.name,
        endpoint=_V + action,
    )
    return Answer(200, {"updateCount": 1})


_V = "variations."


def _assign(state: StoreState, app: App, action: str, category_key: str, body: Any) -> Answer:
    category = state.categories[category_key]
    ids = _object_body(body).get("productIds")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise ApiError(400, "WRONG_PARAMETER", "productIds must be a list of product ids")
    products = [state.products[i] for i in ids]
    current = list(category.get("productIds", []))
    if action == "assignProducts":
        now_in = current + [p["id"] for p in products if p["id"] not in current]
    else:
        now_in = [i for i in current if i not in ids]
    for product in products:
        categories = [c for c in product.get("categoryIds", []) if c != category["id"]]
        if action == "assignProducts":
            categories.append(category["id"])
        product["categoryIds"] = categories
    state.update(
        "categories",
        category["id"],
        {"productIds": now_in, "productCount": len(now_in)},
        actor=app.name,
        endpoint="categories." + action,
    )
    return Answer(200, {"updateCount": 1})


def _place_cart(state: StoreState, app: App, cart_key: str) -> Answer:
    cart = state.carts[cart_key]
    fields = {
        k: v
        for k, v in writes.public(cart).items()
        if k not in ("cartId", "createDate", "updateDate", "createTimestamp", "updateTimestamp")
    }
    fields["paymentStatus"] = "AWAITING_PAYMENT"
    fields["fulfillmentStatus"] = "AWAITING_PROCESSING"
    order = state.create("orders", fields, actor=app.name, endpoint="carts.place")
    cart["recoveredOrderId"] = order["internalId"]
    cart["recoveredPublicUid"] = order["id"]
    return Answer(
        200,
        {
            "id": order["id"],
            "orderNumber": order["internalId"],
            "vendorOrderNumber": order["id"],
            "cartId": cart["cartId"],
        },
    )


def _calculate(body: Any) -> Answer:
    from .._store.records.orders import totals

    fields = _object_body(body)
    items = fields.get("items", [])
    if not isinstance(items, list):
        raise ApiError(400, "WRONG_PARAMETER", "items must be a list")
    rate = float(fields.get("shippingOption", {}).get("shippingRate", 0))
    lines = [
        {
            "id": n + 1,
            "productId": 0,
            "sku": "",
            "name": "",
            "price": 0,
            "quantity": 1,
            "tax": 0,
            **item,
        }
        for n, item in enumerate(items)
    ]
    answer = {k: v for k, v in fields.items() if k not in ("items",)}
    answer.update(totals(lines, rate))
    answer["items"] = lines
    answer.setdefault("id", "")
    return Answer(200, answer)


def _storage(state: StoreState, app: App, action: str, key: str, body: Any) -> Answer:
    storage = app.storage
    if action == "list":
        return Answer(200, [{"key": k, "value": v} for k, v in storage.items()])
    if action == "get":
        if key not in storage:
            raise ApiError(404, "NOT_FOUND", "Key not found")
        return Answer(200, {"key": key, "value": storage[key]})
    if action in ("create", "update"):
        storage[key] = body if isinstance(body, str) else json.dumps(body)
        _app_change(state, app, "storage." + action, "application.storageChanged")
        return Answer(200, {"updateCount": 1})
    if action == "delete":
        if key not in storage:
            raise ApiError(404, "NOT_FOUND", "Key not found")
        del storage[key]
        _app_change(state, app, "storage.delete", "application.storageChanged")
        return Answer(200, {"deleteCount": 1})
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement storage.{action}")


def _app_change(state: StoreState, app: App, endpoint_id: str, event_type: str) -> None:
    from .._store.changes import Change

    entity_id: int | str = (
        state.store_id if event_type.startswith("profile.") else str(state.store_id)
    )
    state._emit(
        Change(
            event_type,
            entity_id,
            None,
            endpoint_id,
            app.name,
            state.clock.now(),
            str(state.store_id),
        )
    )


def _latest_stats(state: StoreState) -> dict[str, Any]:
    def latest(family: str, *fields: str) -> str:
        stamps = [s for r in state.families[family].scan() if (s := stamp(r, *fields)) is not None]
        return ecwid_date(max(stamps)) if stamps else ecwid_date(0)

    return {
        "productsUpdated": latest("products", "updateTimestamp"),
        "ordersUpdated": latest("orders", "updateTimestamp"),
        "reviewsUpdated": latest("reviews", "updateTimestamp"),
        "categoriesUpdated": ecwid_date(0),
        "discountCouponsUpdated": latest("coupons", "updateDate"),
        "abandonedSalesUpdated": latest("carts", "updateTimestamp"),
        "customersUpdated": latest("customers", "updated"),
        "productCountRequired": len(state.products),
        "categoryCountRequired": len(state.categories),
    }


def _create_invoice(state: StoreState, app: App, order_key: str) -> Answer:
    from .._store import ids as _ids
    from .._store.changes import Change

    order = state.orders[order_key]
    internal = _ids.entity_id(state._rng, "invoice")
    number = f"AB{len(order.get('invoices', [])) + 1 + internal % 1000:06d}"
    date, _ = state.now_date()
    invoice = {
        "internalId": internal,
        "id": number,
        "created": date,
        "link": f"https://app.ecwid.com/download_tax_invoice?ownerid={state.store_id}&invoice_id={internal}",
        "type": "SALE",
    }
    order.setdefault("invoices", []).append(invoice)
    state._emit(
        Change(
            "invoice.created",
            internal,
            {"orderId": order["id"]},
            "orders.invoices.create",
            app.name,
            state.clock.now(),
            internal,
        )
    )
    return Answer(200, {"id": internal})


def _mass_update(state: StoreState, app: App, body: Any) -> Answer:
    """``{"reviewIds": [...], "status": "published"}`` or ``{"reviewIds": [...], "delete": true}``.

    The body's shape is not in the facts ("bulk status/delete" only) [L]: this one is ours.
    """
    fields = _object_body(body)
    ids = fields.get("reviewIds")
    if not isinstance(ids, list):
        raise ApiError(400, "WRONG_PARAMETER", "reviewIds must be a list of review ids")
    count = 0
    for review_id in ids:
        if state.reviews.resolve(review_id) is None:
            continue
        if fields.get("delete"):
            state.delete("reviews", review_id, actor=app.name)
        else:
            state.update(
                "reviews", review_id, {"status": fields.get("status", "published")}, actor=app.name
            )
        count += 1
    return Answer(200, {"updateCount": count})


def _path_key(path: str, position: int) -> str:
    from urllib.parse import unquote

    parts = path.strip("/").split("/")
    return unquote(parts[position]) if len(parts) > position else ""


@dataclass(frozen=True)
class RouteOptions:
    """Where the facts conflict: the newest docs by default, the documented alternative on demand.

    ``default_limit``: a search's ``limit`` when none is given (G3: 100; G1: 10 for some).
    ``internal_order_ids``: ``GET /orders/{internalId}`` works, as Ecwid's own Java client relies
    on (a third-party source says only public ids do).
    ``review_status_case``: ``lower`` as G3 answers (``published``), ``upper`` as the Java client
    models it (``PUBLISHED``).
    ``order_cascade``: an order created through the API also takes its items from stock
    (``product.updated``) and creates or updates its customer, as a storefront checkout does;
    whether Ecwid does so is not documented [L], so it is off by default.
    """

    default_limit: int = 100
    internal_order_ids: bool = True
    review_status_case: str = "lower"
    order_cascade: bool = False


def handle(
    state: StoreState,
    app: App,
    endpoint_id: str,
    path: str,
    params: Mapping[str, str],
    body: Any,
    options: RouteOptions = RouteOptions(),
) -> Answer:
    """Answer one authorised call to ``endpoint_id`` (ids of ``schemas/rest/api.json``)."""
    group = endpoint_id.rpartition(".")[0]
    if "limit" not in params:
        params = {**params, "limit": str(options.default_limit)}
    if endpoint_id == "orders.get" and not options.internal_order_ids:
        key = _path_key(path, 1)
        found = state.orders.get(key)
        if found is not None and str(found["internalId"]) == key:
            raise writes.StoreKeyError(state.orders, key)
    if group == "reviews" and isinstance(body, dict) and isinstance(body.get("status"), str):
        body = {**body, "status": body["status"].lower()}
    if app.public_of is not None:
        body = _storefront_request(state, endpoint_id, path, body)
    answer = _handle(state, app, endpoint_id, path, params, body, options)
    if group == "reviews" and options.review_status_case == "upper":
        answer.body = _upper_status(answer.body)
    return answer


def _public_facts() -> Mapping[str, Any]:
    facts: Mapping[str, Any] = api_facts()["publicToken"]
    return facts


def _hidden(family: str, record: Mapping[str, Any]) -> bool:
    """Whether a public token must not see ``record`` (a disabled product or category)."""
    field = _public_facts()["visibleOnly"].get(family)
    return field is not None and record.get(field) is False


def _storefront_request(state: StoreState, endpoint_id: str, path: str, body: Any) -> Any:
    """A public token's call as Ecwid takes it: hidden records are not found, orders it
    creates get the storefront's statuses."""
    group = endpoint_id.rpartition(".")[0]
    reads_one = endpoint_id.endswith((".get", ".list"))
    if group in ("products", "variations", "categories") and reads_one:
        family = "categories" if group == "categories" else "products"
        records, key = state.families[family], _path_key(path, 1)
        if records.resolve(key) is not None and _hidden(family, records[key]):
            raise writes.StoreKeyError(records, key)
    if endpoint_id == "orders.create" and isinstance(body, dict):
        forced = _public_facts()["forcedOnCreate"]
        body = {k: v for k, v in body.items() if k not in forced["ignored"]}
        if body.get("paymentStatus") not in forced["keepPaymentStatus"]:
            body["paymentStatus"] = forced["paymentStatus"]
        body["fulfillmentStatus"] = forced["fulfillmentStatus"]
    return body


def _upper_status(node: Any) -> Any:
    if isinstance(node, list):
        return [_upper_status(item) for item in node]
    if isinstance(node, dict):
        out = {k: _upper_status(v) if k == "items" else v for k, v in node.items()}
        if isinstance(out.get("status"), str):
            out["status"] = out["status"].upper()
        return out
    return node


def _handle(
    state: StoreState,
    app: App,
    endpoint_id: str,
    path: str,
    params: Mapping[str, str],
    body: Any,
    options: RouteOptions,
) -> Answer:
    group, _, action = endpoint_id.rpartition(".")
    if endpoint_id == "orders.last":
        found = sorted(search(state, "orders", {}), key=lambda r: r["createTimestamp"])
        if not found:
            raise ApiError(404, "ORDER_NOT_FOUND", "No orders found")
        return Answer(200, public(found[-1]))
    if endpoint_id == "products.inventory":
        return _inventory(state, app, _path_key(path, 1), body)
    if group == "variations":
        return _variation(state, app, action, _path_key(path, 1), _path_key(path, 3), body)
    if group == "storage":
        return _storage(state, app, action, _path_key(path, 1), body)
    if endpoint_id == "profile.get":
        if app.public_of is not None:
            kept = _public_facts()["profileKept"]
            return Answer(200, {k: v for k, v in state.profile.items() if k in kept})
        return Answer(200, state.profile)
    if endpoint_id == "profile.update":
        state.profile.update(_object_body(body))
        _app_change(state, app, "profile.update", "profile.updated")
        return Answer(200, {"updateCount": 1})
    if endpoint_id == "application.get":
        return Answer(200, app.rest_record())
    if endpoint_id == "application.delete":
        app.installed = False
        _app_change(state, app, "application.delete", "application.uninstalled")
        return Answer(200, {"deleteCount": 1})
    if endpoint_id == "stats.latest":
        return Answer(200, _latest_stats(state))
    if endpoint_id == "reviews.stats":
        reviews = list(state.reviews.values())
        published = sum(1 for r in reviews if r["status"].lower() == "published")
        return Answer(
            200,
            {
                "allCount": len(reviews),
                "publishedCount": published,
                "moderatedCount": len(reviews) - published,
            },
        )
    if endpoint_id == "orders.invoices.list":
        return Answer(200, {"invoices": list(state.orders[_path_key(path, 1)].get("invoices", []))})
    if endpoint_id == "orders.invoices.create":
        return _create_invoice(state, app, _path_key(path, 1))
    if endpoint_id == "orders.invoice.html":
        order = state.orders[_path_key(path, 1)]
        return Answer(
            200,
            f"<html><body><h1>Invoice for order {order['id']}</h1>"
            f"<p>Total: {order['total']}</p></body></html>",
        )
    if endpoint_id in ("categories.assignProducts", "categories.unassignProducts"):
        return _assign(state, app, action, _path_key(path, 1), body)
    if endpoint_id == "carts.place":
        return _place_cart(state, app, _path_key(path, 1))
    if endpoint_id == "order.calculate":
        return _calculate(body)
    if endpoint_id == "products.deleteAll":
        keys = list(state.products)
        for key in keys:
            state.delete("products", key, actor=app.name)
        return Answer(200, {"deleteCount": len(keys)})
    if endpoint_id == "reviews.massUpdate":
        return _mass_update(state, app, body)
    family = _BY_ENDPOINT.get(group)
    if family is not None:
        if group == "classes" and action == "list":
            return _family_endpoint(state, app, family, "list", "", params, body, options)
        key = _path_key(path, 1)
        return _family_endpoint(state, app, family, action, key, params, body, options)
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement {endpoint_id} yet")
