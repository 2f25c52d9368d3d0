"""Writes to the store, as Ecwid performs them: fill what Ecwid fills, then record the change.

Which webhook a write fires is read from ``schemas/rest/api.json`` (each endpoint's
``webhooksFired``: the one about the written entity); what its ``data`` holds is decided here
from the record before and after the write.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import InvalidOption
from .._schemas.rest import endpoint
from . import ids as _ids
from .changes import Change
from .records.orders import totals
from .state import StoreKeyError

if TYPE_CHECKING:
    from .state import Records, StoreState

__all__ = ["StoreKeyError", "create", "delete", "update"]


def _events(endpoint_id: str, entity: str, action: str) -> list[str]:
    """The ``<entity>.<action>`` webhook a write through ``endpoint_id`` fires, per the facts.

    Events of other entities that the facts list (``product.updated`` after an order, marked
    low) are left out. A write with no REST twin (``carts.create`` from Python) fires
    ``<entity>.<action>`` if Ecwid has that event.
    """
    wanted = f"{entity}.{action}"
    try:
        fired = endpoint(endpoint_id)["webhooksFired"]
    except KeyError:
        from .._schemas.catalog import all_event_types

        return [wanted] if wanted in all_event_types() else []
    return [wanted] if any(w["event"] == wanted for w in fired) else []


def _find(records: Records, key: object) -> Any:
    found = records.resolve(key)
    if found is None:
        raise StoreKeyError(records, key)
    return found


def _entity_id(state: StoreState, records: Records, record: dict[str, Any]) -> int | str:
    name = records.family.name
    if name == "orders":
        return int(record["internalId"])
    if name == "carts":
        return int(record["_internalId"])
    return record[records.family.key]  # type: ignore[no-any-return]


def _data(
    state: StoreState,
    records: Records,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> dict[str, Any] | None:
    """The webhook's ``data``, from the record before and after the write."""
    name = records.family.name
    if name == "orders" and after.get("paymentStatus") == "INCOMPLETE":
        return {"orderId": after["id"], "cartId": after.get("cartId", "")}
    if name == "orders":
        data: dict[str, Any] = {"orderId": after["id"]}
        if action == "created":
            data |= {
                "newPaymentStatus": after["paymentStatus"],
                "newFulfillmentStatus": after["fulfillmentStatus"],
            }
        elif action == "updated" and before is not None:
            data |= {
                "oldPaymentStatus": before["paymentStatus"],
                "newPaymentStatus": after["paymentStatus"],
                "oldFulfillmentStatus": before["fulfillmentStatus"],
                "newFulfillmentStatus": after["fulfillmentStatus"],
            }
        return data
    if name == "carts":
        return {"orderId": after["_orderId"], "cartId": after["cartId"]}
    if name == "customers":
        return {"customerEmail": after.get("email", "")}
    if name == "promotions":
        return {"version": int(after.get("_version", 1))}
    if name == "reviews":
        order = state.orders.get(after.get("orderId", ""))
        data = {
            "productId": after["productId"],
            "orderId": int(order["internalId"]) if order else 0,
        }
        if action != "deleted":  # events spell it in upper case, REST (G3) in lower case
            data["status"] = str(after["status"]).upper()
        return data
    return None


def _emit(
    state: StoreState,
    records: Records,
    endpoint_id: str,
    action: str,
    before: Any,
    after: dict[str, Any],
    actor: str,
) -> None:
    entity = records.family.entity
    if entity == "order" and after.get("paymentStatus") == "INCOMPLETE":
        entity = "unfinished_order"  # an unfinished order's webhooks are its own
    for event_type in _events(endpoint_id, entity, action):
        state._emit(
            Change(
                event_type=event_type,
                entity_id=_entity_id(state, records, after),
                data=_data(state, records, action, before, after),
                endpoint=endpoint_id,
                actor=actor,
                timestamp=state.clock.now(),
                key=after[records.family.key],
            )
        )


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the store's private bookkeeping fields (``_version`` ...)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def create(
    state: StoreState,
    records: Records,
    fields: dict[str, Any],
    *,
    actor: str,
    endpoint_id: str | None = None,
    ids: Mapping[str, Any] | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Add a record; ``ids`` keeps given ids (a replayed event's), ``quiet`` fires no change."""
    name = records.family.name
    date, stamp = state.now_date()
    rng = state._rng
    indexed_at = state.clock.now() + state.search_lag
    if name == "orders":
        public_id, internal = state._new_order_ids()
        if ids is not None:
            public_id, internal = ids["id"], ids.get("internalId", internal)
        items = [dict(item) for item in fields.get("items", [])]
        for item in items:
            item.setdefault("id", _ids.entity_id(rng, "order") * 10)
            item.setdefault("productId", 0)
            item.setdefault("quantity", 1)
            item.setdefault("price", 0)
            item.setdefault("sku", "")
            item.setdefault("name", "")
        shipping = float(fields.get("shippingOption", {}).get("shippingRate", 0))
        record: dict[str, Any] = {
            **{
                k: v
                for k, v in totals(items, shipping).items()
                if k
                in ("subtotal", "total", "tax", "subtotalWithoutTax", "totalWithoutTax", "usdTotal")
            },
            "email": "",
            "paymentStatus": "AWAITING_PAYMENT",
            "fulfillmentStatus": "AWAITING_PROCESSING",
            **fields,
            "items": items,
            "id": public_id,
            "internalId": internal,
            "orderNumber": internal,
            "vendorOrderNumber": public_id,
            "createDate": date,
            "updateDate": date,
            "createTimestamp": stamp,
            "updateTimestamp": stamp,
        }
        state._put_order(record, indexed_at=indexed_at)
    else:
        key_field = records.family.key
        record = {**fields}
        if name == "carts":
            record.setdefault("cartId", _ids.cart_id(rng))
            record["_orderId"], record["_internalId"] = state._new_order_ids()
        else:
            new_id = _ids.entity_id(rng, records.family.entity)
            while new_id in records:
                new_id = _ids.entity_id(rng, records.family.entity)
            record["id"] = new_id if ids is None else ids["id"]
        _fill(name, record, date, stamp)
        aliases = [record["code"]] if name == "coupons" else []
        records._put(record[key_field], record, indexed_at=indexed_at, aliases=aliases)
    if not quiet:
        _emit(
            state,
            records,
            endpoint_id or f"{records.family.endpoint}.create",
            "created",
            None,
            record,
            actor,
        )
    return record


def _fill(name: str, record: dict[str, Any], date: str, stamp: int) -> None:
    """What Ecwid sets on a new record of ``name`` when the request leaves it out."""
    if name == "products":
        if "name" not in record:
            raise InvalidOption(
                "name", None, "a product name (Ecwid requires one)", source="product"
            )
        record.setdefault("sku", f"{record['id'] % 100000:05d}")
        record.setdefault("price", 0)
        record.setdefault("enabled", True)
        record.setdefault("unlimited", "quantity" not in record)
        record["inStock"] = bool(record["unlimited"]) or int(record.get("quantity", 0)) > 0
        record |= {
            "created": date,
            "updated": date,
            "createTimestamp": stamp,
            "updateTimestamp": stamp,
        }
    elif name == "customers":
        record.setdefault("email", "")
        record.setdefault("customerGroupId", 0)
        if record["customerGroupId"] == 0:
            record.setdefault("customerGroupName", "General")  # group 0 is General [H]
        record |= {"registered": date, "updated": date}
    elif name == "categories":
        record.setdefault("name", "")
        record.setdefault("enabled", True)
    elif name == "coupons":
        record.setdefault("name", record.get("code", ""))
        record.setdefault("code", f"CODE{record['id'] % 10000}")
        record.setdefault("discountType", "ABS")
        record.setdefault("status", "ACTIVE")
        record.setdefault("discount", 0)
        record |= {"creationDate": date, "updateDate": date}
    elif name == "promotions":
        record.setdefault("name", "")
        record.setdefault("enabled", True)
        record.setdefault("discountBase", "SUBTOTAL")
        record.setdefault("discountType", "PERCENT")
        record.setdefault("amount", 0)
        record["_version"] = 1
    elif name in ("customer_groups", "classes"):
        record.setdefault("name", "")
    elif name == "reviews" or name == "carts":
        record |= {
            "createDate": date,
            "updateDate": date,
            "createTimestamp": stamp,
            "updateTimestamp": stamp,
        }


_DATES = {
    "orders": ("updateDate", "updateTimestamp"),
    "carts": ("updateDate", "updateTimestamp"),
    "products": ("updated", "updateTimestamp"),
    "customers": ("updated", None),
    "coupons": ("updateDate", None),
    "reviews": ("updateDate", "updateTimestamp"),
}
_READ_ONLY = {
    "id",
    "internalId",
    "orderNumber",
    "vendorOrderNumber",
    "cartId",
    "createDate",
    "createTimestamp",
    "created",
    "registered",
}


def update(
    state: StoreState,
    records: Records,
    key: object,
    fields: dict[str, Any],
    *,
    actor: str,
    endpoint_id: str | None = None,
) -> dict[str, Any]:
    found = _find(records, key)
    record = records._items[found]
    before = copy.deepcopy(record)
    for name, value in fields.items():
        if name not in _READ_ONLY and not name.startswith("_"):
            record[name] = value  # partial PUT: top-level fields replace, items[] wholesale
    date, stamp = state.now_date()
    date_field, stamp_field = _DATES.get(records.family.name, (None, None))
    if date_field:
        record[date_field] = date
    if stamp_field:
        record[stamp_field] = stamp
    if records.family.name == "products" and ("quantity" in fields or "unlimited" in fields):
        record["inStock"] = bool(record.get("unlimited")) or int(record.get("quantity", 0)) > 0
        if record.get("unlimited"):
            record.pop("quantity", None)
    if "_version" in record:
        record["_version"] += 1
    if state.search_lag:
        records._index_later(found, before, record, state.clock.now() + state.search_lag)
    default = (
        "reviews.updateStatus"
        if records.family.name == "reviews"
        else f"{records.family.endpoint}.update"
    )
    _emit(state, records, endpoint_id or default, "updated", before, record, actor)
    return record


def delete(state: StoreState, records: Records, key: object, *, actor: str) -> dict[str, Any]:
    found = _find(records, key)
    if state.search_lag:
        current = records._items[found]
        records._index_later(found, current, None, state.clock.now() + state.search_lag)
    record = records._pop(found)
    date, _ = state.now_date()
    if records.family.name == "orders":
        records.deleted.append({"id": record["internalId"], "date": date, "orderId": record["id"]})
    elif isinstance(found, int):
        records.deleted.append({"id": found, "date": date})
    if "_version" in record:
        record["_version"] += 1
    _emit(state, records, f"{records.family.endpoint}.delete", "deleted", None, record, actor)
    return record
