"""What each REST endpoint does with the store: search, get, create, update, delete and the rest.

Pure functions of ``(state, app, endpoint id, path, query, body)``: no HTTP here. Endpoints are
the ids of ``schemas/rest/api.json``; a family's ``search``/``get``/``create``/``update``/
``delete``/``deleted`` share one implementation each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._schemas.rest import api_facts
from .._store import writes
from .._store.records.pools import ecwid_date
from .._store.state import FAMILIES, App, Records, StoreState

__all__ = ["Answer", "ApiError", "handle"]


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An Ecwid error answer: status, ``errorCode`` and ``errorMessage``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"errorMessage": self.message, "errorCode": self.code}


_BY_ENDPOINT = {family.endpoint: family.name for family in FAMILIES.values()}


def _limits() -> tuple[int, int]:
    envelope = api_facts()["searchEnvelope"]
    return int(envelope["defaultLimit"]), int(envelope["maxLimit"])


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter '{name}' must be an integer, got '{text}'") from None
    if value < 0:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter '{name}' must be >= 0, got {value}")
    return value


def _time(params: Mapping[str, str], name: str) -> float | None:
    """A date filter: UNIX seconds, ``yyyy-MM-dd HH:mm:ss[ Z]`` or ``yyyy-MM-dd``."""
    text = params.get(name)
    if not text:
        return None
    if text.isdigit():
        return float(text)
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()
    raise ApiError(400, "WRONG_PARAMETER", f"Parameter '{name}' is not a date: '{text}'")


def _envelope(records: list[dict[str, Any]], params: Mapping[str, str]) -> dict[str, Any]:
    default, most = _limits()
    offset = _int(params, "offset", 0)
    limit = min(_int(params, "limit", default), most)
    page = records[offset : offset + limit]
    return {
        "total": len(records),
        "count": len(page),
        "offset": offset,
        "limit": limit,
        "items": [writes.public(r) for r in page],
    }


def _stamp(record: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, int):
            return float(value)
        if isinstance(value, str) and value:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z").timestamp()
    return None


def _filters(family: str, params: Mapping[str, str], records: Records) -> list[Callable[[dict[str, Any]], bool]]:
    """The predicates of a search's query parameters (those the mock knows; others are ignored)."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    key = records.family.key

    def listed(name: str) -> set[str] | None:
        text = params.get(name)
        return {part.strip() for part in text.split(",") if part.strip()} if text else None

    ids = listed("ids") or listed("productId" if family == "products" else "") or listed("reviewId" if family == "reviews" else "")
    if ids is not None:
        keys = {records.resolve(i) for i in ids} - {None}
        tests.append(lambda r: r[key] in keys)
    for name, field_name in (("email", "email"), ("customerId", "customerId"), ("sku", "sku"), ("code", "code"), ("parent", "parentId")):
        if name in params and not (family == "orders" and name == "sku"):
            wanted = params[name]
            tests.append(lambda r, f=field_name, w=wanted: str(r.get(f, "")).lower() == w.lower())
    for name in ("paymentStatus", "fulfillmentStatus", "status"):
        values = listed(name)
        if values is not None:
            tests.append(lambda r, n=name, v=values: str(r.get(n, "")) in v or str(r.get(n, "")).lower() in v)
    if family == "orders":
        if listed("paymentStatus") is None:
            tests.append(lambda r: r.get("paymentStatus") != "INCOMPLETE")
        products = listed("productId")
        if products is not None:
            tests.append(lambda r: any(str(i.get("productId")) in products for i in r.get("items", ())))
        for bound, sign in (("totalFrom", 1), ("totalTo", -1)):
            if bound in params:
                limit = float(params[bound])
                tests.append(lambda r, l=limit, s=sign: s * (r["total"] - l) >= 0)
    if family == "products" and "productId" not in params:
        pass
    if family == "products":
        category = params.get("category") or params.get("categories")
        if category:
            wanted_ids = {int(c) for c in category.split(",") if c.strip().isdigit()}
            tests.append(lambda r: bool(wanted_ids & set(r.get("categoryIds", ()))))
        if "enabled" in params:
            flag = params["enabled"].lower() == "true"
            tests.append(lambda r: bool(r.get("enabled")) == flag)
        if "inStock" in params:
            flag = params["inStock"].lower() == "true"
            tests.append(lambda r: bool(r.get("inStock")) == flag)
    if family == "reviews" and "productId" in params:
        wanted_products = listed("productId") or set()
        tests.append(lambda r: str(r.get("productId")) in wanted_products)
    keywords = params.get("keywords") or params.get("keyword")
    if keywords:
        needle = keywords.lower()
        tests.append(
            lambda r: any(needle in str(r.get(f, "")).lower() for f in ("id", "name", "email", "sku", "code", "cartId"))
        )
    for prefix, fields in (("created", ("createTimestamp", "registered", "created", "creationDate")), ("updated", ("updateTimestamp", "updated", "updateDate"))):
        low, high = _time(params, prefix + "From"), _time(params, prefix + "To")
        if low is not None or high is not None:
            tests.append(
                lambda r, lo=low, hi=high, f=fields: (s := _stamp(r, *f)) is not None
                and (lo is None or s >= lo)
                and (hi is None or s <= hi)
            )
    return tests


def _search(state: StoreState, family: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
    records = state.families[family]
    tests = _filters(family, params, records)
    found = [r for r in records.indexed(state.clock.now()) if all(test(r) for test in tests)]
    return found


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


def _family_endpoint(state: StoreState, app: App, family: str, action: str, key: str, params: Mapping[str, str], body: Any) -> Answer:
    actor = app.name
    if action == "search":
        return Answer(200, _envelope(_search(state, family, params), params))
    if action == "list":
        return Answer(200, [writes.public(r) for r in _search(state, family, params)])
    if action == "deleted":
        records = state.families[family]
        log = list(records.deleted)
        low, high = _time(params, "from_date"), _time(params, "to_date")
        if low is not None or high is not None:
            log = [e for e in log if (s := _stamp(e, "date")) is not None and (low is None or s >= low) and (high is None or s <= high)]
        return Answer(200, _envelope(log, params))
    if action == "get":
        return Answer(200, writes.public(state.families[family][key]) if state.families[family].resolve(key) is not None else _missing(state, family, key))
    if action == "create":
        record = state.create(family, _object_body(body), actor=actor)
        return Answer(200, _create_answer(family, record))
    if action in ("update", "updateStatus"):
        state.update(family, key, _object_body(body), actor=actor)
        return Answer(200, {"updateCount": 1})
    if action == "delete":
        state.delete(family, key, actor=actor)
        return Answer(200, {"deleteCount": 1})
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement {family}.{action} yet")


def _missing(state: StoreState, family: str, key: str) -> Any:
    raise writes.StoreKeyError(state.families[family], key)


def _inventory(state: StoreState, app: App, key: str, body: Any) -> Answer:
    fields = _object_body(body)
    product = state.products[key]
    if "quantityDelta" not in fields:
        raise ApiError(400, "WRONG_PARAMETER", "quantityDelta is required")
    quantity = max(0, int(product.get("quantity", 0)) + int(fields["quantityDelta"]))
    state.update("products", product["id"], {"quantity": quantity, "unlimited": False}, actor=app.name)
    return Answer(200, {"updateCount": 1})


def _variation(state: StoreState, app: App, action: str, product_key: str, combination: str, body: Any) -> Answer:
    product = state.products[product_key]
    combos: list[dict[str, Any]] = product.get("combinations", [])
    if action == "list":
        return Answer(200, combos)
    found = next((c for c in combos if str(c["id"]) == combination), None)
    if action == "get":
        if found is None:
            raise ApiError(404, "COMBINATION_NOT_FOUND", f"Combination #{combination} not found")
        return Answer(200, found)
    if action == "delete":
        if found is None:
            raise ApiError(404, "COMBINATION_NOT_FOUND", f"Combination #{combination} not found")
        state.update("products", product["id"], {"combinations": [c for c in combos if c is not found]}, actor=app.name)
        return Answer(200, {"deleteCount": 1})
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement variations.{action} yet")


def _storage(state: StoreState, app: App, action: str, key: str, body: Any) -> Answer:
    storage = app.storage
    if action == "list":
        return Answer(200, [{"key": k, "value": v} for k, v in storage.items()])
    if action == "get":
        if key not in storage:
            raise ApiError(404, "NOT_FOUND", "Key not found")
        return Answer(200, {"key": key, "value": storage[key]})
    if action in ("create", "update"):
        storage[key] = body if isinstance(body, str) else __import__("json").dumps(body)
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

    state._emit(Change(event_type, str(state.store_id), None, endpoint_id, app.name, state.clock.now(), str(state.store_id)))


def _latest_stats(state: StoreState) -> dict[str, Any]:
    def latest(family: str, *fields: str) -> str:
        stamps = [s for r in state.families[family].values() if (s := _stamp(r, *fields)) is not None]
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


def _path_key(path: str, position: int) -> str:
    from urllib.parse import unquote

    parts = path.strip("/").split("/")
    return unquote(parts[position]) if len(parts) > position else ""


def handle(state: StoreState, app: App, endpoint_id: str, path: str, params: Mapping[str, str], body: Any) -> Answer:
    """Answer one authorised call to ``endpoint_id`` (ids of ``schemas/rest/api.json``)."""
    group, _, action = endpoint_id.rpartition(".")
    if endpoint_id == "orders.last":
        found = sorted(_search(state, "orders", {}), key=lambda r: r["createTimestamp"])
        if not found:
            raise ApiError(404, "ORDER_NOT_FOUND", "No orders found")
        return Answer(200, writes.public(found[-1]))
    if endpoint_id == "products.inventory":
        return _inventory(state, app, _path_key(path, 1), body)
    if group == "variations":
        return _variation(state, app, action, _path_key(path, 1), _path_key(path, 3), body)
    if group == "storage":
        return _storage(state, app, action, _path_key(path, 1), body)
    if endpoint_id == "profile.get":
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
        return Answer(200, {"allCount": len(reviews), "publishedCount": published, "moderatedCount": len(reviews) - published})
    if endpoint_id == "orders.invoices.list":
        return Answer(200, {"invoices": list(state.orders[_path_key(path, 1)].get("invoices", []))})
    if endpoint_id == "orders.invoice.html":
        order = state.orders[_path_key(path, 1)]
        return Answer(200, f"<html><body><h1>Invoice for order {order['id']}</h1><p>Total: {order['total']}</p></body></html>")
    family = _BY_ENDPOINT.get(group)
    if family is not None:
        if group == "classes" and action == "list":
            return _family_endpoint(state, app, family, "list", "", params, body)
        return _family_endpoint(state, app, family, action, _path_key(path, 1), params, body)
    raise ApiError(501, "NOT_IMPLEMENTED", f"ecwid-mock does not implement {endpoint_id} yet")


