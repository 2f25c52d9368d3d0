"""Searches of the store: Ecwid's query parameters, sorting, paging and the search envelope.

A search reads the family's index (``Records.indexed``: the store as it was ``search_lag``
seconds ago) and filters it with the parameters the mock knows; others are ignored, as Ecwid
ignores parameters it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .._schemas.rest import api_facts
from .._store import writes
from .._store.state import Records, StoreState
from ._store_errors import ApiError

__all__ = ["envelope", "parse_time", "public", "search", "stamp"]


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
        raise ApiError(
            400, "WRONG_PARAMETER", f"Parameter '{name}' must be an integer, got '{text}'"
        ) from None
    if value < 0:
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter '{name}' must be >= 0, got {value}")
    return value


def _number(params: Mapping[str, str], name: str) -> float:
    try:
        return float(params[name])
    except ValueError:
        raise ApiError(
            400, "WRONG_PARAMETER", f"Parameter '{name}' must be a number, got '{params[name]}'"
        ) from None


_SORTS: dict[str, tuple[str, bool]] = {
    "NAME_ASC": ("name", False),
    "NAME_DESC": ("name", True),
    "PRICE_ASC": ("price", False),
    "PRICE_DESC": ("price", True),
    "ADDED_TIME_ASC": ("createTimestamp", False),
    "ADDED_TIME_DESC": ("createTimestamp", True),
    "UPDATED_TIME_ASC": ("updateTimestamp", False),
    "UPDATED_TIME_DESC": ("updateTimestamp", True),
    "SKU_ASC": ("sku", False),
    "SKU_DESC": ("sku", True),
    "RATING_ASC": ("rating", False),
    "RATING_DESC": ("rating", True),
}


def parse_time(params: Mapping[str, str], name: str) -> float | None:
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


def public(record: Mapping[str, Any]) -> dict[str, Any]:
    """A found record as REST shows it (a packed one, read in place, made a dict here)."""
    return writes.public(record if isinstance(record, dict) else dict(record))


def envelope(records: Sequence[Mapping[str, Any]], params: Mapping[str, str]) -> dict[str, Any]:
    default, most = _limits()
    offset = _int(params, "offset", 0)
    limit = min(_int(params, "limit", default), most)
    page = records[offset : offset + limit]
    return {
        "total": len(records),
        "count": len(page),
        "offset": offset,
        "limit": limit,
        "items": [public(r) for r in page],
    }


def stamp(record: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, int):
            return float(value)
        if isinstance(value, str) and value:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z").timestamp()
    return None


Predicate = Callable[[Mapping[str, Any]], bool]


def _equals(name: str, wanted: str) -> Predicate:
    return lambda record: str(record.get(name, "")).lower() == wanted.lower()


def _one_of(name: str, values: set[str], *, any_case: bool = False) -> Predicate:
    def test(record: Mapping[str, Any]) -> bool:
        value = str(record.get(name, ""))
        return value in values or (any_case and value.lower() in values)

    return test


def _bound(name: str, limit: float, sign: int) -> Predicate:
    """``sign`` 1: the field is at least ``limit``; -1: at most."""
    return lambda record: sign * (float(record.get(name, 0)) - limit) >= 0


def _between(fields: tuple[str, ...], low: float | None, high: float | None) -> Predicate:
    def test(record: Mapping[str, Any]) -> bool:
        when = stamp(record, *fields)
        return when is not None and (low is None or when >= low) and (high is None or when <= high)

    return test


def _filters(family: str, params: Mapping[str, str], records: Records) -> list[Predicate]:
    """The predicates of a search's query parameters (those the mock knows; others are ignored)."""
    tests: list[Predicate] = []
    key = records.family.key

    def listed(name: str) -> set[str] | None:
        text = params.get(name)
        return {part.strip() for part in text.split(",") if part.strip()} if text else None

    ids = (
        listed("ids")
        or listed("productId" if family == "products" else "")
        or listed("reviewId" if family == "reviews" else "")
    )
    if ids is not None:
        keys = {records.resolve(i) for i in ids} - {None}
        # a deleted record still in the index has no aliases left: match its own ids too
        tests.append(
            lambda r: r[key] in keys or str(r[key]) in ids or str(r.get("internalId", "")) in ids
        )
    for name, field_name in (
        ("email", "email"),
        ("customerId", "customerId"),
        ("sku", "sku"),
        ("code", "code"),
        ("parent", "parentId"),
    ):
        if name in params and not (family == "orders" and name == "sku"):
            wanted = params[name]
            tests.append(_equals(field_name, wanted))
    for name in ("paymentStatus", "fulfillmentStatus", "status"):
        values = listed(name)
        if values is not None:
            tests.append(_one_of(name, values, any_case=True))
    if family == "orders":
        if listed("paymentStatus") is None:
            tests.append(lambda r: r.get("paymentStatus") != "INCOMPLETE")
        products = listed("productId")
        if products is not None:
            tests.append(
                lambda r: any(str(i.get("productId")) in products for i in r.get("items", ()))
            )
    if family in ("orders", "carts"):
        for bound, sign in (("totalFrom", 1), ("totalTo", -1)):
            if bound in params:
                limit = _number(params, bound)
                tests.append(_bound("total", limit, sign))
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
    if family == "products":
        for bound, sign in (("priceFrom", 1), ("priceTo", -1)):
            if bound in params:
                price = _number(params, bound)
                tests.append(_bound("price", price, sign))
    if family == "customers":
        if "name" in params:
            name = params["name"].lower()
            tests.append(lambda r: name in str(r.get("name", "")).lower())
        groups = listed("customerGroupIds")
        if groups is not None:
            tests.append(lambda r: str(r.get("customerGroupId", 0)) in groups)
        for bound, sign in (("minOrderCount", 1), ("maxOrderCount", -1)):
            if bound in params:
                count = _int(params, bound, 0)
                tests.append(_bound("totalOrderCount", count, sign))
    if family == "categories":
        parents = listed("parentIds")
        if parents is not None:
            tests.append(lambda r: str(r.get("parentId", 0)) in parents)
        with_products = listed("productIds")
        if with_products is not None:
            tests.append(lambda r: bool(with_products & {str(i) for i in r.get("productIds", ())}))
    if family == "reviews":
        for name in ("productId", "orderId", "rating"):
            values = listed(name)
            if values is not None:
                tests.append(_one_of(name, values))
    keywords = params.get("keywords") or params.get("keyword")
    if keywords:
        needle = keywords.lower()
        tests.append(
            lambda r: any(
                needle in str(r.get(f, "")).lower()
                for f in ("id", "name", "email", "sku", "code", "cartId")
            )
        )
    for prefix, fields in (
        ("created", ("createTimestamp", "registered", "created", "creationDate")),
        ("updated", ("updateTimestamp", "updated", "updateDate")),
    ):
        low, high = parse_time(params, prefix + "From"), parse_time(params, prefix + "To")
        if low is not None or high is not None:
            tests.append(_between(fields, low, high))
    return tests


def search(state: StoreState, family: str, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
    records = state.families[family]
    tests = _filters(family, params, records)
    found = [r for r in records.indexed(state.clock.now()) if all(test(r) for test in tests)]
    sort = params.get("sortBy")
    if sort:
        if sort not in _SORTS:
            raise ApiError(400, "WRONG_PARAMETER", f"Unknown sortBy value '{sort}'")
        name, reverse = _SORTS[sort]
        found.sort(key=lambda r: (r.get(name) is None, r.get(name, 0)), reverse=reverse)
    return found
